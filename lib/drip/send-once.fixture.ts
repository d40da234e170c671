// The fixture of the send-once tests: a workspace with Cloud API numbers, an approved template, due rows
// queued by SQL, and a fake Cloud API on loopback that records each send on arrival (before its answer,
// which can be delayed per recipient) and answers with a message id.
import { eq, sql } from "drizzle-orm";
import { insertTenant } from "@/db/queries";
import type { DbKind } from "@/db/client";
import { outboundMessages, templates, whatsappNumbers } from "@/db/schema";
import { createTestDb, type TestDb } from "@/db/testing";
import { type FakeGraph, startFakeGraph } from "@/e2e/fakes/fake-graph";
import { createNumber } from "@/lib/numbers/numbers";
import { numberFormSchema } from "@/lib/numbers/schemas";
import type { DripDeps } from "./dispatch";

const encryptionKey = Buffer.alloc(32, 23).toString("base64");
export const NUMBERS = 3;

export type SendOnceFixture = Awaited<ReturnType<typeof startSendOnceFixture>>;

export async function startSendOnceFixture(kind: DbKind) {
  const t: TestDb = await createTestDb(kind);
  const graph: FakeGraph = await startFakeGraph();
  /** every send the fake provider received (recorded on arrival, before its answer) */
  const received: { to: string; at: number }[] = [];
  /** how long the fake takes to answer a recipient (else `delay.default`) */
  const delayFor = new Map<string, number>();
  const delay = { default: 0 };
  graph.on("POST", /^\/v\d+\.\d+\/(\d+)\/messages$/, (req) => {
    const to = String((req.json as { to?: unknown }).to);
    received.push({ to, at: Date.now() });
    return { json: { messaging_product: "whatsapp", messages: [{ id: `wamid.once-${received.length}` }] }, delayMs: delayFor.get(to) ?? delay.default };
  });
  const tenantId = (await insertTenant(t.db, { name: "Once" })).id;
  const numberIds: string[] = [];
  for (let i = 0; i < NUMBERS; i++) {
    const input = numberFormSchema.parse({
      provider: "cloud",
      label: `Cloud ${i}`,
      phoneE164: `+1555078470${i}`,
      phoneNumberId: `13654035224292${i}`,
      wabaId: "102290129340398",
      accessToken: `EAAG-once-${i}`,
      appSecret: "s",
    });
    numberIds.push((await createNumber(t.db, { encryptionKey, appUrl: "http://x" }, { tenantId, input })).id);
  }
  await t.db.update(whatsappNumbers).set({ sendRatePerSecond: 80 }).where(eq(whatsappNumbers.tenantId, tenantId));
  // no subscriber, so no open window: the bound approved template goes out
  const [template] = await t.db
    .insert(templates)
    .values({ tenantId, name: "hello", title: "Hello", content: "Hello", delayDays: 0, metaTemplate: { name: "hello", language: "en_US", parameters: [] } })
    .returning();

  return {
    t,
    graph,
    numberIds,
    received,
    delayFor,
    delay,
    /** generous by default: on a busy machine a tight timeout fires, and a timed-out send is (rightly) not sent again */
    deps: (timeoutMs = 60_000): DripDeps => ({ encryptionKey, graph: { base: graph.url, version: "v24.0", timeoutMs } }),
    /** `count` due rows to +1<prefix>NNNNNNN, spread over the first `over` numbers */
    async queue(count: number, prefix: number, over = NUMBERS) {
      const ids = numberIds.slice(0, over);
      await t.db.execute(sql`insert into ${outboundMessages} (tenant_id, number_id, phone, template_id, template_name, scheduled_at)
        select ${tenantId}::uuid, (${sql.raw(`array[${ids.map((id) => `'${id}'::uuid`).join(",")}]`)})[1 + g % ${over}], '+1' || (${prefix}::bigint * 10000000 + g)::text, ${template!.id}::uuid, 'hello', now() - interval '1 second'
        from generate_series(1, ${count}) g`);
    },
    sentTo: (prefix: number) => received.map((r) => r.to).filter((to) => to.startsWith(`+1${prefix}`)),
    rowsOf: (prefix: number) =>
      t.db
        .select()
        .from(outboundMessages)
        .where(sql`${outboundMessages.phone} like ${`+1${prefix}%`}`),
    async close() {
      await graph.close();
      await t.cleanup();
    },
  };
}
