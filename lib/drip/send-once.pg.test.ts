// A drip message reaches the provider at most once, even when a run outlives its lease: runs renew their
// leases while they work, a run never sends a row another run took over, and a send whose answer never came
// (timeout, run died mid-request) is not sent again by itself. Real Postgres, a fake Cloud API on loopback.
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { beginOutboundSend, claimDueOutbound, finishOutbound, insertTenant } from "@/db/queries";
import { outboundMessages, templates, whatsappNumbers } from "@/db/schema";
import { createTestDb, type TestDb } from "@/db/testing";
import { type FakeGraph, startFakeGraph } from "@/e2e/fakes/fake-graph";
import { createNumber } from "@/lib/numbers/numbers";
import { numberFormSchema } from "@/lib/numbers/schemas";
import { type DripDeps, runDrip } from "./dispatch";

const encryptionKey = Buffer.alloc(32, 23).toString("base64");
const NUMBERS = 3;
// generous: on a busy machine a tight timeout fires, and a timed-out send is (rightly) not sent again
const deps = (graph: FakeGraph, timeoutMs = 60_000): DripDeps => ({ encryptionKey, graph: { base: graph.url, version: "v24.0", timeoutMs } });

describe.skipIf(!process.env.TEST_DATABASE_URL)("a drip message is sent once (postgres)", () => {
  let t: TestDb;
  let graph: FakeGraph;
  let tenantId = "";
  let templateId = "";
  const numberIds: string[] = [];
  /** every send the fake provider received (it records on arrival, before its answer) */
  const received: { to: string; at: number }[] = [];
  /** how long the fake takes to answer a recipient (default: at once) */
  const delayFor = new Map<string, number>();
  let defaultDelayMs = 0;

  beforeAll(async () => {
    t = await createTestDb("postgres");
    graph = await startFakeGraph();
    graph.on("POST", /^\/v\d+\.\d+\/(\d+)\/messages$/, (req) => {
      const to = String((req.json as { to?: unknown }).to);
      received.push({ to, at: Date.now() });
      return { json: { messaging_product: "whatsapp", messages: [{ id: `wamid.once-${received.length}` }] }, delayMs: delayFor.get(to) ?? defaultDelayMs };
    });
    tenantId = (await insertTenant(t.db, { name: "Once" })).id;
    for (let i = 0; i < NUMBERS; i++) {
      const input = numberFormSchema.parse({ provider: "cloud", label: `Cloud ${i}`, phoneE164: `+1555078470${i}`, phoneNumberId: `13654035224292${i}`, wabaId: "102290129340398", accessToken: `EAAG-once-${i}`, appSecret: "s" });
      numberIds.push((await createNumber(t.db, { encryptionKey, appUrl: "http://x" }, { tenantId, input })).id);
    }
    await t.db.update(whatsappNumbers).set({ sendRatePerSecond: 80 }).where(eq(whatsappNumbers.tenantId, tenantId));
    // no subscriber, so no open window: the bound approved template goes out
    templateId = (await t.db.insert(templates).values({ tenantId, name: "hello", title: "Hello", content: "Hello", delayDays: 0, metaTemplate: { name: "hello", language: "en_US", parameters: [] } }).returning())[0]!.id;
  });
  afterAll(async () => {
    await graph.close();
    await t.cleanup();
  });

  /** `count` due rows to +1<prefix>NNNNNNN, spread over the first `over` numbers. */
  async function queue(count: number, prefix: number, over = NUMBERS) {
    const ids = numberIds.slice(0, over);
    await t.db.execute(sql`insert into ${outboundMessages} (tenant_id, number_id, phone, template_id, template_name, scheduled_at)
      select ${tenantId}::uuid, (${sql.raw(`array[${ids.map((id) => `'${id}'::uuid`).join(",")}]`)})[1 + g % ${over}], '+1' || (${prefix}::bigint * 10000000 + g)::text, ${templateId}::uuid, 'hello', now() - interval '1 second'
      from generate_series(1, ${count}) g`);
  }
  const sentTo = (prefix: number) => received.map((r) => r.to).filter((to) => to.startsWith(`+1${prefix}`));
  const rowsOf = (prefix: number) => t.db.select().from(outboundMessages).where(sql`${outboundMessages.phone} like ${`+1${prefix}%`}`);
  async function until(check: () => boolean, ms = 30_000) {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error("timed out waiting");
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it("runs side by side, each send slower than the lease: every message reaches the provider once", async () => {
    await queue(15, 421);
    defaultDelayMs = 2_500; // each answer takes 2.5 s; the leases last 1 s
    const started = Date.now();
    // the first run claims all 15 at once; the others start while its sends are out longer than a lease
    const runs = await Promise.all(
      [0, 1_200, 2_000].map(async (wait) => {
        await new Promise((r) => setTimeout(r, wait));
        return runDrip(t.db, deps(graph), { leaseMs: 1_000, budgetMs: 60_000 });
      }),
    );
    defaultDelayMs = 0;
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_500);
    const to = sentTo(421);
    expect(to).toHaveLength(15);
    expect(new Set(to).size).toBe(15);
    expect(runs.reduce((n, r) => n + r.sent, 0)).toBe(15);
    expect((await rowsOf(421)).map((r) => r.status)).toEqual(Array(15).fill("sent"));
  }, 120_000);

  it("a run whose rows were taken over does not send them; the new holder does, once", async () => {
    await t.db.update(whatsappNumbers).set({ sendRatePerSecond: 5 }).where(eq(whatsappNumbers.id, numberIds[0]!));
    await queue(20, 422, 1); // at 5/s: about 4 s of sending
    const running = runDrip(t.db, deps(graph), { leaseMs: 5_000, budgetMs: 60_000 });
    await until(() => sentTo(422).length >= 3);
    // another run, its clock past the first run's leases, takes every row the first has not begun to send
    const thief = "00000000-0000-4000-8000-00000000beef";
    const future = new Date(Date.now() + 10 * 60_000);
    const stolen = await claimDueOutbound(t.db, { now: future, limit: 100, leaseMs: 10 * 60_000, runId: thief });
    const first = await running;
    await t.db.update(whatsappNumbers).set({ sendRatePerSecond: 80 }).where(eq(whatsappNumbers.id, numberIds[0]!));

    expect(stolen.length).toBeGreaterThan(0);
    expect(first.lost).toBe(stolen.length);
    expect(first.sent).toBe(20 - stolen.length);
    const stolenPhones = new Set(stolen.map((r) => r.phone));
    expect(sentTo(422).filter((p) => stolenPhones.has(p))).toEqual([]);
    const held = (await rowsOf(422)).filter((r) => stolenPhones.has(r.phone));
    expect(held.map((r) => [r.status, r.leaseOwner])).toEqual(stolen.map(() => ["sending", thief]));

    // the thief died holding them: once its lease is over they are sent, each once
    const later = await runDrip(t.db, deps(graph), { now: () => new Date(future.getTime() + 11 * 60_000), budgetMs: 30_000 });
    expect(later.sent).toBe(stolen.length);
    expect(sentTo(422)).toHaveLength(20);
    expect(new Set(sentTo(422)).size).toBe(20);
  }, 120_000);

  it("a send that timed out may have been delivered: it fails as unconfirmed and is not sent again", async () => {
    await queue(3, 423, 1);
    const slow = "+14230000002";
    delayFor.set(slow, 5_000); // far past the 300 ms timeout below, however busy the machine
    const result = await runDrip(t.db, deps(graph, 300), { budgetMs: 30_000 });
    expect(result).toMatchObject({ sent: 2, failed: 1, retried: 0 });
    const row = (await rowsOf(423)).find((r) => r.phone === slow)!;
    expect(row).toMatchObject({ status: "failed", errorCode: "send_unconfirmed", nextAttemptAt: null, attempts: 1 });
    expect(row.errorMessage).toMatch(/did not answer within 0\.3 s: it may have reached the provider/);
    expect(await runDrip(t.db, deps(graph), { now: () => new Date(Date.now() + 3_600_000), budgetMs: 10_000 })).toMatchObject({ claimed: 0 });
    expect(sentTo(423).filter((p) => p === slow)).toHaveLength(1); // the provider got it, once
  }, 60_000);

  it("a row whose run died mid-request is settled as unconfirmed, not sent again, and a late answer still counts", async () => {
    await queue(2, 424, 1);
    const now = new Date();
    const dying = "00000000-0000-4000-8000-0000000dead1";
    const claimed = await claimDueOutbound(t.db, { now, limit: 10, leaseMs: 60_000, runId: dying });
    expect(claimed).toHaveLength(2);
    const [begun, idle] = claimed as [(typeof claimed)[number], (typeof claimed)[number]];
    await t.db.update(whatsappNumbers).set({ dripLeaseOwner: dying, dripLeaseUntil: new Date(now.getTime() + 60_000) }).where(eq(whatsappNumbers.id, begun.numberId!));
    expect(await beginOutboundSend(t.db, { id: begun.id, runId: dying, attempts: begun.attempts, numberId: begun.numberId, now, until: new Date(now.getTime() + 60_000) })).toBe(true);
    // the run died here: its request may or may not have reached the provider

    const after = await runDrip(t.db, deps(graph), { now: () => new Date(now.getTime() + 61_000), budgetMs: 10_000 });
    expect(after).toMatchObject({ sent: 1, failed: 1 }); // the idle row is sent; the begun one is settled, not sent
    expect(sentTo(424)).toEqual([idle.phone]);
    const settled = (await rowsOf(424)).find((r) => r.id === begun.id)!;
    expect(settled).toMatchObject({ status: "failed", errorCode: "send_unconfirmed", leaseOwner: dying });

    // the first run's answer, arriving after all, is the truth
    const answer = { status: "sent" as const, providerMessageId: "wamid.late", sentAt: now, errorCode: null, errorMessage: null };
    expect(await finishOutbound(t.db, { id: begun.id, runId: dying, attempts: begun.attempts, outcome: answer, now })).toBe(true);
    expect((await rowsOf(424)).find((r) => r.id === begun.id)).toMatchObject({ status: "sent", providerMessageId: "wamid.late", errorCode: null });
  }, 60_000);
});
