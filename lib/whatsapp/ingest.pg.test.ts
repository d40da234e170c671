// Races PGlite cannot show (it serialises everything on one connection): parallel processing on real Postgres.
import { randomUUID } from "node:crypto";
import { and, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getSubscriberByWaPhone, insertNumber, insertTenant } from "@/db/queries";
import { conversations, messages, subscribers, webhookEvents } from "@/db/schema";
import { createTestDb, type TestDb } from "@/db/testing";
import { drainWebhookEvents, processWebhookEvents } from "./ingest";
import { storeWebhookEvent } from "./store";

const now = new Date("2031-01-01T00:00:00.000Z");
const T0 = Date.parse("2030-03-01T10:00:00.000Z");

function body(pnid: string, from: string, wamid: string, seconds: number): string {
  return JSON.stringify({
    object: "whatsapp_business_account",
    entry: [
      {
        id: "WABA",
        changes: [
          {
            field: "messages",
            value: {
              metadata: { display_phone_number: "15550000000", phone_number_id: pnid },
              contacts: [{ profile: { name: "Racer" }, wa_id: from }],
              messages: [{ from, id: wamid, timestamp: String(T0 / 1000 + seconds), type: "text", text: { body: "hi" } }],
            },
          },
        ],
      },
    ],
  });
}

describe.skipIf(!process.env.TEST_DATABASE_URL)("concurrent webhook processing (postgres)", () => {
  let t: TestDb;
  let tenantId: string;
  let pnid: string;
  let seq = 0;
  const from = () => `1650777${String((seq += 1)).padStart(4, "0")}`;
  const store = (rawBody: string) => storeWebhookEvent(t.db, { provider: "cloud", rawBody, signatureResult: "valid", routedPhoneNumberIds: [pnid] });
  const count = async (table: typeof messages | typeof conversations | typeof subscribers, where: ReturnType<typeof eq>) =>
    (
      await t.db
        .select({ n: sql<number>`count(*)::int` })
        .from(table)
        .where(where)
    )[0]!.n;

  beforeAll(async () => {
    t = await createTestDb("postgres");
    tenantId = (await insertTenant(t.db, { name: "Races" })).id;
    pnid = "990000000000001";
    await insertNumber(t.db, { tenantId, label: "Race", phoneE164: "+15550000001", provider: "cloud", phoneNumberId: pnid, verifyToken: randomUUID() });
  });
  afterAll(() => t.cleanup());

  it("stores one message and counts it once when deliveries of it race", async () => {
    for (let round = 0; round < 8; round++) {
      const sender = from();
      const wamid = `wamid.RACE.${randomUUID()}`;
      const events = await Promise.all(Array.from({ length: 6 }, () => store(body(pnid, sender, wamid, round))));
      const results = await Promise.all(events.map((e) => processWebhookEvents(t.db, { ids: [e.id], now })));
      expect(results.map((r) => r.outcomes[0]!.status)).toEqual(Array(6).fill("processed"));
      expect(results.reduce((n, r) => n + r.messagesInserted, 0)).toBe(1);
      expect(await count(messages, and(eq(messages.tenantId, tenantId), eq(messages.wamid, wamid))!)).toBe(1);
      const s = (await getSubscriberByWaPhone(t.db, { tenantId, waPhone: `+${sender}` }))!;
      expect(s.inboundCount).toBe(1);
      expect(await count(conversations, eq(conversations.subscriberId, s.id))).toBe(1);
    }
  });

  it("creates one subscriber when the first messages of a new sender race", async () => {
    const sender = from();
    const events = await Promise.all(Array.from({ length: 8 }, (_, i) => store(body(pnid, sender, `wamid.FIRST.${randomUUID()}`, i))));
    await Promise.all(events.map((e) => processWebhookEvents(t.db, { ids: [e.id], now })));
    expect(await count(subscribers, and(eq(subscribers.tenantId, tenantId), eq(subscribers.waPhone, `+${sender}`))!)).toBe(1);
    const s = (await getSubscriberByWaPhone(t.db, { tenantId, waPhone: `+${sender}` }))!;
    expect(s).toMatchObject({ inboundCount: 8, firstSeenAt: new Date(T0), lastInboundAt: new Date(T0 + 7000) });
    expect(await count(messages, eq(messages.subscriberId, s.id))).toBe(8);
    expect(await count(conversations, eq(conversations.subscriberId, s.id))).toBe(1); // all inside one open window
  });

  it("lets parallel drainers share the backlog without processing an event twice", async () => {
    await drainWebhookEvents(t.db, { now, limit: 1000 });
    const senders = Array.from({ length: 40 }, () => from());
    const stored = [];
    for (const s of senders) {
      // every sender twice (a retried delivery), so drainers also race on the same messages
      const b = body(pnid, s, `wamid.DRAIN.${s}`, 0);
      stored.push(await store(b), await store(b));
    }
    const runs = await Promise.all(Array.from({ length: 4 }, () => drainWebhookEvents(t.db, { now, limit: 15 })));
    const rest = await drainWebhookEvents(t.db, { now, limit: 1000 });
    const processed = [...runs, rest].reduce((n, r) => n + r.processed, 0);
    expect(processed).toBe(80);
    const rows = await t.db
      .select({ attempts: webhookEvents.attempts, status: webhookEvents.status })
      .from(webhookEvents)
      .where(
        inArray(
          webhookEvents.id,
          stored.map((e) => e.id),
        ),
      );
    expect(rows.every((r) => r.status === "processed" && r.attempts === 1)).toBe(true);
    const counts = await t.db
      .select({ n: sql<number>`count(*)::int`, total: sql<number>`sum(${subscribers.inboundCount})::int` })
      .from(subscribers)
      .where(
        and(
          eq(subscribers.tenantId, tenantId),
          inArray(
            subscribers.waPhone,
            senders.map((s) => `+${s}`),
          ),
        ),
      );
    expect(counts[0]).toEqual({ n: 40, total: 40 });
  });
});
