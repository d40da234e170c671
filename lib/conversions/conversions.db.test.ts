// Conversions end to end on both drivers: resolution to the ad click, exactly-once storage, the exact
// JSON Meta receives (a real HTTP fake on loopback), retries, rejection, retry by hand, automatic leads.
import { and, desc, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { getJobByKey, getSubscriberByWaPhone, insertTenant } from "@/db/queries";
import { conversations, conversions, jobs, whatsappNumbers } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { type FakeGraph, graphError, startFakeGraph } from "@/e2e/fakes/fake-graph";
import { sha256Hex } from "@/lib/crypto";
import { AppError } from "@/lib/errors";
import { drainJobs } from "@/lib/jobs/queue";
import { createNumber, updateNumber } from "@/lib/numbers/numbers";
import { numberFormSchema } from "@/lib/numbers/schemas";
import { processWebhookEvents } from "@/lib/whatsapp/ingest";
import { type PayloadNumber, fakeWamid, inboundMessage } from "@/lib/whatsapp/payloads";
import { storeWebhookEvent } from "@/lib/whatsapp/store";
import { automaticLeadEventId } from "./automatic";
import { ATTRIBUTION_WINDOW_PASSED, createConversion } from "./create";
import { type ConversionDeliveryDeps, conversionJobHandlers, deliverClaimedConversion, deliverConversionNow } from "./deliver";
import { CAPI_FORWARD_JOB } from "./deliver-policy";
import { getConversion, listConversions, retryConversion } from "./read";
import { parseConversionRequest } from "./schema";

const encryptionKey = Buffer.alloc(32, 9).toString("base64");
const keys = { encryptionKey, appUrl: "http://localhost:3000" };
const now = new Date("2031-03-01T12:00:00.000Z");
const minutes = (m: number) => new Date(now.getTime() + m * 60_000);
const unix = (d: Date) => Math.floor(d.getTime() / 1000);
const WABA = "102290129340398";
const TOKEN = "EAAG-capi-token";

describe.each(testDrivers)("conversions (%s)", (kind) => {
  let t: TestDb;
  let graph: FakeGraph;
  let deps: ConversionDeliveryDeps;
  let seq = 0;
  const next = () => (seq += 1);

  beforeAll(async () => {
    t = await createTestDb(kind);
    graph = await startFakeGraph();
    deps = { encryptionKey, graph: { base: graph.url, version: "v24.0", timeoutMs: 1_000 }, random: () => 0.5 };
  });
  afterAll(async () => {
    await graph.close();
    await t.cleanup();
  });
  // each test drains only what it queued: deliveries a test left waiting are dropped after it
  afterEach(async () => {
    await t.db.delete(jobs).where(eq(jobs.status, "pending"));
  });

  type Shop = { tenantId: string; numberId: string; datasetId: string | null; n: PayloadNumber };

  async function shop(opts: { dataset?: boolean; tenantId?: string } = {}): Promise<Shop> {
    const tenantId = opts.tenantId ?? (await insertTenant(t.db, { name: `Shop ${next()}` })).id;
    const s = next();
    const phoneNumberId = `${kind === "pglite" ? 5 : 6}0654035224${String(s).padStart(4, "0")}`;
    const wabaId = `${WABA.slice(0, -4)}${String(s).padStart(4, "0")}`;
    const datasetId = opts.dataset === false ? null : `77${String(s).padStart(13, "0")}`;
    const number = await createNumber(t.db, keys, {
      tenantId,
      input: numberFormSchema.parse({
        provider: "cloud",
        label: `Sales ${s}`,
        phoneE164: `+1555078${String(3800 + s)}`,
        phoneNumberId,
        wabaId,
        accessToken: TOKEN,
        appSecret: "s3cret",
        ...(datasetId ? { datasetId } : {}),
      }),
    });
    graph.addDataset({ wabaId, token: TOKEN, ...(datasetId ? { datasetId } : {}) });
    return { tenantId, numberId: number.id, datasetId, n: { phoneNumberId, displayPhoneNumber: number.phoneE164.slice(1), wabaId } };
  }

  const newSender = () => `1650555${String(next()).padStart(4, "0")}`;

  /** One inbound message (an ad click with a ctwa_clid when `clid`, a Status-ad referral without one when "none"); returns its conversation. */
  async function receive(s: Shop, { from, clid, at = minutes(-60) }: { from: string; clid?: string | "none"; at?: Date }) {
    const adId = `1202263058${String(next()).padStart(8, "0")}`;
    const referral = clid
      ? {
          sourceUrl: `https://fb.me/${adId}`,
          sourceId: adId,
          sourceType: "ad" as const,
          headline: "Chat with us",
          body: "Sale",
          mediaType: "image" as const,
          mediaUrl: "https://x/i.jpg",
          ...(clid === "none" ? {} : { ctwaClid: clid }),
        }
      : undefined;
    const rawBody = JSON.stringify(
      inboundMessage(s.n, { from: { waId: from, name: "Ana" }, wamid: fakeWamid(`${kind}-${next()}`), at, text: "Hi!", referral }),
    );
    const event = await storeWebhookEvent(t.db, {
      provider: "cloud",
      rawBody,
      signatureResult: "valid",
      routedPhoneNumberIds: [s.n.phoneNumberId],
      receivedAt: at,
    });
    expect((await processWebhookEvents(t.db, { ids: [event.id], now: at })).processed).toBe(1);
    const sub = (await getSubscriberByWaPhone(t.db, { tenantId: s.tenantId, waPhone: `+${from}` }))!;
    const [latest] = await t.db.select().from(conversations).where(eq(conversations.subscriberId, sub.id)).orderBy(desc(conversations.startedAt)).limit(1);
    return latest!;
  }

  const request = (s: Shop, body: Record<string, unknown>) =>
    parseConversionRequest({ accountId: s.numberId, eventName: "LeadSubmitted", eventId: `ev-${next()}`, ...body });
  const create = async (s: Shop, body: Record<string, unknown>, at = now) =>
    (await createConversion(t.db, { tenantId: s.tenantId, request: request(s, body), now: at })).result;
  const refusal = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      if (e instanceof AppError) return { status: e.status, code: e.publicCode, message: e.message };
      throw e;
    }
    throw new Error("expected a refusal");
  };
  const deliveriesOf = (eventId: string) => graph.capiDeliveries.filter((d) => (d.body.data as Array<{ event_id: string }>)[0]!.event_id === eventId);
  const drain = (at: Date) => drainJobs(t.db, { handlers: conversionJobHandlers(t.db, deps), kinds: [CAPI_FORWARD_JOB], now: () => at });
  const row = (s: Shop, id: string) => getConversion(t.db, { tenantId: s.tenantId, id });

  it("sends Meta exactly the business-messaging event for the conversation's click, hashing email and external id", async () => {
    const s = await shop();
    const from = newSender();
    const conversation = await receive(s, { from, clid: "Aff-n8ZTODiE79d22KtAwQKj9e" });
    const eventTime = unix(minutes(-5));
    const accepted = await create(s, {
      eventName: "Purchase",
      eventId: "order-A1029:Purchase",
      eventTime,
      conversationId: conversation.id,
      value: 149.9,
      currency: "BRL",
      contentIds: ["sku-123", "sku-7", "sku-1"],
      email: " John_Smith@gmail.com",
      externalId: "CUST-00042",
      testCode: "TEST12345",
    });
    expect(accepted).toEqual({
      id: expect.any(String),
      eventId: "order-A1029:Purchase",
      status: "queued",
      conversationId: conversation.id,
      warnings: [],
      duplicate: false,
    });
    expect(await getJobByKey(t.db, { kind: CAPI_FORWARD_JOB, dedupeKey: accepted.id })).toMatchObject({ status: "pending" });

    expect(await deliverConversionNow(t.db, deps, { conversionId: accepted.id, now: () => now })).toBe("done");
    const [delivery] = deliveriesOf("order-A1029:Purchase");
    expect(delivery).toBeDefined();
    expect(delivery!.datasetId).toBe(s.datasetId);
    expect(delivery!.token).toBe(TOKEN);
    expect(delivery!.body).toEqual({
      data: [
        {
          event_name: "Purchase",
          event_time: eventTime,
          event_id: "order-A1029:Purchase",
          action_source: "business_messaging",
          messaging_channel: "whatsapp",
          user_data: {
            whatsapp_business_account_id: s.n.wabaId,
            ctwa_clid: "Aff-n8ZTODiE79d22KtAwQKj9e",
            em: ["62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"],
            external_id: [sha256Hex("cust-00042")],
          },
          custom_data: { currency: "BRL", value: 149.9, content_ids: ["sku-123", "sku-7", "sku-1"] },
        },
      ],
      test_event_code: "TEST12345",
    });

    const sent = await row(s, accepted.id);
    expect(sent).toMatchObject({
      status: "sent",
      attempts: 1,
      eventsReceived: 1,
      fbtraceId: delivery!.fbtraceId,
      lastError: null,
      nextAttemptAt: null,
      source: "api",
    });
    expect(sent.requestPayload).toEqual(delivery!.body);
    expect(sent.response).toMatchObject({ events_received: 1, fbtrace_id: delivery!.fbtraceId });
    expect(JSON.stringify(sent)).not.toMatch(/john_smith|cust-00042/i); // only the hashes are kept
    expect(await getJobByKey(t.db, { kind: CAPI_FORWARD_JOB, dedupeKey: accepted.id })).toMatchObject({ status: "done" });
    // nothing runs twice: the job is done and the conversion is no longer queued
    expect(await deliverConversionNow(t.db, deps, { conversionId: accepted.id, now: () => now })).toBeNull();
    expect(deliveriesOf("order-A1029:Purchase")).toHaveLength(1);
  });

  it("omits custom_data and the test code when there are none, and never sends the ad id as a click id", async () => {
    const s = await shop();
    const conversation = await receive(s, { from: newSender(), clid: "Aff-plain" });
    const accepted = await create(s, { conversationId: conversation.id, eventId: "lead-plain" });
    await deliverConversionNow(t.db, deps, { conversionId: accepted.id, now: () => now });
    const event = (deliveriesOf("lead-plain")[0]!.body.data as Record<string, unknown>[])[0]!;
    expect(Object.keys(event).sort()).toEqual(["action_source", "event_id", "event_name", "event_time", "messaging_channel", "user_data"]);
    expect(event.user_data).toEqual({ whatsapp_business_account_id: s.n.wabaId, ctwa_clid: "Aff-plain" });
    expect(deliveriesOf("lead-plain")[0]!.body).not.toHaveProperty("test_event_code");
  });

  it("resolves a phone to its most recent click on that number, and says why when there is none", async () => {
    const s = await shop();
    const other = await shop({ tenantId: s.tenantId });
    const from = newSender();
    await receive(s, { from, clid: "Aff-older", at: minutes(-3 * 24 * 60) });
    const newer = await receive(s, { from, clid: "Aff-newer", at: minutes(-24 * 60) });
    await receive(other, { from, clid: "Aff-other-number", at: minutes(-60) });
    await receive(s, { from, at: minutes(-30) }); // organic message later in another window: no click, not chosen

    const byPhone = await create(s, { phoneE164: `+${from}` });
    expect(byPhone.conversationId).toBe(newer.id);
    expect((await row(s, byPhone.id)).ctwaClid).toBe("Aff-newer");

    const organic = newSender();
    await receive(s, { from: organic });
    const noClick = await refusal(create(s, { phoneE164: organic }));
    expect(noClick).toMatchObject({ status: 404, code: "conversation_not_found" });
    expect(noClick.message).toContain("never after clicking a Click-to-WhatsApp ad");
    expect(await refusal(create(s, { phoneE164: newSender() }))).toMatchObject({
      status: 404,
      code: "conversation_not_found",
      message: expect.stringContaining("Nobody with the phone"),
    });
  });

  it("refuses a conversation without a click id, one on another number, and a number without a dataset", async () => {
    const s = await shop();
    const statusAd = await receive(s, { from: newSender(), clid: "none" }); // a Status ad: referral, no ctwa_clid
    expect(await refusal(create(s, { conversationId: statusAd.id }))).toMatchObject({ status: 422, code: "no_click_id" });

    const other = await shop({ tenantId: s.tenantId });
    const elsewhere = await receive(other, { from: newSender(), clid: "Aff-elsewhere" });
    expect(await refusal(create(s, { conversationId: elsewhere.id }))).toMatchObject({ status: 404, code: "conversation_not_found" });

    const stranger = await shop(); // another tenant cannot name this tenant's number or conversation
    expect(await refusal(createConversion(t.db, { tenantId: stranger.tenantId, request: request(s, { conversationId: elsewhere.id }), now }))).toMatchObject({
      status: 404,
      code: "number_not_found",
    });
    expect(await refusal(create(s, { conversationId: crypto.randomUUID() }))).toMatchObject({ status: 404, code: "conversation_not_found" });

    const bare = await shop({ dataset: false });
    const clicked = await receive(bare, { from: newSender(), clid: "Aff-bare" });
    const missing = await refusal(create(bare, { conversationId: clicked.id }));
    expect(missing).toMatchObject({ status: 422, code: "dataset_missing" });
    expect(missing.message).toContain("fetch or create one on the number's page");
  });

  it("accepts an event more than 7 days after the click with the attribution_window_passed warning", async () => {
    const s = await shop();
    const click = await receive(s, { from: newSender(), clid: "Aff-late", at: minutes(-9 * 24 * 60) });
    const accepted = await create(s, { conversationId: click.id, eventTime: unix(minutes(-24 * 60)) });
    expect(accepted.warnings).toEqual([ATTRIBUTION_WINDOW_PASSED]);
    const fresh = await create(s, { conversationId: click.id, eventTime: unix(minutes(-6 * 24 * 60)) }); // 3 days after the click
    expect(fresh.warnings).toEqual([]);
  });

  it("answers a repeated eventId with the first conversion and refuses it with a different body", async () => {
    const s = await shop();
    const click = await receive(s, { from: newSender(), clid: "Aff-dup" });
    const body = { conversationId: click.id, eventId: "dup-1", eventName: "Purchase", value: 20, currency: "usd", eventTime: unix(minutes(-1)) };
    const first = await create(s, body);
    await deliverConversionNow(t.db, deps, { conversionId: first.id, now: () => now });
    const again = await create(s, { ...body, currency: "USD" }, minutes(3));
    expect(again).toEqual({ ...first, status: "sent", duplicate: true });
    expect(deliveriesOf("dup-1")).toHaveLength(1);
    const conflict = await refusal(create(s, { ...body, value: 21 }));
    expect(conflict).toMatchObject({ status: 409, code: "event_id_conflict" });
    expect(
      await t.db
        .select()
        .from(conversions)
        .where(and(eq(conversions.tenantId, s.tenantId), eq(conversions.eventId, "dup-1"))),
    ).toHaveLength(1);
  });

  it("retries a 500 with backoff, honours Retry-After on a 429, retries a timeout, and sends once in the end", async () => {
    const s = await shop();
    const click = await receive(s, { from: newSender(), clid: "Aff-retry" });
    const accepted = await create(s, { conversationId: click.id, eventId: "retry-1" });
    graph.scriptEvents(
      graphError(500, 2, "Service temporarily unavailable"),
      { ...graphError(429, 4, "(#4) Application request limit reached"), headers: { "retry-after": "120" } },
      { json: { events_received: 1, fbtrace_id: "late" }, delayMs: 1_500 }, // slower than the 1 s client timeout
    );
    expect(await deliverConversionNow(t.db, deps, { conversionId: accepted.id, now: () => now })).toBe("retried");
    let c = await row(s, accepted.id);
    expect(c).toMatchObject({ status: "queued", attempts: 1, lastError: expect.stringContaining("Graph error 2: Service temporarily unavailable") });
    expect(c.nextAttemptAt!.getTime() - now.getTime()).toBe(1_000); // first backoff: 1 s (jitter pinned)
    expect(c.response).toMatchObject({ error: { code: 2, message: "Service temporarily unavailable" }, httpStatus: 500 });

    expect(await drain(minutes(0.01))).toMatchObject({ claimed: 0 }); // not due yet
    expect(await drain(minutes(1))).toMatchObject({ claimed: 1, retried: 1 });
    c = await row(s, accepted.id);
    expect(c.attempts).toBe(2);
    expect(c.nextAttemptAt!.getTime() - minutes(1).getTime()).toBe(120_000); // Retry-After beats the 2 s backoff
    expect((await getJobByKey(t.db, { kind: CAPI_FORWARD_JOB, dedupeKey: accepted.id }))!.runAt.getTime()).toBe(c.nextAttemptAt!.getTime());

    expect(await drain(minutes(4))).toMatchObject({ claimed: 1, retried: 1 });
    expect((await row(s, accepted.id)).lastError).toContain("did not answer within 1 s");

    expect(await drain(minutes(10))).toMatchObject({ claimed: 1, done: 1 });
    expect(await row(s, accepted.id)).toMatchObject({ status: "sent", attempts: 4, lastError: null, nextAttemptAt: null });
    expect(deliveriesOf("retry-1")).toHaveLength(1);
  });

  it("rejects on a 4xx keeping Meta's code, subcode, message and fbtrace_id, and a retry by hand sends it", async () => {
    const s = await shop();
    const click = await receive(s, { from: newSender(), clid: "Aff-rejected" });
    const accepted = await create(s, { conversationId: click.id, eventId: "rejected-1" });
    const rejection = graphError(400, 100, "Invalid parameter", { subcode: 2804066 });
    graph.scriptEvents(rejection);
    expect(await deliverConversionNow(t.db, deps, { conversionId: accepted.id, now: () => now })).toBe("failed");
    const c = await row(s, accepted.id);
    const metaError = (rejection.json as { error: Record<string, unknown> }).error;
    expect(c).toMatchObject({ status: "rejected", attempts: 1, fbtraceId: metaError.fbtrace_id, nextAttemptAt: null });
    expect(c.response).toEqual({ error: metaError, httpStatus: 400 });
    expect(c.lastError).toBe(`Graph error 100/2804066: Invalid parameter [fbtrace_id ${metaError.fbtrace_id}]`);
    expect(await drain(minutes(60))).toMatchObject({ claimed: 0 });

    const requeued = await retryConversion(t.db, { tenantId: s.tenantId, id: accepted.id, now: minutes(1) });
    expect(requeued.status).toBe("queued");
    expect(await deliverConversionNow(t.db, deps, { conversionId: accepted.id, now: () => minutes(1) })).toBe("done");
    expect(await row(s, accepted.id)).toMatchObject({ status: "sent", attempts: 2 });
    await expect(retryConversion(t.db, { tenantId: s.tenantId, id: accepted.id, now: minutes(2) })).rejects.toMatchObject({ publicCode: "already_sent" });
  });

  it("delivers a conversion its request claimed at birth, and the queue takes it over when that delivery never happens", async () => {
    const s = await shop();
    const click = await receive(s, { from: newSender(), clid: "Aff-claimed" });
    const store = (eventId: string) =>
      createConversion(t.db, { tenantId: s.tenantId, request: request(s, { conversationId: click.id, eventId }), now, deliverNow: true });
    const first = await store("claimed-1");
    expect(first.claimed).not.toBeNull();
    expect(await getJobByKey(t.db, { kind: CAPI_FORWARD_JOB, dedupeKey: first.result.id })).toMatchObject({ status: "running", attempts: 1 });
    expect(await drain(minutes(0.5))).toMatchObject({ claimed: 0 }); // nobody else may take it while the request holds it
    expect(await deliverClaimedConversion(t.db, deps, { claimed: first.claimed!, now: () => now })).toEqual({
      ok: true,
      result: expect.objectContaining({ eventsReceived: 1 }),
    });
    expect(await row(s, first.result.id)).toMatchObject({ status: "sent", attempts: 1 });
    expect(await getJobByKey(t.db, { kind: CAPI_FORWARD_JOB, dedupeKey: first.result.id })).toMatchObject({ status: "done", leaseExpiresAt: null });

    graph.scriptEvents(graphError(502, 2, "Bad gateway"));
    const bounced = await store("claimed-2");
    await deliverClaimedConversion(t.db, deps, { claimed: bounced.claimed!, now: () => now });
    expect(await row(s, bounced.result.id)).toMatchObject({ status: "queued", attempts: 1, nextAttemptAt: new Date(now.getTime() + 1_000) });
    expect(await getJobByKey(t.db, { kind: CAPI_FORWARD_JOB, dedupeKey: bounced.result.id })).toMatchObject({
      status: "pending",
      attempts: 1,
      runAt: new Date(now.getTime() + 1_000),
    });
    expect(await drain(minutes(1))).toMatchObject({ claimed: 1, done: 1 });
    expect(await row(s, bounced.result.id)).toMatchObject({ status: "sent", attempts: 2 });

    const orphan = await store("claimed-3"); // the process died before its delivery ran
    expect(await drain(minutes(0.9))).toMatchObject({ claimed: 0 });
    expect(await drain(minutes(1.1))).toMatchObject({ claimed: 1, done: 1 });
    expect(await row(s, orphan.result.id)).toMatchObject({ status: "sent", attempts: 1 });
    expect(deliveriesOf("claimed-1").length + deliveriesOf("claimed-2").length + deliveriesOf("claimed-3").length).toBe(3);
  });

  it("gives up after the last attempt and marks the conversion failed", async () => {
    const s = await shop();
    const click = await receive(s, { from: newSender(), clid: "Aff-down" });
    const accepted = await create(s, { conversationId: click.id, eventId: "down-1" });
    await t.db.update(jobs).set({ maxAttempts: 2 }).where(eq(jobs.dedupeKey, accepted.id));
    graph.scriptEvents(graphError(503, 2, "down"), graphError(503, 2, "still down"));
    expect(await deliverConversionNow(t.db, deps, { conversionId: accepted.id, now: () => now })).toBe("retried");
    expect(await drain(minutes(5))).toMatchObject({ failed: 1 });
    const c = await row(s, accepted.id);
    expect(c).toMatchObject({ status: "failed", attempts: 2, nextAttemptAt: null });
    expect(c.lastError).toMatch(/^Graph error 2: still down \[fbtrace_id \w+\] \(gave up after 2 attempts\)$/);
  });

  it("fails at once, without calling Meta, when the number lost its dataset", async () => {
    const s = await shop();
    const click = await receive(s, { from: newSender(), clid: "Aff-lost" });
    const accepted = await create(s, { conversationId: click.id, eventId: "lost-1" });
    await updateNumber(t.db, keys, { tenantId: s.tenantId, id: s.numberId, patch: { datasetId: null } });
    const before = graph.requests.length;
    expect(await deliverConversionNow(t.db, deps, { conversionId: accepted.id, now: () => now })).toBe("failed");
    expect(graph.requests.length).toBe(before);
    expect((await row(s, accepted.id)).lastError).toContain("has no Conversions API dataset");
  });

  it("queues one automatic LeadSubmitted per new ad conversation when the number asks for it", async () => {
    const s = await shop();
    const off = await receive(s, { from: newSender(), clid: "Aff-auto-off" });
    await t.db.update(whatsappNumbers).set({ autoLeadSubmitted: true }).where(eq(whatsappNumbers.id, s.numberId));
    const from = newSender();
    const on = await receive(s, { from, clid: "Aff-auto-on", at: minutes(-10) });
    await receive(s, { from: newSender() }); // organic: nothing
    await receive(s, { from, at: minutes(-5) }); // the same conversation goes on: nothing more

    const rows = await t.db.select().from(conversions).where(eq(conversions.tenantId, s.tenantId));
    expect(rows.map((r) => r.eventId)).toEqual([automaticLeadEventId(on.id)]);
    expect(rows[0]).toMatchObject({ eventName: "LeadSubmitted", source: "automatic", conversationId: on.id, ctwaClid: "Aff-auto-on", status: "queued" });
    expect(rows[0]!.eventTime.getTime()).toBe(on.startedAt.getTime());
    expect(rows.some((r) => r.conversationId === off.id)).toBe(false);

    expect(await drain(now)).toMatchObject({ done: 1 });
    expect(deliveriesOf(automaticLeadEventId(on.id))).toHaveLength(1);
    const page = await listConversions(t.db, { tenantId: s.tenantId, filters: { status: "sent" }, limit: 10 });
    expect(page.rows.map((r) => r.source)).toEqual(["automatic"]);
    // the log names the ad of the conversation (its id until Meta's names are fetched)
    expect(on.adId).toMatch(/^1202263058/);
    expect(page.rows[0]).toMatchObject({ adId: on.adId, adName: null, campaignName: null });
  });
});
