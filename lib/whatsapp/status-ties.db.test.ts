// Statuses that share one provider second (Meta's timestamps are whole seconds): the higher status wins on the
// message, the subscriber and the drip row, in every arrival order, in one webhook or in several.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getMessageByWamid, getSubscriberByWaPhone, insertNumber, insertTenant } from "@/db/queries";
import { messages, outboundMessages } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { processWebhookEvents } from "./ingest";
import { webhookEnvelope } from "./payloads";
import { storeWebhookEvent } from "./store";

const now = new Date("2031-01-01T00:00:00.000Z");
const T0 = new Date("2030-03-01T10:00:00.000Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const unix = (d: Date) => String(Math.floor(d.getTime() / 1000));

type Status = "sent" | "delivered" | "read" | "failed";
const FAILURE = [
  {
    code: 131026,
    title: "Message undeliverable",
    message: "Message undeliverable",
    error_data: { details: "Receiver is incapable of receiving this message" },
  },
];

/** Every ordering of a list (3 statuses: 6 orders). */
function orders<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => orders([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe.each(testDrivers)("statuses of the same second (%s)", (kind) => {
  let t: TestDb;
  let seq = 0;
  beforeAll(async () => {
    t = await createTestDb(kind);
  });
  afterAll(() => t.cleanup());

  /** A Cloud number, a subscriber who wrote at T0, and one of our messages to them that is also a drip row. */
  async function outbound() {
    const n = (seq += 1);
    const tenant = await insertTenant(t.db, { name: `Ties ${n}` });
    const pnid = String(800000000000000 + n);
    const number = await insertNumber(t.db, {
      tenantId: tenant.id,
      label: "Ties",
      phoneE164: `+1555${String(n).padStart(7, "0")}`,
      provider: "cloud",
      phoneNumberId: pnid,
      verifyToken: randomUUID(),
    });
    const from = `1650555${String(n).padStart(4, "0")}`;
    await ingest(pnid, {
      contacts: [{ profile: { name: "Ana" }, wa_id: from }],
      messages: [{ from, id: `wamid.IN.${randomUUID()}`, timestamp: unix(at(0)), type: "text", text: { body: "hi" } }],
    });
    const subscriber = (await getSubscriberByWaPhone(t.db, { tenantId: tenant.id, waPhone: `+${from}` }))!;
    const wamid = `wamid.OUT.${randomUUID()}`;
    await t.db.insert(messages).values({
      tenantId: tenant.id,
      subscriberId: subscriber.id,
      numberId: number.id,
      direction: "outbound",
      wamid,
      type: "text",
      status: "accepted",
      providerTimestamp: at(5),
    });
    const [drip] = await t.db
      .insert(outboundMessages)
      .values({
        tenantId: tenant.id,
        subscriberId: subscriber.id,
        numberId: number.id,
        phone: `+${from}`,
        templateName: "day_1",
        scheduledAt: at(0),
        status: "sent",
        sentAt: at(5),
        providerMessageId: wamid,
      })
      .returning();
    return { tenantId: tenant.id, pnid, from, wamid, dripId: drip!.id };
  }

  async function ingest(pnid: string, value: Record<string, unknown>) {
    const body = webhookEnvelope({ phoneNumberId: pnid, displayPhoneNumber: "15550000000", wabaId: "WABA-TIES" }, value);
    const event = await storeWebhookEvent(t.db, {
      provider: "cloud",
      rawBody: JSON.stringify(body),
      signatureResult: "valid",
      routedPhoneNumberIds: [pnid],
      receivedAt: at(-60),
    });
    const summary = await processWebhookEvents(t.db, { ids: [event.id], now });
    expect(summary.failed).toBe(0);
  }

  const statusItem = (f: { wamid: string; from: string }, status: Status, when: Date) => ({
    id: f.wamid,
    status,
    timestamp: unix(when),
    recipient_id: f.from,
    ...(status === "failed" ? { errors: FAILURE } : {}),
  });

  async function deliver(f: Awaited<ReturnType<typeof outbound>>, statuses: Status[], how: "one webhook" | "separate webhooks", when = at(10)) {
    if (how === "one webhook") await ingest(f.pnid, { statuses: statuses.map((s) => statusItem(f, s, when)) });
    else for (const s of statuses) await ingest(f.pnid, { statuses: [statusItem(f, s, when)] });
  }

  async function state(f: Awaited<ReturnType<typeof outbound>>) {
    const message = (await getMessageByWamid(t.db, { tenantId: f.tenantId, wamid: f.wamid }))!;
    const subscriber = (await getSubscriberByWaPhone(t.db, { tenantId: f.tenantId, waPhone: `+${f.from}` }))!;
    const [drip] = await t.db.select().from(outboundMessages).where(eq(outboundMessages.id, f.dripId));
    return { message, subscriber, drip: drip! };
  }

  for (const how of ["one webhook", "separate webhooks"] as const) {
    it.each(orders<Status>(["sent", "delivered", "read"]).map((o) => [o.join(" → "), o] as const))(
      `sent, delivered and read of one second end read: %s, ${how}`,
      async (_, order) => {
        const f = await outbound();
        await deliver(f, [...order], how);
        const { message, subscriber, drip } = await state(f);
        expect(message).toMatchObject({ status: "read", sentAt: at(10), deliveredAt: at(10), readAt: at(10) });
        expect(subscriber).toMatchObject({
          lastMessageStatus: "read",
          lastMessageStatusAt: at(10),
          lastDeliveredAt: at(10),
          lastReadAt: at(10),
          rawLastEventType: "message-event",
        });
        expect(drip).toMatchObject({ status: "sent", deliveredAt: at(10), readAt: at(10), errorCode: null });
      },
    );

    it.each([
      ["failed → delivered", ["failed", "delivered"]],
      ["delivered → failed", ["delivered", "failed"]],
    ] as const)(`delivery of the same second outranks a failure: %s, ${how}`, async (_, order) => {
      const f = await outbound();
      await deliver(f, [...order], how);
      const { message, subscriber, drip } = await state(f);
      // the failure stays on record; the status says what happened last in rank
      expect(message).toMatchObject({ status: "delivered", deliveredAt: at(10), failedAt: at(10), errorCode: "131026" });
      expect(subscriber).toMatchObject({ lastMessageStatus: "delivered", lastDeliveredAt: at(10), lastFailedAt: at(10), lastFailedCode: "131026" });
      expect(drip).toMatchObject({ status: "sent", deliveredAt: at(10), errorCode: null, errorMessage: null });
    });

    it.each([
      ["sent → failed", ["sent", "failed"]],
      ["failed → sent", ["failed", "sent"]],
    ] as const)(`a failure of the same second outranks sent: %s, ${how}`, async (_, order) => {
      const f = await outbound();
      await deliver(f, [...order], how);
      const { message, subscriber, drip } = await state(f);
      expect(message).toMatchObject({ status: "failed", failedAt: at(10), errorCode: "131026" });
      expect(subscriber).toMatchObject({
        lastMessageStatus: "failed",
        lastMessageStatusAt: at(10),
        lastFailedCode: "131026",
        lastFailedReason: "Message undeliverable",
      });
      expect(drip).toMatchObject({ status: "failed", errorCode: "131026", errorMessage: "Message undeliverable" });
    });
  }

  it("still goes by time first: an older read never replaces a newer sent on the subscriber", async () => {
    const f = await outbound();
    await deliver(f, ["sent"], "separate webhooks", at(20));
    await deliver(f, ["read"], "separate webhooks", at(19));
    const { message, subscriber } = await state(f);
    expect(message.status).toBe("read"); // the message's own status only moves up
    expect(subscriber).toMatchObject({ lastMessageStatus: "sent", lastMessageStatusAt: at(20), lastReadAt: at(19) });
  });

  it("changes nothing when the same statuses arrive again", async () => {
    const f = await outbound();
    await deliver(f, ["read", "sent", "delivered"], "separate webhooks");
    const before = await state(f);
    await deliver(f, ["delivered", "sent", "read"], "one webhook");
    const after = await state(f);
    expect(after.subscriber.updatedAt).toEqual(before.subscriber.updatedAt);
    expect(after.message.updatedAt).toEqual(before.message.updatedAt);
    expect(after.drip.updatedAt).toEqual(before.drip.updatedAt);
  });
});
