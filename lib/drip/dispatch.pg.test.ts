// Races only a real server shows: four drip runs at once over 1,000 due rows send each exactly once,
// and the rows of a run that died mid-batch are sent once after their lease expires.
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimDueOutbound, insertTenant } from "@/db/queries";
import { outboundMessages, templates, whatsappNumbers } from "@/db/schema";
import { createTestDb, type TestDb } from "@/db/testing";
import { type FakeGreenApi, startFakeGreenApi } from "@/e2e/fakes/fake-green-api";
import { type FakeSends, serveGreenSendMessage } from "@/e2e/fakes/fake-senders";
import { createNumber } from "@/lib/numbers/numbers";
import { numberFormSchema } from "@/lib/numbers/schemas";
import { parseHostRules } from "@/lib/egress";
import { greenEgressPolicy } from "@/lib/whatsapp/green-client";
import { type DripDeps, runDrip } from "./dispatch";

const encryptionKey = Buffer.alloc(32, 17).toString("base64");
const NUMBERS = 5;

describe.skipIf(!process.env.TEST_DATABASE_URL)("concurrent drip runs (postgres)", () => {
  let t: TestDb;
  let green: FakeGreenApi;
  let sends: FakeSends;
  let tenantId = "";
  let templateId = "";
  const numberIds: string[] = [];
  // a generous timeout: under load a 2 s one fired, and a timed-out send may have reached the provider (it is not retried)
  const deps: DripDeps = {
    encryptionKey,
    graph: { base: "http://127.0.0.1:9", version: "v24.0" },
    greenTimeoutMs: 30_000,
    greenEgress: greenEgressPolicy(parseHostRules("127.0.0.1")),
  };

  beforeAll(async () => {
    t = await createTestDb("postgres");
    green = await startFakeGreenApi();
    const instances = Object.fromEntries(Array.from({ length: NUMBERS }, (_, i) => [`77000000${i}`, `token-${i}`]));
    sends = serveGreenSendMessage(green, instances);
    tenantId = (await insertTenant(t.db, { name: "Races" })).id;
    for (let i = 0; i < NUMBERS; i++) {
      const n = await createNumber(
        t.db,
        { encryptionKey, appUrl: "http://x", greenEgress: deps.greenEgress },
        {
          tenantId,
          input: numberFormSchema.parse({
            provider: "green",
            label: `Green ${i}`,
            phoneE164: `+1555078390${i}`,
            greenApiUrl: green.url,
            greenInstanceId: `77000000${i}`,
            greenApiToken: `token-${i}`,
          }),
        },
      );
      numberIds.push(n.id);
    }
    await t.db.update(whatsappNumbers).set({ sendRatePerSecond: 80 }).where(eq(whatsappNumbers.tenantId, tenantId));
    templateId = (
      await t.db.insert(templates).values({ tenantId, name: "hello", title: "Hello", content: "Hello from the drip", delayDays: 0 }).returning()
    )[0]!.id;
  });
  afterAll(async () => {
    await green.close();
    await t.cleanup();
  });

  async function queue(count: number, prefix: number, scheduledAt: Date) {
    await t.db.execute(sql`insert into ${outboundMessages} (tenant_id, number_id, phone, template_id, template_name, scheduled_at)
      select ${tenantId}::uuid, (${sql.raw(`array[${numberIds.map((id) => `'${id}'::uuid`).join(",")}]`)})[1 + g % ${NUMBERS}], '+1' || (${prefix}::bigint * 10000000 + g)::text, ${templateId}::uuid, 'hello', ${scheduledAt.toISOString()}::timestamptz
      from generate_series(1, ${count}) g`);
  }
  const phonesSent = (prefix: string) => sends.sends.map((s) => String(s.body.chatId)).filter((c) => c.startsWith(prefix));

  it("four runs at once over 1,000 due rows: exactly 1,000 sends, each row once", async () => {
    const now = new Date();
    await queue(1_000, 415, new Date(now.getTime() - 1_000));
    const runs = await Promise.all(Array.from({ length: 4 }, () => runDrip(t.db, deps, { budgetMs: 30_000, batchSize: 100 })));
    const chats = phonesSent("1415");
    expect(chats).toHaveLength(1_000);
    expect(new Set(chats).size).toBe(1_000);
    expect(runs.reduce((sum, r) => sum + r.sent, 0)).toBe(1_000);
    expect(runs.reduce((sum, r) => sum + r.claimed, 0)).toBe(1_000); // nothing claimed twice (rows of a number another run held were handed back)
    const [left] = (await t.db.execute(sql`select count(*)::int as n from ${outboundMessages} where status <> 'sent' and phone like '+1415%'`)) as unknown as [
      { n: number },
    ];
    expect(Number(left?.n ?? 0)).toBe(0);
  }, 60_000);

  it("two runs at once keep one number under its rate: one sends for it while the other leaves it alone", async () => {
    const solo = numberIds[0]!;
    await t.db.update(whatsappNumbers).set({ sendRatePerSecond: 20 }).where(eq(whatsappNumbers.id, solo));
    await t.db.execute(sql`insert into ${outboundMessages} (tenant_id, number_id, phone, template_id, template_name, scheduled_at)
      select ${tenantId}::uuid, ${solo}::uuid, '+1' || (417::bigint * 10000000 + g)::text, ${templateId}::uuid, 'hello', now() - interval '1 second' from generate_series(1, 60) g`);
    const started = Date.now();
    const runs = await Promise.all([runDrip(t.db, deps, { budgetMs: 20_000 }), runDrip(t.db, deps, { budgetMs: 20_000 })]);
    const elapsed = Date.now() - started;
    const mine = sends.sends.filter((s) => String(s.body.chatId).startsWith("1417"));
    expect(mine).toHaveLength(60);
    expect(new Set(mine.map((s) => s.body.chatId)).size).toBe(60);
    expect(runs.reduce((n, r) => n + r.sent, 0)).toBe(60);
    expect(runs.map((r) => r.sent).sort()).toEqual([0, 60]); // one run held the number throughout
    expect(elapsed).toBeGreaterThanOrEqual(2_800); // 60 at 20/s: about 3 s, not the 1.5 s of two runs adding up
    const perSecond = new Map<number, number>();
    for (const s of mine) perSecond.set(Math.floor(s.at / 1000), (perSecond.get(Math.floor(s.at / 1000)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(21);
    const [lease] = await t.db.select({ owner: whatsappNumbers.dripLeaseOwner }).from(whatsappNumbers).where(eq(whatsappNumbers.id, solo));
    expect(lease!.owner).toBeNull(); // given back at the end of the run
    await t.db.update(whatsappNumbers).set({ sendRatePerSecond: 80 }).where(eq(whatsappNumbers.id, solo));
  }, 60_000);

  it("the rows of a run that died mid-batch are sent once, after their lease expires", async () => {
    const now = new Date();
    await queue(60, 416, new Date(now.getTime() - 1_000));
    const dead = await claimDueOutbound(t.db, { now, limit: 40, leaseMs: 60_000 }); // claimed, then the process died
    expect(dead).toHaveLength(40);
    const meanwhile = await runDrip(t.db, deps, { budgetMs: 10_000 });
    expect(meanwhile).toMatchObject({ claimed: 20, sent: 20 }); // only the unclaimed ones (the whole summary shows on a failure)
    const later = await runDrip(t.db, deps, { now: () => new Date(Date.now() + 61_000), budgetMs: 10_000 });
    expect(later).toMatchObject({ claimed: 40, sent: 40 });
    const chats = phonesSent("1416");
    expect(chats).toHaveLength(60);
    expect(new Set(chats).size).toBe(60);
  }, 60_000);
});
