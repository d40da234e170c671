import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  getConversationById,
  getMessageByWamid,
  getNumberById,
  getSubscriberById,
  getSubscriberByUserId,
  getSubscriberByWaPhone,
  insertNumber,
  insertTenant,
  listSubscriberConversations,
  listSubscriberMessages,
} from "@/db/queries";
import { messages, outboundMessages, subscribers, templates, tenants, webhookEvents } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { sha256Hex } from "@/lib/crypto";
import { fixtureText } from "@/test/fixtures/webhooks";
import { drainWebhookEvents, processWebhookEvents, replayWebhookEvent, reprocessUnroutedEvents } from "./ingest";
import { storeWebhookEvent } from "./store";
import { extractPhoneNumberIds } from "./parse";
import { type PayloadNumber, webhookEnvelope } from "./payloads";

const now = new Date("2031-01-01T00:00:00.000Z");
const T0 = new Date("2030-03-01T10:00:00.000Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const unix = (d: Date) => String(Math.floor(d.getTime() / 1000));
const HOUR = 3600;

// The fixtures' own ids (test/fixtures/webhooks/README.md), swapped for each test's number or WABA.
const FIXTURE_PNID = "320000000000001";
const FIXTURE_WABA = "310000000000001";
/** A fixture body re-pointed at a test's Phone Number ID (plus any other swaps). */
const fixtureFor = (name: string, pnid: string, replace: Record<string, string> = {}) => fixtureText(name, { [FIXTURE_PNID]: pnid, ...replace });

type Msg = { from?: string; userId?: string; wamid: string; text?: string; at: Date; name?: string; username?: string; referral?: Record<string, unknown> };

const testNumber = (pnid: string): PayloadNumber => ({ phoneNumberId: pnid, displayPhoneNumber: "15550000000", wabaId: "WABA-TEST" });

/** Several messages in one change, with the identity variants (user ids, usernames) the simulator's builder has not. */
function metaMessages(pnid: string, msgs: Msg[]) {
  return webhookEnvelope(testNumber(pnid), {
    contacts: msgs.map((m) => ({
      profile: { name: m.name ?? "Ana", ...(m.username ? { username: m.username } : {}) },
      ...(m.from ? { wa_id: m.from } : {}),
      ...(m.userId ? { user_id: m.userId } : {}),
    })),
    messages: msgs.map((m) => ({
      ...(m.from ? { from: m.from } : {}),
      ...(m.userId ? { from_user_id: m.userId } : {}),
      id: m.wamid,
      timestamp: unix(m.at),
      type: "text",
      text: { body: m.text ?? "hello" },
      ...(m.referral ? { referral: m.referral } : {}),
    })),
  });
}

type St = { id: string; status: string; at: Date; recipient?: string; errors?: unknown[]; conversation?: unknown };

function metaStatuses(pnid: string, statuses: St[]) {
  return webhookEnvelope(testNumber(pnid), {
    statuses: statuses.map((s) => ({
      id: s.id,
      status: s.status,
      timestamp: unix(s.at),
      recipient_id: s.recipient ?? "0",
      ...(s.errors ? { errors: s.errors } : {}),
      ...(s.conversation ? { conversation: s.conversation } : {}),
    })),
  });
}

describe.each(testDrivers)("webhook ingestion (%s)", (kind) => {
  let t: TestDb;
  let seq = 0;
  beforeAll(async () => {
    t = await createTestDb(kind);
  });
  afterAll(() => t.cleanup());

  const next = () => (seq += 1);
  const phone = () => `1650555${String(next()).padStart(4, "0")}`;
  const wamid = () => `wamid.T${next()}.${randomUUID()}`;

  async function setup(over: { phoneNumberId?: string; wabaId?: string | null; phoneE164?: string; provider?: "cloud" | "gupshup"; active?: boolean } = {}) {
    const tenant = await insertTenant(t.db, { name: `Tenant ${next()}` });
    const number = await addNumber(tenant.id, over);
    return { tenantId: tenant.id, number, pnid: number.phoneNumberId! };
  }

  async function addNumber(
    tenantId: string,
    over: { phoneNumberId?: string; wabaId?: string | null; phoneE164?: string; provider?: "cloud" | "gupshup"; active?: boolean } = {},
  ) {
    const n = next();
    return insertNumber(t.db, {
      tenantId,
      label: `Number ${n}`,
      phoneE164: over.phoneE164 ?? `+1555${String(n).padStart(7, "0")}`,
      provider: over.provider ?? "cloud",
      phoneNumberId: over.phoneNumberId ?? String(700000000000000 + n),
      wabaId: over.wabaId ?? null,
      verifyToken: randomUUID(),
      active: over.active ?? true,
    });
  }

  async function ingest(body: unknown, opts: { provider?: "cloud" | "gupshup"; numberId?: string; tenantId?: string; receivedAt?: Date } = {}) {
    const rawBody = typeof body === "string" ? body : JSON.stringify(body);
    const event = await storeWebhookEvent(t.db, {
      provider: opts.provider ?? "cloud",
      rawBody,
      signatureResult: "valid",
      routedPhoneNumberIds: opts.provider === "gupshup" ? [] : extractPhoneNumberIds(JSON.parse(rawBody)),
      numberId: opts.numberId,
      tenantId: opts.tenantId,
      receivedAt: opts.receivedAt ?? at(-60),
    });
    const summary = await processWebhookEvents(t.db, { ids: [event.id], now });
    return { event, summary, outcome: summary.outcomes[0]! };
  }

  const eventRow = async (id: string) => (await t.db.select().from(webhookEvents).where(eq(webhookEvents.id, id)))[0]!;
  const subscriberByPhone = async (tenantId: string, waPhone: string) => (await getSubscriberByWaPhone(t.db, { tenantId, waPhone }))!;
  const conversationsOf = async (tenantId: string, subscriberId: string) => (await listSubscriberConversations(t.db, { tenantId, subscriberId })).reverse();

  it("creates the subscriber with every field, its conversation and message on the first inbound", async () => {
    const { tenantId, number, pnid } = await setup();
    const { event, outcome } = await ingest(fixtureFor("meta-text.json", pnid), { receivedAt: at(5) });
    expect(outcome).toEqual({ id: event.id, status: "processed", error: null });

    const sentAt = new Date(1767607260 * 1000);
    const s = await subscriberByPhone(tenantId, "+15550142001");
    expect(s).toMatchObject({
      waPhone: "+15550142001",
      waId: "15550142001",
      userId: null,
      phoneHash: sha256Hex("15550142001"),
      profileName: "Mara Quinn",
      numberId: number.id,
      firstSeenAt: sentAt,
      lastInboundAt: sentAt,
      inboundCount: 1,
      conversationExpiresAt: new Date(sentAt.getTime() + 24 * HOUR * 1000),
      lastMessageStatus: "received",
      lastMessageStatusAt: sentAt,
      status: "active",
      optInStatus: null,
      rawLastEventType: "message",
      rawVersion: "cloud",
      country: "US",
      timezone: "America/New_York",
      firstTouchConversationId: null,
      lastTouchConversationId: null,
      outboundCount: 0,
      lifecycleState: "lead",
    });
    const [conversation] = await conversationsOf(tenantId, s.id);
    expect(conversation).toMatchObject({
      id: s.conversationId,
      numberId: number.id,
      startedAt: sentAt,
      lastMessageAt: sentAt,
      windowExpiresAt: s.conversationExpiresAt,
      ctwaClid: null,
      referral: null,
    });
    const [message] = await listSubscriberMessages(t.db, { tenantId, subscriberId: s.id });
    expect(message).toMatchObject({
      wamid: "wamid.CT-TEXT-0001",
      direction: "inbound",
      type: "text",
      status: "received",
      textPreview: "Hi! Do you ship to Lisbon?",
      conversationId: conversation!.id,
      numberId: number.id,
      providerTimestamp: sentAt,
    });
    expect(message!.payload).toMatchObject({ type: "text", text: { body: "Hi! Do you ship to Lisbon?" } });
    expect(await eventRow(event.id)).toMatchObject({
      status: "processed",
      tenantId,
      numberId: number.id,
      attempts: 1,
      processedAt: now,
      error: null,
      routedPhoneNumberIds: [pnid],
    });
    expect((await getNumberById(t.db, { tenantId, id: number.id }))!.lastWebhookAt).toEqual(at(5));
  });

  it("ignores a replayed delivery and the same message inside another delivery", async () => {
    const { tenantId, pnid } = await setup();
    const from = phone();
    const first = { from, wamid: wamid(), at: at(0), text: "one" };
    const { event } = await ingest(metaMessages(pnid, [first]));
    const before = await subscriberByPhone(tenantId, `+${from}`);

    expect((await replayWebhookEvent(t.db, { tenantId, id: event.id, now })).status).toBe("processed");
    await ingest(metaMessages(pnid, [first])); // Meta's retry: a new request with the same body
    expect(await subscriberByPhone(tenantId, `+${from}`)).toEqual(before);
    expect(await listSubscriberMessages(t.db, { tenantId, subscriberId: before.id })).toHaveLength(1);
    expect(await conversationsOf(tenantId, before.id)).toHaveLength(1);

    const second = { from, wamid: wamid(), at: at(60), text: "two" };
    const { summary } = await ingest(metaMessages(pnid, [first, second]));
    expect(summary.messagesInserted).toBe(1);
    const after = await subscriberByPhone(tenantId, `+${from}`);
    expect(after).toMatchObject({ inboundCount: 2, lastInboundAt: at(60), conversationId: before.conversationId });
    expect(await eventRow(event.id)).toMatchObject({ status: "processed", attempts: 2 });
  });

  it("applies every item of a batch: changes, entries and numbers of several tenants", async () => {
    const { tenantId, pnid } = await setup();
    // the fixture's two changes come from two senders; both are made Mara's, one minute apart
    const sameSender = { '"15550142003"': '"15550142001"', '"Jonas Weber"': '"Mara Quinn"' };
    const { outcome } = await ingest(fixtureFor("meta-batch-changes.json", pnid, sameSender));
    expect(outcome.status).toBe("processed");
    const s = await subscriberByPhone(tenantId, "+15550142001");
    expect(s).toMatchObject({ inboundCount: 2, profileName: "Mara Quinn", firstSeenAt: new Date(1767609600000), lastInboundAt: new Date(1767609660000) });
    const texts = (await listSubscriberMessages(t.db, { tenantId, subscriberId: s.id })).map((m) => m.textPreview);
    expect(texts).toEqual(["Second of two changes", "First of two changes"]);
    expect(await conversationsOf(tenantId, s.id)).toHaveLength(1); // the second message extends the open window

    // both changes naming the same wamid: the same message twice, stored once
    const other = await setup();
    await ingest(fixtureFor("meta-batch-changes.json", other.pnid, { ...sameSender, "wamid.CT-BATCH-0002": "wamid.CT-BATCH-0001" }));
    expect((await subscriberByPhone(other.tenantId, "+15550142001")).inboundCount).toBe(1);

    // two entries for two tenants' numbers in one POST
    const a = metaMessages(pnid, [{ from: phone(), wamid: wamid(), at: at(0) }]);
    const b = metaMessages(other.pnid, [{ from: phone(), wamid: wamid(), at: at(0) }]);
    const both = { ...a, entry: [...a.entry, ...b.entry] };
    const { event, summary } = await ingest(both);
    expect(summary.messagesInserted).toBe(2);
    expect(await eventRow(event.id)).toMatchObject({ status: "processed", tenantId });
    expect(await getSubscriberByWaPhone(t.db, { tenantId, waPhone: `+${b.entry[0]!.changes[0]!.value.messages[0]!.from}` })).toBeNull(); // tenant-scoped
  });

  it("opens an attributed conversation for an ad click with the whole referral block", async () => {
    const { tenantId, pnid } = await setup();
    await ingest(fixtureFor("meta-referral-ad.json", pnid));
    const s = await subscriberByPhone(tenantId, "+15550142001");
    const [c] = await conversationsOf(tenantId, s.id);
    expect(c).toMatchObject({
      ctwaClid: "ARAkLmOcT9xQbW2vZr7uYs4nHd1pKe8fJg3tLc6mVa0iBo5wNyEq-Ct_Ad0001zRk",
      sourceUrl: "https://fb.me/ct1Ad0001",
      sourceType: "ad",
      sourceId: "120210000000000101",
      adId: "120210000000000101",
      headline: "Sail this winter",
      body: "Learn to sail in 8 weekends. Seats for January are open.",
      mediaType: "image",
      imageUrl: "https://scontent.xx.fbcdn.net/v/t45.1600-4/ct-fixture-ad-0001.jpg",
      welcomeText: "Hi! Ask us anything about the sailing course.",
      utmSource: null,
    });
    expect(c!.referral).toMatchObject({ source_id: "120210000000000101", welcome_message: { text: "Hi! Ask us anything about the sailing course." } });
    expect(s).toMatchObject({ firstTouchConversationId: c!.id, lastTouchConversationId: c!.id, conversationId: c!.id });
  });

  it("keeps the first touch, moves the last touch, and opens a new window after 24 h", async () => {
    const { tenantId, pnid } = await setup();
    const from = phone();
    const ad = (clid: string, campaign: string) => ({
      source_type: "ad",
      source_id: `AD-${clid}`,
      ctwa_clid: clid,
      source_url: `https://shop.example.com/x?utm_source=facebook&utm_medium=paid&utm_campaign=${campaign}`,
    });
    await ingest(metaMessages(pnid, [{ from, wamid: wamid(), at: at(0) }]));
    const organic = (await subscriberByPhone(tenantId, `+${from}`)).conversationId;
    await ingest(metaMessages(pnid, [{ from, wamid: wamid(), at: at(HOUR), referral: ad("CLID-1", "spring") }]));
    await ingest(metaMessages(pnid, [{ from, wamid: wamid(), at: at(2 * HOUR) }]));
    await ingest(metaMessages(pnid, [{ from, wamid: wamid(), at: at(3 * HOUR), referral: ad("CLID-2", "summer") }]));
    await ingest(metaMessages(pnid, [{ from, wamid: wamid(), at: at(30 * HOUR) }]));

    const s = await subscriberByPhone(tenantId, `+${from}`);
    const list = await conversationsOf(tenantId, s.id);
    expect(list.map((c) => c.ctwaClid)).toEqual([null, "CLID-1", "CLID-2", null]);
    const [first, click1, click2, late] = list;
    expect(first!.id).toBe(organic);
    expect(click1).toMatchObject({
      lastMessageAt: at(2 * HOUR),
      windowExpiresAt: at(26 * HOUR),
      utmSource: "facebook",
      utmMedium: "paid",
      utmCampaign: "spring",
      adId: "AD-CLID-1",
    });
    expect(click2).toMatchObject({ utmCampaign: "summer", startedAt: at(3 * HOUR) });
    expect(s).toMatchObject({
      firstTouchConversationId: click1!.id,
      lastTouchConversationId: click2!.id,
      conversationId: late!.id,
      conversationExpiresAt: at(54 * HOUR),
      inboundCount: 5,
    });
    // the first touch's source and ad stay on the subscriber for list filters
    expect(s).toMatchObject({ firstTouchSource: "ad", firstTouchAdId: "AD-CLID-1", hasClickId: true });
  });

  it("captures a referral without a click id (posts, Status ads) and never uses source_id as one", async () => {
    const { tenantId, pnid } = await setup();
    await ingest(fixtureFor("meta-referral-no-ctwa-clid.json", pnid));
    const s = await subscriberByPhone(tenantId, "+15550142003");
    const [c] = await conversationsOf(tenantId, s.id);
    expect(c).toMatchObject({
      ctwaClid: null,
      sourceId: "120210000000000303",
      sourceType: "ad",
      sourceUrl: "https://fb.me/ct1Ad0003",
      adId: "120210000000000303",
      utmSource: null,
      mediaType: "video",
      videoUrl: "https://video.xx.fbcdn.net/v/t42.1790-2/ct-fixture-ad-0003.mp4",
      thumbnailUrl: "https://scontent.xx.fbcdn.net/v/t15.5256-10/ct-fixture-ad-0003-thumb.jpg",
    });
    expect(s).toMatchObject({ firstTouchConversationId: c!.id, firstTouchSource: "ad", firstTouchAdId: "120210000000000303", hasClickId: false });

    const gupshup = await setup({ provider: "gupshup" });
    const { outcome } = await ingest(fixtureText("gupshup-message-referral-post.json"), {
      provider: "gupshup",
      numberId: gupshup.number.id,
      tenantId: gupshup.tenantId,
    });
    expect(outcome.status).toBe("processed");
    const [post] = await t.db.select().from(subscribers).where(eq(subscribers.tenantId, gupshup.tenantId));
    expect(post).toMatchObject({
      waPhone: "+15550142101",
      rawVersion: "v2",
      inboundCount: 1,
      firstTouchSource: "post",
      firstTouchAdId: null,
      hasClickId: false,
    });
    // a post's source_id is no ad id either
    expect((await conversationsOf(gupshup.tenantId, post!.id))[0]).toMatchObject({
      ctwaClid: null,
      sourceType: "post",
      sourceId: "950000000000008",
      adId: null,
      headline: "Winter regatta",
    });
  });

  it("takes Gupshup v2 ad clicks through the same rules, routed by the number of the token", async () => {
    const { tenantId, number } = await setup({ provider: "gupshup" });
    await ingest(fixtureText("gupshup-message-referral-ad.json"), { provider: "gupshup", numberId: number.id, tenantId });
    const s = await subscriberByPhone(tenantId, "+15550142102");
    expect(s).toMatchObject({ profileName: "Олег Петров", country: "US", timezone: "America/New_York", rawVersion: "v2", numberId: number.id });
    expect(await getConversationById(t.db, { tenantId, id: s.firstTouchConversationId! })).toMatchObject({
      ctwaClid: "ARAkLmOcB5rKt0wXn3vQd8hLp2sYj6mGf1cZa9eUo4iNb7tWq-Ct_Ad0004pDx",
      sourceId: "120210000000000404",
      sourceType: "ad",
      headline: "Sail this winter",
    });

    // v3 relays Meta's envelope: its phone_number_id is Meta's, the token's number still decides
    const { outcome } = await ingest(fixtureText("meta-text-gupshup-v3.json"), { provider: "gupshup", numberId: number.id, tenantId });
    expect(outcome.status).toBe("processed");
    expect(await subscriberByPhone(tenantId, "+15550142006")).toMatchObject({
      rawVersion: "v3",
      numberId: number.id,
      inboundCount: 1,
      userId: "US.70000000000000000006",
    });
  });

  async function outboundFixture() {
    const env = await setup();
    const from = phone();
    await ingest(metaMessages(env.pnid, [{ from, wamid: wamid(), at: at(0) }]));
    const s = await subscriberByPhone(env.tenantId, `+${from}`);
    const w = wamid();
    await t.db.insert(messages).values({
      tenantId: env.tenantId,
      subscriberId: s.id,
      conversationId: s.conversationId,
      numberId: env.number.id,
      direction: "outbound",
      wamid: w,
      type: "text",
      status: "accepted",
      providerTimestamp: at(10),
    });
    const [drip] = await t.db
      .insert(outboundMessages)
      .values({
        tenantId: env.tenantId,
        subscriberId: s.id,
        phone: `+${from}`,
        templateName: "day_1",
        scheduledAt: at(0),
        status: "sent",
        providerMessageId: w,
      })
      .returning();
    return { ...env, from, subscriber: s, wamid: w, drip: drip! };
  }

  it("moves statuses monotonically, whatever order they arrive in", async () => {
    const f = await outboundFixture();
    await ingest(metaStatuses(f.pnid, [{ id: f.wamid, status: "sent", at: at(11), recipient: f.from }]));
    await ingest(
      metaStatuses(f.pnid, [{ id: f.wamid, status: "read", at: at(13), recipient: f.from, conversation: { id: "META-CONV-1", origin: { type: "service" } } }]),
    );
    await ingest(metaStatuses(f.pnid, [{ id: f.wamid, status: "delivered", at: at(12), recipient: f.from }])); // late
    const m = await getMessageByWamid(t.db, { tenantId: f.tenantId, wamid: f.wamid });
    expect(m).toMatchObject({ status: "read", sentAt: at(11), deliveredAt: at(12), readAt: at(13) });
    expect(await subscriberByPhone(f.tenantId, `+${f.from}`)).toMatchObject({
      lastMessageStatus: "read",
      lastMessageStatusAt: at(13),
      lastReadAt: at(13),
      lastDeliveredAt: at(13),
      rawLastEventType: "message-event",
    });
    const [drip] = await t.db.select().from(outboundMessages).where(eq(outboundMessages.id, f.drip.id));
    expect(drip).toMatchObject({ status: "sent", deliveredAt: at(12), readAt: at(13) });
    expect(await getConversationById(t.db, { tenantId: f.tenantId, id: m!.conversationId! })).toMatchObject({
      metaConversationId: "META-CONV-1",
      metaOrigin: "service",
    });

    // the same three in one POST, reversed, on another message: same outcome
    const g = await outboundFixture();
    await ingest(
      metaStatuses(g.pnid, [
        { id: g.wamid, status: "delivered", at: at(12) },
        { id: g.wamid, status: "read", at: at(13) },
        { id: g.wamid, status: "sent", at: at(11) },
      ]),
    );
    expect(await getMessageByWamid(t.db, { tenantId: g.tenantId, wamid: g.wamid })).toMatchObject({
      status: "read",
      sentAt: at(11),
      deliveredAt: at(12),
      readAt: at(13),
    });
  });

  it("records a failed status on the message, the subscriber and the drip row", async () => {
    const f = await outboundFixture();
    const failedAt = at(20);
    const body = fixtureFor("meta-status-failed.json", f.pnid, {
      "wamid.CT-OUT-0002": f.wamid,
      '"15550142002"': `"${f.from}"`,
      '"1767609480"': `"${unix(failedAt)}"`,
    });
    await ingest(body);
    const title = "Re-engagement message";
    expect(await getMessageByWamid(t.db, { tenantId: f.tenantId, wamid: f.wamid })).toMatchObject({
      status: "failed",
      failedAt,
      errorCode: "131047",
      errorTitle: title,
      errorDetail: "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
    });
    expect(await subscriberByPhone(f.tenantId, `+${f.from}`)).toMatchObject({
      lastMessageStatus: "failed",
      lastFailedAt: failedAt,
      lastFailedCode: "131047",
      lastFailedReason: title,
    });
    const [drip] = await t.db.select().from(outboundMessages).where(eq(outboundMessages.id, f.drip.id));
    expect(drip).toMatchObject({ status: "failed", errorCode: "131047", errorMessage: title });

    // a late `sent` does not undo the failure; the recorded error survives anything later
    await ingest(metaStatuses(f.pnid, [{ id: f.wamid, status: "sent", at: new Date(failedAt.getTime() - 5000) }]));
    expect((await getMessageByWamid(t.db, { tenantId: f.tenantId, wamid: f.wamid }))!.status).toBe("failed");
    await ingest(metaStatuses(f.pnid, [{ id: f.wamid, status: "delivered", at: new Date(failedAt.getTime() + 5000) }]));
    expect(await getMessageByWamid(t.db, { tenantId: f.tenantId, wamid: f.wamid })).toMatchObject({ status: "delivered", errorCode: "131047", failedAt });
  });

  it("matches Gupshup statuses by any id they name and records an unknown message on the recipient", async () => {
    const { tenantId, number } = await setup({ provider: "gupshup" });
    await ingest(fixtureText("gupshup-message-text.json"), { provider: "gupshup", numberId: number.id, tenantId });
    const [s] = await t.db.select().from(subscribers).where(eq(subscribers.tenantId, tenantId));
    expect(s).toMatchObject({ waPhone: "+15550142101", profileName: "Lena Ortiz", inboundCount: 1 });
    // the drip stored Gupshup's own id; sent/delivered/read name it as gsId next to the WhatsApp id (the read arrives before the delivered)
    const gsId = "c7000000-0000-4000-8000-000000000001";
    await t.db
      .insert(messages)
      .values({ tenantId, subscriberId: s!.id, direction: "outbound", wamid: gsId, type: "text", status: "accepted", providerTimestamp: at(0) });
    for (const file of ["gupshup-message-event-sent.json", "gupshup-message-event-read.json", "gupshup-message-event-delivered.json"]) {
      await ingest(fixtureText(file), { provider: "gupshup", numberId: number.id, tenantId });
    }
    expect(await getMessageByWamid(t.db, { tenantId, wamid: gsId })).toMatchObject({
      status: "read",
      sentAt: new Date(1767610981000),
      deliveredAt: new Date(1767610983000),
      readAt: new Date(1767611105000),
    });

    // a relayed batch naming the message by wamid, by Gupshup id, and by both: one message, one outcome
    const relay = await outboundFixture();
    const relayGsId = randomUUID();
    const statuses = metaStatuses(relay.pnid, [
      { id: relay.wamid, status: "sent", at: at(11) },
      { id: relayGsId, status: "delivered", at: at(12) },
      { id: relayGsId, status: "read", at: at(13) },
    ]);
    Object.assign(statuses.entry[0]!.changes[0]!.value.statuses[2]!, { meta_msg_id: relay.wamid });
    await ingest(statuses);
    expect(await getMessageByWamid(t.db, { tenantId: relay.tenantId, wamid: relay.wamid })).toMatchObject({
      status: "read",
      sentAt: at(11),
      deliveredAt: at(12),
      readAt: at(13),
    });

    const cloud = await setup();
    const from = phone();
    await ingest(metaMessages(cloud.pnid, [{ from, wamid: wamid(), at: at(0) }]));
    const { outcome } = await ingest(
      metaStatuses(cloud.pnid, [
        { id: "wamid.NEVER-STORED", status: "delivered", at: at(50), recipient: from },
        { id: "wamid.NOBODY", status: "read", at: at(50), recipient: "19995550000" },
      ]),
    );
    expect(outcome.status).toBe("processed");
    expect(await subscriberByPhone(cloud.tenantId, `+${from}`)).toMatchObject({ lastMessageStatus: "delivered", lastDeliveredAt: at(50) });
    expect(await getMessageByWamid(t.db, { tenantId: cloud.tenantId, wamid: "wamid.NEVER-STORED" })).toBeNull();
  });

  it("opts out on an exact keyword, cancels pending drip rows, and opts back in on START", async () => {
    const { tenantId, pnid } = await setup();
    const from = phone();
    const other = phone();
    await ingest(
      metaMessages(pnid, [
        { from, wamid: wamid(), at: at(0) },
        { from: other, wamid: wamid(), at: at(0) },
      ]),
    );
    const s = await subscriberByPhone(tenantId, `+${from}`);
    const queued = await t.db
      .insert(outboundMessages)
      .values([
        { tenantId, subscriberId: s.id, phone: `+${from}`, templateName: "d1", scheduledAt: at(HOUR), status: "pending" },
        { tenantId, phone: `+${from}`, templateName: "d2", scheduledAt: at(HOUR), status: "pending" }, // queued by phone before the subscriber existed
        { tenantId, subscriberId: s.id, phone: `+${from}`, templateName: "d0", scheduledAt: at(0), status: "sent" },
        { tenantId, phone: `+${other}`, templateName: "d1", scheduledAt: at(HOUR), status: "pending" },
      ])
      .returning();

    await ingest(metaMessages(pnid, [{ from, wamid: wamid(), at: at(60), text: "Stop please" }]));
    expect((await subscriberByPhone(tenantId, `+${from}`)).status).toBe("active");
    const { event: stop } = await ingest(metaMessages(pnid, [{ from, wamid: wamid(), at: at(120), text: "  stop " }]));
    expect(await subscriberByPhone(tenantId, `+${from}`)).toMatchObject({ status: "opted_out", optOutAt: at(120), optInStatus: false });
    const rows = await t.db.select().from(outboundMessages).where(eq(outboundMessages.tenantId, tenantId));
    const statusOf = (id: string) => rows.find((r) => r.id === id)!;
    expect([queued[0], queued[1], queued[2], queued[3]].map((q) => statusOf(q!.id).status)).toEqual(["cancelled", "cancelled", "sent", "pending"]);
    expect(statusOf(queued[0]!.id)).toMatchObject({ errorCode: "opted_out" });

    await ingest(metaMessages(pnid, [{ from, wamid: wamid(), at: at(180), text: "START" }]));
    expect(await subscriberByPhone(tenantId, `+${from}`)).toMatchObject({ status: "active", optInAt: at(180), optInStatus: true, optOutAt: at(120) });
    await replayWebhookEvent(t.db, { tenantId, id: stop.id, now }); // an old STOP replayed does not undo the later START
    expect((await subscriberByPhone(tenantId, `+${from}`)).status).toBe("active");

    await t.db.update(subscribers).set({ status: "blocked" }).where(eq(subscribers.id, s.id));
    await ingest(metaMessages(pnid, [{ from, wamid: wamid(), at: at(240), text: "СТОП" }]));
    expect(await subscriberByPhone(tenantId, `+${from}`)).toMatchObject({ status: "blocked", optOutAt: at(240), optInStatus: false });
  });

  it("uses the tenant's own keyword lists", async () => {
    const { tenantId, pnid } = await setup();
    await t.db
      .update(tenants)
      .set({ optOutKeywords: ["BASTA"], optInKeywords: ["VOLVER"] })
      .where(eq(tenants.id, tenantId));
    const from = phone();
    await ingest(metaMessages(pnid, [{ from, wamid: wamid(), at: at(0), text: "STOP" }]));
    expect((await subscriberByPhone(tenantId, `+${from}`)).status).toBe("active");
    await ingest(metaMessages(pnid, [{ from, wamid: wamid(), at: at(10), text: "basta" }]));
    expect((await subscriberByPhone(tenantId, `+${from}`)).status).toBe("opted_out");
    await ingest(metaMessages(pnid, [{ from, wamid: wamid(), at: at(20), text: "Volver" }]));
    expect((await subscriberByPhone(tenantId, `+${from}`)).status).toBe("active");
  });

  it("applies Gupshup opted-out / opted-in user events, creating the subscriber when needed", async () => {
    const { tenantId, number } = await setup({ provider: "gupshup" });
    const opts = { provider: "gupshup" as const, numberId: number.id, tenantId };
    await t.db.insert(outboundMessages).values({ tenantId, phone: "+15550142101", templateName: "d1", scheduledAt: at(0), status: "pending" });
    const { event: out } = await ingest(fixtureText("gupshup-user-event-opted-out.json"), { ...opts, receivedAt: at(0) });
    expect(await subscriberByPhone(tenantId, "+15550142101")).toMatchObject({
      status: "opted_out",
      optOutAt: at(0),
      optInStatus: false,
      inboundCount: 0,
      rawLastEventType: "user-event",
    });
    expect((await t.db.select().from(outboundMessages).where(eq(outboundMessages.tenantId, tenantId)))[0]!.status).toBe("cancelled");
    await ingest(fixtureText("gupshup-user-event-opted-in.json"), { ...opts, receivedAt: at(60) });
    expect(await subscriberByPhone(tenantId, "+15550142101")).toMatchObject({ status: "active", optInAt: at(60), optInStatus: true });
    await replayWebhookEvent(t.db, { tenantId, id: out.id, now });
    expect((await subscriberByPhone(tenantId, "+15550142101")).status).toBe("active");
    const { outcome } = await ingest(fixtureText("gupshup-user-event-sandbox-start.json"), opts);
    expect(outcome.status).toBe("processed");
  });

  it("accepts users who hide their number, keyed by the business-scoped user id", async () => {
    const { tenantId, pnid } = await setup();
    const userId = `US.${next()}00000000001`;
    await ingest(metaMessages(pnid, [{ userId, username: "@hidden", name: "Hidden", wamid: wamid(), at: at(0) }]));
    const s = (await getSubscriberByUserId(t.db, { tenantId, userId }))!;
    expect(s).toMatchObject({ waPhone: null, waId: null, userId, username: "@hidden", profileName: "Hidden", phoneHash: null, country: null, inboundCount: 1 });

    // later the number is visible too: the same subscriber gains it (no second subscriber)
    const from = phone();
    await ingest(metaMessages(pnid, [{ from, userId, wamid: wamid(), at: at(60), name: "Hidden Person" }]));
    expect(await getSubscriberByUserId(t.db, { tenantId, userId })).toMatchObject({
      id: s.id,
      waPhone: `+${from}`,
      phoneHash: sha256Hex(from),
      inboundCount: 2,
      profileName: "Hidden Person",
    });

    await ingest(fixtureFor("meta-text-bsuid.json", pnid));
    expect(await subscriberByPhone(tenantId, "+15550142005")).toMatchObject({
      userId: "US.70000000000000000005",
      username: "@priya_ct",
      profileName: "Priya Raman",
    });
  });

  it("keeps unrouted events and processes them once the number is connected", async () => {
    const tenant = await insertTenant(t.db, { name: "Late" });
    const known = await addNumber(tenant.id);
    const pnid = String(800000000000000 + next());
    const from = phone();
    const lone = metaMessages(pnid, [{ from, wamid: wamid(), at: at(0) }]);
    const { event, outcome } = await ingest(lone);
    expect(outcome.status).toBe("unrouted");
    expect(await eventRow(event.id)).toMatchObject({ status: "unrouted", tenantId: null, processedAt: null, routedPhoneNumberIds: [pnid] });

    // a batch naming a known and an unknown number: the known part is applied now, the rest waits
    const mixedA = metaMessages(known.phoneNumberId!, [{ from, wamid: wamid(), at: at(5) }]);
    const mixedB = metaMessages(pnid, [{ from, wamid: wamid(), at: at(6) }]);
    const { event: mixed } = await ingest({ ...mixedA, entry: [...mixedA.entry, ...mixedB.entry] });
    expect(await eventRow(mixed.id)).toMatchObject({ status: "unrouted", tenantId: tenant.id });
    expect((await subscriberByPhone(tenant.id, `+${from}`)).inboundCount).toBe(1);

    await addNumber(tenant.id, { phoneNumberId: pnid });
    const summary = await reprocessUnroutedEvents(t.db, { phoneNumberId: pnid, now });
    expect(summary).toMatchObject({ processed: 2, unrouted: 0, failed: 0 });
    expect(await eventRow(event.id)).toMatchObject({ status: "processed", tenantId: tenant.id, processedAt: now });
    expect((await subscriberByPhone(tenant.id, `+${from}`)).inboundCount).toBe(3);
  });

  it("does not let a poison event block the others of its batch", async () => {
    const { tenantId, pnid } = await setup();
    await t.db.execute(sql`create or replace function poison_guard() returns trigger language plpgsql as $$
      begin if new.wamid like 'wamid.POISON%' then raise exception 'poisoned message %', new.wamid; end if; return new; end $$`);
    await t.db.execute(sql`create trigger poison_guard before insert on messages for each row execute function poison_guard()`);
    try {
      const senders = [phone(), phone(), phone()];
      const bodies = [
        metaMessages(pnid, [{ from: senders[0], wamid: wamid(), at: at(0) }]),
        metaMessages(pnid, [{ from: senders[1], wamid: "wamid.POISON-1", at: at(0) }]),
        "{ this is not json",
        metaMessages(pnid, [{ from: senders[2], wamid: wamid(), at: at(0) }]),
      ];
      const stored = [];
      for (const body of bodies) {
        stored.push(
          await storeWebhookEvent(t.db, { provider: "cloud", rawBody: typeof body === "string" ? body : JSON.stringify(body), signatureResult: "valid" }),
        );
      }
      const summary = await processWebhookEvents(t.db, { ids: stored.map((e) => e.id), now });
      expect(summary).toMatchObject({ processed: 2, failed: 2, messagesInserted: 2 });
      expect(await eventRow(stored[1]!.id)).toMatchObject({ status: "failed", attempts: 1, error: expect.stringContaining("poisoned message wamid.POISON-1") });
      expect(await eventRow(stored[2]!.id)).toMatchObject({ status: "failed", error: expect.stringMatching(/JSON/) });
      expect((await subscriberByPhone(tenantId, `+${senders[0]}`)).inboundCount).toBe(1);
      expect((await subscriberByPhone(tenantId, `+${senders[2]}`)).inboundCount).toBe(1);
      expect(await getSubscriberByWaPhone(t.db, { tenantId, waPhone: `+${senders[1]}` })).toBeNull(); // rolled back whole

      await t.db.execute(sql`drop trigger poison_guard on messages`);
      expect(await replayWebhookEvent(t.db, { tenantId, id: stored[1]!.id, now })).toMatchObject({ status: "processed" });
      expect(await eventRow(stored[1]!.id)).toMatchObject({ status: "processed", attempts: 2, error: null });
    } finally {
      await t.db.execute(sql`drop trigger if exists poison_guard on messages`);
    }
  });

  it("strips NUL characters a payload escapes instead of failing the event forever", async () => {
    const { tenantId, pnid } = await setup();
    const from = phone();
    const raw = JSON.stringify(metaMessages(pnid, [{ from, wamid: wamid(), at: at(0), text: "nul\u0000here" }]));
    expect(raw).toContain("\\u0000");
    const { outcome } = await ingest(raw);
    expect(outcome.status).toBe("processed");
    const [m] = await listSubscriberMessages(t.db, { tenantId, subscriberId: (await subscriberByPhone(tenantId, `+${from}`)).id });
    expect(m!.textPreview).toBe("nulhere");
  });

  it("records a number change, stores history sync without counting the business's own messages", async () => {
    const { tenantId, pnid } = await setup();
    await ingest(fixtureFor("meta-text.json", pnid));
    await ingest(fixtureFor("meta-system-user-changed-number.json", pnid));
    const s = await subscriberByPhone(tenantId, "+15550142001");
    expect(s).toMatchObject({ inboundCount: 1, rawLastEventType: "user_changed_number" });
    const [system] = await listSubscriberMessages(t.db, { tenantId, subscriberId: s.id });
    expect(system).toMatchObject({ wamid: "wamid.CT-SYSTEM-0001", type: "system", textPreview: "User changed number to +15550142009", direction: "inbound" });

    const h = await setup();
    await ingest(fixtureFor("meta-history.json", h.pnid));
    const customer = await subscriberByPhone(h.tenantId, "+15550142001");
    expect(customer.inboundCount).toBe(1);
    const rows = await listSubscriberMessages(t.db, { tenantId: h.tenantId, subscriberId: customer.id });
    expect(rows.map((r) => [r.direction, r.status, r.conversationId])).toEqual(
      expect.arrayContaining([
        ["outbound", "read", null],
        ["outbound", "read", null],
        ["inbound", "received", null],
      ]),
    );
    expect(await subscriberByPhone(h.tenantId, "+15550142003")).toMatchObject({ inboundCount: 0 });
  });

  it("applies template, quality and account fields to the WABA's numbers; inactive numbers still ingest", async () => {
    const waba = `WABA-${next()}`;
    // the quality update names the number by its display phone (15550100001 in the fixtures)
    const { tenantId, number } = await setup({ wabaId: waba, phoneE164: "+15550100001", active: false });
    const [template] = await t.db
      .insert(templates)
      .values({ tenantId, name: `tpl-${next()}`, title: "Day 1", content: "Hi", metaTemplate: { name: "drip_day_1", language: "en_US", parameters: [] } })
      .returning();
    const withWaba = (file: string) => fixtureText(file, { [FIXTURE_WABA]: waba });

    expect((await ingest(withWaba("meta-template-status-approved.json"))).outcome.status).toBe("processed");
    expect((await t.db.select().from(templates).where(eq(templates.id, template!.id)))[0]!.metaTemplate).toMatchObject({
      name: "drip_day_1",
      status: "APPROVED",
    });

    await ingest(withWaba("meta-phone-number-quality-update.json"));
    expect(await getNumberById(t.db, { tenantId, id: number.id })).toMatchObject({ messagingLimitTier: "TIER_10K" });

    await ingest(withWaba("meta-account-update-violation.json"));
    const banned = (await getNumberById(t.db, { tenantId, id: number.id }))!;
    expect(banned.connectionStatus).toBe("error");
    expect(banned.lastError).toMatchObject({ kind: "account_update", event: "ACCOUNT_VIOLATION", message: expect.stringContaining("SCAM") });
    await ingest(withWaba("meta-account-update-disabled.json")); // ban_info REINSTATE
    expect(await getNumberById(t.db, { tenantId, id: number.id })).toMatchObject({ connectionStatus: "unverified", lastError: null });

    const from = phone();
    const { outcome } = await ingest(metaMessages(number.phoneNumberId!, [{ from, wamid: wamid(), at: at(0) }]));
    expect(outcome.status).toBe("processed"); // inactive only stops sending
    expect((await ingest(fixtureText("meta-account-update-violation.json", { [FIXTURE_WABA]: "WABA-NOBODY" }))).outcome.status).toBe("unrouted");
  });

  it("drains stored events in batches and never processes a rejected one", async () => {
    const { tenantId, pnid } = await setup();
    await processWebhookEvents(t.db, {
      ids: (await t.db.select({ id: webhookEvents.id }).from(webhookEvents).where(eq(webhookEvents.status, "received"))).map((r) => r.id),
      now,
    });
    const senders = Array.from({ length: 30 }, () => phone());
    for (const from of senders) {
      await storeWebhookEvent(t.db, {
        provider: "cloud",
        rawBody: JSON.stringify(metaMessages(pnid, [{ from, wamid: wamid(), at: at(0) }])),
        signatureResult: "valid",
      });
    }
    const rejected = await storeWebhookEvent(t.db, {
      provider: "cloud",
      rawBody: JSON.stringify(metaMessages(pnid, [{ from: phone(), wamid: wamid(), at: at(0) }])),
      signatureResult: "invalid",
      status: "rejected",
      error: "bad signature",
    });
    const first = await drainWebhookEvents(t.db, { now, limit: 20 });
    const second = await drainWebhookEvents(t.db, { now, limit: 20 });
    expect([first.processed, second.processed, first.messagesInserted + second.messagesInserted]).toEqual([20, 10, 30]);
    expect((await drainWebhookEvents(t.db, { now })).outcomes).toEqual([]);
    const count = await t.db
      .select({ n: sql<number>`count(*)::int` })
      .from(subscribers)
      .where(eq(subscribers.tenantId, tenantId));
    expect(count[0]!.n).toBe(30);

    expect((await processWebhookEvents(t.db, { ids: [rejected.id], now })).outcomes).toEqual([{ id: rejected.id, status: "skipped", error: null }]);
    await expect(replayWebhookEvent(t.db, { tenantId, id: rejected.id, now })).rejects.toMatchObject({ code: "conflict" });
    expect(await eventRow(rejected.id)).toMatchObject({ status: "rejected", attempts: 0 });

    // an unrouted body whose signature could not be checked yet is never processed, even once its number exists
    const unverified = await storeWebhookEvent(t.db, {
      provider: "cloud",
      rawBody: JSON.stringify(metaMessages(pnid, [{ from: phone(), wamid: wamid(), at: at(0) }])),
      signatureResult: "unverified",
      status: "unrouted",
      routedPhoneNumberIds: [pnid],
    });
    expect((await reprocessUnroutedEvents(t.db, { phoneNumberId: pnid, now })).outcomes).toEqual([{ id: unverified.id, status: "skipped", error: null }]);
    await expect(replayWebhookEvent(t.db, { tenantId, id: unverified.id, now })).rejects.toMatchObject({ code: "conflict" });
    expect(await eventRow(unverified.id)).toMatchObject({ status: "unrouted", attempts: 0 });
  });

  it("scopes replay to the tenant's events", async () => {
    const a = await setup();
    const b = await setup();
    const { event } = await ingest(metaMessages(a.pnid, [{ from: phone(), wamid: wamid(), at: at(0) }]));
    await expect(replayWebhookEvent(t.db, { tenantId: b.tenantId, id: event.id, now })).rejects.toMatchObject({ code: "not_found" });
    expect(await getSubscriberById(t.db, { tenantId: b.tenantId, id: randomUUID() })).toBeNull();
  });

  it("keeps a subset of headers and the body exactly as received", async () => {
    const body = '{"object":"whatsapp_business_account",  "entry":[]}\n';
    const headers = new Headers({
      "Content-Type": "application/json",
      "X-Hub-Signature-256": "sha256=abc",
      Cookie: "secret=1",
      "User-Agent": "facebookexternalua",
    });
    const row = await storeWebhookEvent(t.db, { provider: "cloud", rawBody: body, headers, signatureResult: "valid", routedPhoneNumberIds: [] });
    expect(row).toMatchObject({
      rawBody: body,
      status: "received",
      headers: { "content-type": "application/json", "x-hub-signature-256": "sha256=abc", "user-agent": "facebookexternalua" },
    });
    expect(row.headers).not.toHaveProperty("cookie");
    expect((await processWebhookEvents(t.db, { ids: [row.id], now })).outcomes[0]!.status).toBe("processed");
  });
});
