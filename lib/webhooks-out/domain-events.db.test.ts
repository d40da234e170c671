// Each domain place emits its outgoing-webhook event exactly once, even when the fact is replayed: an inbound webhook
// delivered twice (subscriber.created, conversation.started with the ad's click id, message.received, opted_out from
// the STOP keyword), a lead created twice with the same externalRef, a call's Yes answered twice, a stop twice.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertNumber, insertTenant } from "@/db/queries";
import { finishOutbounds } from "@/db/queries/drip";
import { recordReplyFailed } from "@/db/queries/replies";
import { conversions, jobs, messages, outboundMessages, outgoingEvents, subscribers, webhookDeliveries, webhookEndpoints } from "@/db/schema";
import { ingestCloudPayload } from "@/test/ingest-webhook";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { CAPI_FORWARD_JOB } from "@/lib/conversions/deliver-policy";
import { conversionOutcomeEvent, recordConversionAttempt } from "@/lib/conversions/record-writer";
import { encryptSecret } from "@/lib/crypto";
import { recordCall, stopCampaign } from "@/lib/leads/call";
import { createLead } from "@/lib/leads/create";
import { parseCreateLead } from "@/lib/leads/schemas";

const key = Buffer.alloc(32, 3).toString("base64");
const T0 = new Date(Date.now() - 3_600_000);
const unix = (d: Date) => String(Math.floor(d.getTime() / 1000));

describe.each(testDrivers)("outgoing webhooks: domain events (%s)", (kind) => {
  let t: TestDb;
  let n = 0;
  beforeAll(async () => {
    t = await createTestDb(kind);
  });
  afterAll(() => t.cleanup());

  async function setup(eventTypes = ["*"]) {
    n += 1;
    const tenantId = (await insertTenant(t.db, { name: `Domain events ${n}` })).id;
    const number = await insertNumber(t.db, {
      tenantId,
      label: `Number ${n}`,
      phoneE164: `+1555${String(7000 + n).padStart(7, "0")}`,
      provider: "cloud",
      phoneNumberId: String(820000000000000 + n),
      wabaId: null,
      verifyToken: randomUUID(),
      active: true,
    });
    const [ep] = await t.db
      .insert(webhookEndpoints)
      .values({ tenantId, url: "https://hooks.example.com/in", eventTypes, secretEnc: encryptSecret("whsec_x", key) })
      .returning();
    return { tenantId, pnid: number.phoneNumberId!, numberId: number.id, endpointId: ep!.id };
  }

  const ingest = (payload: unknown) => ingestCloudPayload(t.db, payload);
  const events = async (tenantId: string) =>
    (await t.db.select().from(outgoingEvents).where(eq(outgoingEvents.tenantId, tenantId))).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());

  const message = (pnid: string, from: string, wamid: string, text: string, at: Date, referral?: Record<string, unknown>) => ({
    object: "whatsapp_business_account",
    entry: [
      {
        id: "WABA-EVENTS",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15557770100", phone_number_id: pnid },
              contacts: [{ profile: { name: "Lucía Ferro" }, wa_id: from }],
              messages: [{ from, id: wamid, timestamp: unix(at), type: "text", text: { body: text }, ...(referral ? { referral } : {}) }],
            },
          },
        ],
      },
    ],
  });

  it("an inbound message from an ad, delivered twice, emits subscriber.created, conversation.started and message.received once; STOP emits opted_out", async () => {
    const { tenantId, pnid, endpointId } = await setup();
    const from = `5491155${String(n).padStart(6, "0")}`;
    const referral = {
      source_url: "https://fb.me/ad1?utm_source=fb",
      source_id: "120210000000001",
      source_type: "ad",
      headline: "Clases",
      body: "Escribinos",
      ctwa_clid: "ARAkLclickid",
    };
    const first = message(pnid, from, `wamid.EV.${n}.1`, "Hola, precio?", T0, referral);
    await ingest(first);
    await ingest(first); // the same webhook again
    let evs = await events(tenantId);
    expect(evs.map((e) => e.type)).toEqual(["subscriber.created", "conversation.started", "message.received"]);
    const [created, started, received] = evs;
    const subscriberId = created!.subscriberId!;
    expect(created!.data).toMatchObject({ subscriber: { id: subscriberId, phone: `+${from}`, name: "Lucía Ferro" } });
    expect(started!.data).toMatchObject({ clickId: "ARAkLclickid", adId: "120210000000001", referral: { sourceType: "ad", ctwaClid: "ARAkLclickid" } });
    expect(received!.data).toMatchObject({ text: "Hola, precio?", type: "text", wamid: `wamid.EV.${n}.1`, subscriber: { id: subscriberId } });
    const stop = message(pnid, from, `wamid.EV.${n}.2`, "STOP", new Date(T0.getTime() + 60_000));
    await ingest(stop);
    await ingest(stop);
    evs = await events(tenantId);
    expect(evs.map((e) => e.type)).toEqual(["subscriber.created", "conversation.started", "message.received", "message.received", "subscriber.opted_out"]);
    expect(evs.every((e) => e.subscriberId === subscriberId)).toBe(true);
    const deliveries = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId));
    expect(deliveries).toHaveLength(5);
    expect(new Set(deliveries.map((d) => d.orderKey))).toEqual(new Set([subscriberId]));
    // seq follows the order the facts happened in
    const byEvent = new Map(deliveries.map((d) => [d.eventId, d.seq]));
    const seqs = evs.map((e) => byEvent.get(e.id)!);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
  });

  it("a marketing stop and resume from Meta's user_preferences emit subscriber.opted_out and opted_in once each (replays and repeats emit nothing)", async () => {
    const { tenantId, pnid, numberId } = await setup();
    const waId = `5491144${String(n).padStart(6, "0")}`;
    const preference = (value: "stop" | "resume", at: Date) => ({
      object: "whatsapp_business_account",
      entry: [
        {
          id: "WABA-EVENTS",
          changes: [
            {
              field: "user_preferences",
              value: {
                messaging_product: "whatsapp",
                metadata: { display_phone_number: "15557770100", phone_number_id: pnid },
                contacts: [{ profile: { name: "Marta Quill" }, wa_id: waId }],
                user_preferences: [
                  { wa_id: waId, detail: "User requested to stop marketing messages", category: "marketing_messages", value, timestamp: unix(at) },
                ],
              },
            },
          ],
        },
      ],
    });
    const whole = (ms: number) => new Date(Math.floor((T0.getTime() + ms) / 1000) * 1000); // Meta's timestamps are in seconds
    const stopAt = whole(120_000);
    const resumeAt = whole(240_000);
    await ingest(preference("resume", T0)); // a first resume changes no consent
    await ingest(preference("stop", stopAt));
    await ingest(preference("stop", stopAt)); // the same webhook again
    await ingest(preference("stop", whole(180_000))); // a later stop while stopped: no change of consent
    await ingest(preference("resume", resumeAt));
    await ingest(preference("resume", resumeAt));
    const evs = await events(tenantId);
    expect(evs.map((e) => e.type)).toEqual(["subscriber.opted_out", "subscriber.opted_in"]);
    const [out, back] = evs;
    const [sub] = await t.db.select().from(subscribers).where(eq(subscribers.tenantId, tenantId));
    expect(out!.subscriberId).toBe(sub!.id);
    expect(back!.subscriberId).toBe(sub!.id);
    expect(out!.data).toMatchObject({
      subscriber: { id: sub!.id, phone: `+${waId}` },
      source: "marketing_preference",
      preference: "stop",
      numberId,
      at: stopAt.toISOString(),
    });
    expect(back!.data).toMatchObject({ source: "marketing_preference", preference: "resume", at: resumeAt.toISOString() });
  });

  it("writes nothing for inbound messages when the tenant's endpoints do not subscribe to them", async () => {
    const { tenantId, pnid } = await setup(["lead.created"]);
    await ingest(message(pnid, `5491166${String(n).padStart(6, "0")}`, `wamid.EV.${n}.9`, "Hola", T0));
    expect(await events(tenantId)).toHaveLength(0);
  });

  it("a lead emits lead.created once (same externalRef twice), lead.enrolled once (Yes twice), lead.stopped once (stop twice)", async () => {
    const { tenantId, numberId } = await setup();
    const body = { name: "Ana Ruiz", phone: "+5491170000001", externalRef: `form-${n}`, numberId };
    const a = await createLead(t.db, { tenantId, input: parseCreateLead(body), now: new Date() });
    const b = await createLead(t.db, { tenantId, input: parseCreateLead(body), now: new Date() });
    expect(b.duplicate).toBe(true);
    const leadId = a.lead.id;
    await recordCall(t.db, { tenantId, leadId, callStatus: "called", isTarget: true, now: new Date() });
    await recordCall(t.db, { tenantId, leadId, callStatus: "called", isTarget: true, now: new Date() });
    await stopCampaign(t.db, { tenantId, leadId, now: new Date() });
    await stopCampaign(t.db, { tenantId, leadId, now: new Date() });
    const evs = await events(tenantId);
    expect(evs.map((e) => e.type)).toEqual(["lead.created", "lead.enrolled", "lead.stopped"]);
    expect(evs[0]!.data).toMatchObject({ lead: { id: leadId, name: "Ana Ruiz", phone: "+5491170000001", externalRef: `form-${n}` } });
    expect(evs[2]!.data).toMatchObject({ reason: "stopped_by_user", lead: { id: leadId } });
  });

  it("a failed inbox reply emits outbound.failed once with the code and message", async () => {
    const { tenantId, numberId } = await setup(["outbound.failed"]);
    const [sub] = await t.db
      .insert(subscribers)
      .values({ tenantId, waPhone: `+5491188${String(n).padStart(6, "0")}`, firstSeenAt: new Date() })
      .returning();
    const [m] = await t.db
      .insert(messages)
      .values({
        tenantId,
        subscriberId: sub!.id,
        numberId,
        direction: "outbound",
        type: "text",
        status: "pending",
        providerTimestamp: new Date(),
        textPreview: "Hola!",
      })
      .returning();
    const failed = { tenantId, id: m!.id, code: "131026", message: "Message undeliverable", now: new Date() };
    expect(await recordReplyFailed(t.db, failed)).toBe(true);
    expect(await recordReplyFailed(t.db, failed)).toBe(false); // recorded already: nothing more
    const evs = await events(tenantId);
    expect(evs.map((e) => e.type)).toEqual(["outbound.failed"]);
    expect(evs[0]!.subscriberId).toBe(sub!.id);
    expect(evs[0]!.data).toMatchObject({ kind: "reply", messageId: m!.id, code: "131026", message: "Message undeliverable" });
  });

  it("a conversion's final outcome becomes conversion.sent or conversion.rejected with Meta's answer", () => {
    const base = {
      tenantId: randomUUID(),
      id: randomUUID(),
      subscriberId: randomUUID(),
      job: { attempts: 1, status: "done" as const, lastError: null, now: new Date() },
    };
    const request = { data: [{ event_name: "Purchase", event_id: "ord-1", custom_data: { value: 120, currency: "USD" }, user_data: { ctwa_clid: "ARAk" } }] };
    expect(conversionOutcomeEvent({ ...base, patch: { status: "queued" } })).toBeNull();
    const sent = conversionOutcomeEvent({ ...base, patch: { status: "sent", requestPayload: request, response: { events_received: 1 }, eventsReceived: 1 } });
    expect(sent).toMatchObject({
      type: "conversion.sent",
      sourceKey: base.id,
      subscriberId: base.subscriberId,
      data: { eventName: "Purchase", value: 120, currency: "USD", clickId: "ARAk", metaResponse: { events_received: 1 } },
    });
    const refused = conversionOutcomeEvent({
      ...base,
      patch: { status: "rejected", requestPayload: request, response: { error: { code: 100 } }, lastError: "Invalid parameter" },
    });
    expect(refused).toMatchObject({
      type: "conversion.rejected",
      data: { status: "rejected", error: "Invalid parameter", metaResponse: { error: { code: 100 } } },
    });
  });

  it("a subscriber's conversion.sent and conversion.rejected share the subscriber's order key, in ascending seq", async () => {
    const { tenantId, endpointId } = await setup(["conversion.sent", "conversion.rejected"]);
    const [sub] = await t.db
      .insert(subscribers)
      .values({ tenantId, waPhone: `+5491177${String(n).padStart(6, "0")}`, firstSeenAt: new Date() })
      .returning();
    const queued = async () => {
      const id = randomUUID();
      await t.db
        .insert(conversions)
        .values({ id, tenantId, subscriberId: sub!.id, eventId: `e-${id}`, eventName: "Purchase", eventTime: T0, requestHash: "h" });
      await t.db
        .insert(jobs)
        .values({ tenantId, kind: CAPI_FORWARD_JOB, dedupeKey: id, status: "running", attempts: 1, runAt: T0, leaseExpiresAt: new Date(Date.now() + 60_000) });
      return id;
    };
    const first = await queued();
    const second = await queued();
    const at = new Date();
    const job = (status: "done" | "failed") => ({ attempts: 1, status, lastError: null, now: at });
    await recordConversionAttempt(t.db, {
      tenantId,
      id: first,
      subscriberId: sub!.id,
      patch: { status: "sent", attempts: 1, lastAttemptAt: at },
      job: job("done"),
    });
    await recordConversionAttempt(t.db, {
      tenantId,
      id: second,
      subscriberId: sub!.id,
      patch: { status: "rejected", attempts: 1, lastAttemptAt: at, lastError: "Invalid parameter" },
      job: job("failed"),
    });
    const evs = await events(tenantId);
    expect(evs.map((e) => [e.type, e.sourceKey, e.subscriberId])).toEqual([
      ["conversion.sent", first, sub!.id],
      ["conversion.rejected", second, sub!.id],
    ]);
    const deliveries = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId));
    const byEvent = new Map(deliveries.map((d) => [d.eventId, d]));
    expect(evs.map((e) => byEvent.get(e.id)!.orderKey)).toEqual([sub!.id, sub!.id]);
    expect(byEvent.get(evs[0]!.id)!.seq).toBeLessThan(byEvent.get(evs[1]!.id)!.seq);
  });

  it("a drip row that fails emits outbound.failed once (its finish recorded twice)", async () => {
    const { tenantId, numberId } = await setup(["outbound.failed"]);
    const runId = randomUUID();
    const [row] = await t.db
      .insert(outboundMessages)
      .values({ tenantId, numberId, phone: "+5491199000001", templateName: "day1", scheduledAt: new Date(), status: "sending", leaseOwner: runId, attempts: 1 })
      .returning();
    const finish = {
      id: row!.id,
      runId,
      attempts: 1,
      now: new Date(),
      outcome: { status: "failed" as const, errorCode: "131049", errorMessage: "Meta chose not to deliver" },
    };
    expect(await finishOutbounds(t.db, [finish])).toEqual([true]);
    await finishOutbounds(t.db, [finish]);
    const evs = await events(tenantId);
    expect(evs.map((e) => e.type)).toEqual(["outbound.failed"]);
    expect(evs[0]!.data).toMatchObject({ kind: "drip", outboundId: row!.id, code: "131049", message: "Meta chose not to deliver", templateName: "day1" });
  });
});
