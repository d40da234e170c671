// Retention of the webhook log over day partitions (migration 0025): partitions exist ahead of time (and a row no
// day covers waits in the default partition until its day is made), whole days past every rule are dropped, a
// day with an unprocessed event stays, each workspace's own retention is honoured inside the days that stay, and
// the refused / unrouted / failed rules are the same as before. Lookups by id find events in any partition.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { insertTenant } from "@/db/queries";
import { rowsOf } from "@/db/migrations-info";
import postgres from "postgres";
import { addWebhookEventPartitions, dropWebhookEventPartition, listWebhookEventPartitions, utcDay } from "@/db/queries/webhook-event-partitions";
import { getTenantWebhookEvent } from "@/db/queries/webhook-event-list";
import { getWebhookEvent, insertWebhookEvent, type NewWebhookEvent } from "@/db/queries/webhook-events";
import { tenants } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { PARTITIONS_AHEAD_DAYS, pruneWebhookEvents } from "./retention";

const DAY = 24 * 60 * 60 * 1000;
const NOW = new Date();
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);
const dayName = (at: Date) => `webhook_events_p${utcDay(at).toISOString().slice(0, 10).replaceAll("-", "")}`;

describe.each(testDrivers)("webhook log retention (%s)", (kind) => {
  let t: TestDb;
  let a: string; // 30 days (the default)
  let b: string; // 7 days

  const event = async (values: Partial<NewWebhookEvent> & { receivedAt: Date }) =>
    (
      await insertWebhookEvent(t.db, {
        provider: "cloud",
        rawBody: '{"object":"whatsapp_business_account","entry":[]}',
        signatureResult: "valid",
        status: "processed",
        ...values,
      })
    ).id;
  const partitionOf = async (id: string) =>
    rowsOf<{ p: string }>(await t.db.execute(sql`select tableoid::regclass::text as p from webhook_events where id = ${id}`))[0]?.p ?? null;
  const exists = async (id: string) => (await partitionOf(id)) !== null;
  const partitions = async () => (await listWebhookEventPartitions(t.db)).map((p) => p.name);

  beforeAll(async () => {
    t = await createTestDb(kind);
    a = (await insertTenant(t.db, { name: "Thirty" })).id;
    b = (await insertTenant(t.db, { name: "Seven", webhookEventRetentionDays: 7 })).id;
  });
  afterAll(() => t?.cleanup());

  it("makes the partitions a week ahead, so an insert of the coming days lands in its own day", async () => {
    await pruneWebhookEvents(t.db, { now: NOW });
    const names = await partitions();
    for (let d = 0; d <= PARTITIONS_AHEAD_DAYS; d++) expect(names).toContain(dayName(ago(-d)));
    const id = await event({ tenantId: a, receivedAt: ago(-PARTITIONS_AHEAD_DAYS) });
    expect(await partitionOf(id)).toBe(dayName(ago(-PARTITIONS_AHEAD_DAYS)));
    expect(await pruneWebhookEvents(t.db, { now: NOW })).toMatchObject({ partitionsCreated: 0 }); // a second run makes none again
  });

  it("keeps a row no day covers in the default partition, and moves it out once its day is made", async () => {
    const far = ago(-400);
    const id = await event({ tenantId: a, receivedAt: far });
    expect(await partitionOf(id)).toBe("webhook_events_default");
    expect(await addWebhookEventPartitions(t.db, { from: far, days: 1 })).toBe(1);
    expect(await partitionOf(id)).toBe(dayName(far));
    expect((await getTenantWebhookEvent(t.db, { tenantId: a, id }))?.event.id).toBe(id);
  });

  it("drops whole days past 30 days, keeps the younger ones, and still finds a kept event by id", async () => {
    await addWebhookEventPartitions(t.db, { from: ago(45), days: 46 });
    const old = await event({ tenantId: a, receivedAt: ago(40) });
    const oldB = await event({ tenantId: b, receivedAt: ago(31) });
    const young = await event({ tenantId: a, receivedAt: ago(29) });
    const yesterday = await event({ tenantId: a, receivedAt: ago(1) });
    const stuck = await event({ tenantId: a, receivedAt: ago(44), status: "received" }); // never processed

    const result = await pruneWebhookEvents(t.db, { now: NOW });
    expect(result.partitionsDropped).toBeGreaterThanOrEqual(10);
    const names = await partitions();
    expect(names).not.toContain(dayName(ago(40)));
    expect(names).not.toContain(dayName(ago(31)));
    expect(names).toContain(dayName(ago(29)));
    expect(names).toContain(dayName(ago(44))); // its day holds an unprocessed event
    expect([await exists(old), await exists(oldB), await exists(young), await exists(yesterday), await exists(stuck)]).toEqual([
      false,
      false,
      true,
      true,
      true,
    ]);

    expect((await getTenantWebhookEvent(t.db, { tenantId: a, id: young }))?.event.receivedAt).toEqual(new Date(ago(29).toISOString()));
    expect((await getWebhookEvent(t.db, { tenantId: a, id: yesterday }))?.id).toBe(yesterday);
    expect(await getWebhookEvent(t.db, { tenantId: b, id: yesterday })).toBeNull(); // still only the tenant's own
  });

  it("deletes a workspace's processed events past its own shorter retention, and no one else's", async () => {
    const b10 = await event({ tenantId: b, receivedAt: ago(10) });
    const b5 = await event({ tenantId: b, receivedAt: ago(5) });
    const bFailed = await event({ tenantId: b, receivedAt: ago(10), status: "failed", error: "boom" }); // failed: its own 30 days
    const a10 = await event({ tenantId: a, receivedAt: ago(10) });
    const result = await pruneWebhookEvents(t.db, { now: NOW });
    expect(result.expired).toBe(1);
    expect([await exists(b10), await exists(b5), await exists(bFailed), await exists(a10)]).toEqual([false, true, true, true]);
  });

  it.skipIf(kind !== "postgres")("gives up on a drop that would wait behind a long read, and drops it on the next try", async () => {
    await addWebhookEventPartitions(t.db, { from: ago(70), days: 1 });
    const partition = (await listWebhookEventPartitions(t.db)).find((p) => p.name === dayName(ago(70)))!;
    const other = postgres(t.url!, { max: 1, onnotice: () => {} });
    try {
      const reader = other.begin(async (tx) => {
        await tx`select count(*) from webhook_events`; // holds its lock on every partition until the transaction ends
        await new Promise((r) => setTimeout(r, 1500));
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(await dropWebhookEventPartition(t.db, partition, { lockTimeoutMs: 200 })).toBe(false);
      expect(await partitions()).toContain(partition.name);
      await reader;
      expect(await dropWebhookEventPartition(t.db, partition, { lockTimeoutMs: 200 })).toBe(true);
      expect(await partitions()).not.toContain(partition.name);
    } finally {
      await other.end();
    }
  });

  it("keeps every day a workspace with a longer retention needs, and removes the others' expired rows within them", async () => {
    const c = (await insertTenant(t.db, { name: "Sixty", webhookEventRetentionDays: 60 })).id;
    await addWebhookEventPartitions(t.db, { from: ago(50), days: 20 });
    const c40 = await event({ tenantId: c, receivedAt: ago(40) });
    const a40 = await event({ tenantId: a, receivedAt: ago(40) });
    const rejected8 = await event({ receivedAt: ago(8), status: "rejected", signatureResult: "invalid" });
    const rejected6 = await event({ receivedAt: ago(6), status: "rejected", signatureResult: "invalid" });
    const unrouted31 = await event({ receivedAt: ago(31), status: "unrouted", signatureResult: "unverified" });
    const unrouted29 = await event({ receivedAt: ago(29), status: "unrouted", signatureResult: "unverified" });
    const failed31 = await event({ tenantId: a, receivedAt: ago(31), status: "failed", error: "boom" });
    const failed29 = await event({ tenantId: a, receivedAt: ago(29), status: "failed", error: "boom" });

    const result = await pruneWebhookEvents(t.db, { now: NOW });
    expect(await partitions()).toContain(dayName(ago(40)));
    expect([await exists(c40), await exists(a40)]).toEqual([true, false]);
    expect(result).toMatchObject({ rejected: 1, unrouted: 1, failed: 1 });
    expect([await exists(rejected8), await exists(rejected6)]).toEqual([false, true]);
    expect([await exists(unrouted31), await exists(unrouted29)]).toEqual([false, true]);
    expect([await exists(failed31), await exists(failed29)]).toEqual([false, true]);

    // back to 30 days everywhere: the day goes whole
    await t.db
      .update(tenants)
      .set({ webhookEventRetentionDays: 30 })
      .where(sql`${tenants.id} = ${c}`);
    await pruneWebhookEvents(t.db, { now: NOW });
    expect(await partitions()).not.toContain(dayName(ago(40)));
    expect(await exists(c40)).toBe(false);
  });
});
