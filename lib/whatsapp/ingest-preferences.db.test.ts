// Meta user_preferences through the whole ingestion path on both drivers: a marketing stop is recorded by
// Meta's time and cancels pending drip rows, a resume lifts it, order and replays change nothing.
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getSubscriberByUserId, getSubscriberByWaPhone, insertNumber, insertTenant } from "@/db/queries";
import { outboundMessages, subscribers } from "@/db/schema";
import { ingestCloudPayload } from "@/test/ingest-webhook";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { MARKETING_STOPPED } from "@/lib/subscribers/marketing-preference";
import { replayWebhookEvent } from "./ingest";

const now = new Date("2032-04-01T00:00:00.000Z");
const T0 = new Date("2032-03-10T08:00:00.000Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const unix = (d: Date) => String(Math.floor(d.getTime() / 1000));

type Pref = { waId?: string; userId?: string; category?: string; value: string; at: Date; detail?: string };

const metadata = (pnid: string) => ({ display_phone_number: "15557770100", phone_number_id: pnid });

/** One `user_preferences` change in Meta's shape (our own ids and texts). */
function preferenceChange(pnid: string, prefs: Pref[]) {
  return {
    field: "user_preferences",
    value: {
      messaging_product: "whatsapp",
      metadata: metadata(pnid),
      contacts: prefs.map((p) => ({ profile: { name: "Marta Quill" }, ...(p.waId ? { wa_id: p.waId } : {}), ...(p.userId ? { user_id: p.userId } : {}) })),
      user_preferences: prefs.map((p) => ({
        ...(p.waId ? { wa_id: p.waId } : {}),
        ...(p.userId ? { user_id: p.userId } : {}),
        detail: p.detail ?? "Customer changed their marketing preference",
        category: p.category ?? "marketing_messages",
        value: p.value,
        timestamp: unix(p.at),
      })),
    },
  };
}

function textChange(pnid: string, from: string, wamid: string, sent: Date) {
  return {
    field: "messages",
    value: {
      messaging_product: "whatsapp",
      metadata: metadata(pnid),
      contacts: [{ profile: { name: "Marta Quill" }, wa_id: from }],
      messages: [{ from, id: wamid, timestamp: unix(sent), type: "text", text: { body: "Do you have evening classes?" } }],
    },
  };
}

const body = (...changes: unknown[]) => ({ object: "whatsapp_business_account", entry: [{ id: "WABA-PREFS-1", changes }] });

describe.each(testDrivers)("marketing preferences from Meta (%s)", (kind) => {
  let t: TestDb;
  let seq = 0;
  beforeAll(async () => {
    t = await createTestDb(kind);
  });
  afterAll(() => t.cleanup());

  const next = () => (seq += 1);
  const phone = () => `4477009${String(next()).padStart(5, "0")}`;

  async function setup() {
    const tenant = await insertTenant(t.db, { name: `Preferences ${next()}` });
    const n = next();
    const number = await insertNumber(t.db, {
      tenantId: tenant.id,
      label: `Number ${n}`,
      phoneE164: `+1555${String(n).padStart(7, "0")}`,
      provider: "cloud",
      phoneNumberId: String(810000000000000 + n),
      wabaId: null,
      verifyToken: randomUUID(),
      active: true,
    });
    return { tenantId: tenant.id, numberId: number.id, pnid: number.phoneNumberId! };
  }

  async function ingest(payload: unknown) {
    const { event, summary } = await ingestCloudPayload(t.db, payload, now);
    return { event, outcome: summary.outcomes[0]! };
  }

  const byPhone = async (tenantId: string, waPhone: string) => (await getSubscriberByWaPhone(t.db, { tenantId, waPhone }))!;
  const queue = (tenantId: string) => t.db.select().from(outboundMessages).where(eq(outboundMessages.tenantId, tenantId));
  const drip = (tenantId: string, rows: { subscriberId?: string; phone: string; templateName: string; status?: "pending" | "sent" }[]) =>
    t.db
      .insert(outboundMessages)
      .values(rows.map((r) => ({ tenantId, scheduledAt: at(3600), status: r.status ?? ("pending" as const), ...r })))
      .returning();

  it("records a stop on the subscriber and cancels their pending drip rows with the reason", async () => {
    const { tenantId, pnid } = await setup();
    const from = phone();
    const other = phone();
    await ingest(body(textChange(pnid, from, `wamid.PREF.${next()}`, at(0)), textChange(pnid, other, `wamid.PREF.${next()}`, at(0))));
    const s = await byPhone(tenantId, `+${from}`);
    expect(s).toMatchObject({ marketingPreference: null, marketingPreferenceAt: null });
    const [byId, byPhoneOnly, sent, someoneElse] = await drip(tenantId, [
      { subscriberId: s.id, phone: `+${from}`, templateName: "day1" },
      { phone: `+${from}`, templateName: "day3" }, // queued by phone before the subscriber existed
      { subscriberId: s.id, phone: `+${from}`, templateName: "day0", status: "sent" },
      { phone: `+${other}`, templateName: "day1" },
    ]);

    const { outcome } = await ingest(body(preferenceChange(pnid, [{ waId: from, value: "stop", at: at(60) }])));
    expect(outcome.status).toBe("processed");
    expect(await byPhone(tenantId, `+${from}`)).toMatchObject({
      marketingPreference: "stop",
      marketingPreferenceAt: at(60),
      status: "active",
      inboundCount: 1,
      profileName: "Marta Quill",
    });
    const rows = new Map((await queue(tenantId)).map((r) => [r.id, r]));
    for (const cancelled of [byId!, byPhoneOnly!]) {
      expect(rows.get(cancelled.id)).toMatchObject({
        status: "cancelled",
        errorCode: MARKETING_STOPPED.code,
        errorMessage: "The customer stopped marketing messages in WhatsApp",
      });
    }
    expect(rows.get(sent!.id)!.status).toBe("sent");
    expect(rows.get(someoneElse!.id)!.status).toBe("pending");
  });

  it("creates an unknown customer by phone, or by user id when the phone is hidden", async () => {
    const { tenantId, numberId, pnid } = await setup();
    const from = phone();
    const userId = `GB.${next()}7781234567`;
    await ingest(
      body(
        preferenceChange(pnid, [
          { waId: from, value: "stop", at: at(10) },
          { userId, value: "stop", at: at(20) },
        ]),
      ),
    );
    expect(await byPhone(tenantId, `+${from}`)).toMatchObject({
      waId: from,
      userId: null,
      numberId,
      firstSeenAt: at(10),
      inboundCount: 0,
      status: "active",
      marketingPreference: "stop",
      marketingPreferenceAt: at(10),
      rawLastEventType: "user_preferences",
      country: "GB",
    });
    expect(await getSubscriberByUserId(t.db, { tenantId, userId })).toMatchObject({
      waPhone: null,
      numberId,
      firstSeenAt: at(20),
      marketingPreference: "stop",
      marketingPreferenceAt: at(20),
    });

    // the customer writes later: the same subscriber, the stop still holds
    await ingest(body(textChange(pnid, from, `wamid.PREF.${next()}`, at(90))));
    const all = await t.db
      .select()
      .from(subscribers)
      .where(and(eq(subscribers.tenantId, tenantId), eq(subscribers.waPhone, `+${from}`)));
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ inboundCount: 1, marketingPreference: "stop", marketingPreferenceAt: at(10) });
  });

  it("lifts the stop on resume without bringing cancelled rows back", async () => {
    const { tenantId, pnid } = await setup();
    const from = phone();
    const [before] = await drip(tenantId, [{ phone: `+${from}`, templateName: "day1" }]);
    const { event: stop } = await ingest(body(preferenceChange(pnid, [{ waId: from, value: "stop", at: at(100) }])));
    await ingest(body(preferenceChange(pnid, [{ waId: from, value: "resume", at: at(200) }])));
    expect(await byPhone(tenantId, `+${from}`)).toMatchObject({ marketingPreference: "resume", marketingPreferenceAt: at(200) });
    const [after] = await drip(tenantId, [{ phone: `+${from}`, templateName: "day7" }]);

    await replayWebhookEvent(t.db, { tenantId, id: stop.id, now }); // the old stop again: older than the resume
    expect(await byPhone(tenantId, `+${from}`)).toMatchObject({ marketingPreference: "resume", marketingPreferenceAt: at(200) });
    const rows = new Map((await queue(tenantId)).map((r) => [r.id, r.status]));
    expect([rows.get(before!.id), rows.get(after!.id)]).toEqual(["cancelled", "pending"]);
  });

  it("keeps the newest choice whatever the delivery order", async () => {
    const { tenantId, pnid } = await setup();
    const from = phone();
    await drip(tenantId, [{ phone: `+${from}`, templateName: "day1" }]);
    await ingest(body(preferenceChange(pnid, [{ waId: from, value: "resume", at: at(300) }])));
    await ingest(body(preferenceChange(pnid, [{ waId: from, value: "stop", at: at(250) }]))); // sent earlier, delivered late
    expect(await byPhone(tenantId, `+${from}`)).toMatchObject({ marketingPreference: "resume", marketingPreferenceAt: at(300) });
    expect((await queue(tenantId))[0]!.status).toBe("pending");

    // several in one delivery, out of order: the newest wins; at the same second a stop wins
    const again = phone();
    await ingest(
      body(
        preferenceChange(pnid, [
          { waId: again, value: "resume", at: at(420) },
          { waId: again, value: "stop", at: at(400) },
        ]),
      ),
    );
    expect(await byPhone(tenantId, `+${again}`)).toMatchObject({ marketingPreference: "resume", marketingPreferenceAt: at(420) });
    await ingest(
      body(
        preferenceChange(pnid, [
          { waId: again, value: "stop", at: at(500) },
          { waId: again, value: "resume", at: at(500) },
        ]),
      ),
    );
    await ingest(body(preferenceChange(pnid, [{ waId: again, value: "resume", at: at(500) }])));
    expect(await byPhone(tenantId, `+${again}`)).toMatchObject({ marketingPreference: "stop", marketingPreferenceAt: at(500) });
    const third = phone();
    await ingest(body(preferenceChange(pnid, [{ waId: third, value: "resume", at: at(900) }])));
    await ingest(body(preferenceChange(pnid, [{ waId: third, value: "stop", at: at(900) }])));
    expect(await byPhone(tenantId, `+${third}`)).toMatchObject({ marketingPreference: "stop", marketingPreferenceAt: at(900) });
  });

  it("changes nothing on a replayed delivery", async () => {
    const { tenantId, pnid } = await setup();
    const from = phone();
    const { event } = await ingest(body(preferenceChange(pnid, [{ waId: from, value: "stop", at: at(600) }])));
    const first = await byPhone(tenantId, `+${from}`);
    const [queuedLater] = await drip(tenantId, [{ subscriberId: first.id, phone: `+${from}`, templateName: "day1" }]);
    expect(await replayWebhookEvent(t.db, { tenantId, id: event.id, now: new Date(now.getTime() + 60_000) })).toMatchObject({ status: "processed" });
    const replayed = await byPhone(tenantId, `+${from}`);
    expect(replayed).toEqual(first);
    expect((await queue(tenantId)).find((r) => r.id === queuedLater!.id)!.status).toBe("pending"); // left to the drip run's own check
  });

  it("ignores other categories and values without creating anyone", async () => {
    const { tenantId, pnid } = await setup();
    const from = phone();
    const { outcome } = await ingest(
      body(
        preferenceChange(pnid, [
          { waId: from, category: "utility_messages", value: "stop", at: at(700) },
          { waId: from, value: "pause", at: at(700) },
        ]),
      ),
    );
    expect(outcome.status).toBe("processed");
    expect(await getSubscriberByWaPhone(t.db, { tenantId, waPhone: `+${from}` })).toBeNull();
  });

  it("applies a message and a stop delivered in one body", async () => {
    const { tenantId, pnid } = await setup();
    const from = phone();
    const wamid = `wamid.PREF.${next()}`;
    await ingest(body(textChange(pnid, from, wamid, at(800)), preferenceChange(pnid, [{ waId: from, value: "stop", at: at(805) }])));
    expect(await byPhone(tenantId, `+${from}`)).toMatchObject({
      inboundCount: 1,
      lastInboundAt: at(800),
      profileName: "Marta Quill",
      marketingPreference: "stop",
      marketingPreferenceAt: at(805),
    });
  });
});
