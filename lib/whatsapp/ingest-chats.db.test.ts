// The inbox's chats, kept by ingestion: signed Cloud webhooks through receive and processing, on both drivers.
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getMessageByWamid, getSubscriberByWaPhone, insertTenant, markPhoneNumberIdProven, rebuildChats } from "@/db/queries";
import { chats, conversations } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { createNumber } from "@/lib/numbers/numbers";
import { numberFormSchema } from "@/lib/numbers/schemas";
import { processWebhookEvents } from "./ingest";
import { type PayloadNumber, type PayloadReferral, inboundMessage, webhookEnvelope } from "./payloads";
import { receiveCloudWebhook } from "./receive";
import { signMetaBody } from "./signature";
import { fixtureText } from "@/test/fixtures/webhooks";

const fixtureJson = (name: string, replace: Record<string, string>): unknown => JSON.parse(fixtureText(name, replace));

const KEY = Buffer.alloc(32, 21).toString("base64");
const APP_SECRET = "chats-app-secret-0123456789abcdef";
const now = new Date("2031-01-01T00:00:00.000Z");
const T0 = new Date("2030-03-01T10:00:00.000Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const DAY_MS = 24 * 3600 * 1000;

const adReferral = (adId: string, clid: string): PayloadReferral => ({
  sourceUrl: `https://fb.me/${adId}`,
  sourceId: adId,
  sourceType: "ad",
  headline: "Spring course",
  body: "Enrol now",
  mediaType: "image",
  mediaUrl: "https://example.com/ad.jpg",
  ctwaClid: clid,
});

describe.each(testDrivers)("chats kept by ingestion (%s)", (kind) => {
  let t: TestDb;
  let tenantId = "";
  const numbers: { id: string; payload: PayloadNumber }[] = [];
  let seq = 0;
  const phone = () => `1650444${String((seq += 1)).padStart(4, "0")}`;
  const wamid = () => `wamid.CH${(seq += 1)}.${randomUUID()}`;

  beforeAll(async () => {
    t = await createTestDb(kind);
    tenantId = (await insertTenant(t.db, { name: "Inbox" })).id;
    const keys = { encryptionKey: KEY, appUrl: "http://localhost:3000" };
    for (const i of [1, 2]) {
      const pnid = `32100000000000${i}`;
      const number = await createNumber(t.db, keys, {
        tenantId,
        input: numberFormSchema.parse({
          provider: "cloud",
          label: `Line ${i}`,
          phoneE164: `+1555020000${i}`,
          phoneNumberId: pnid,
          wabaId: "311000000000001",
          accessToken: "t",
          appSecret: APP_SECRET,
        }),
      });
      await markPhoneNumberIdProven(t.db, { tenantId, id: number.id, at: now });
      numbers.push({ id: number.id, payload: { phoneNumberId: pnid, displayPhoneNumber: `1555020000${i}`, wabaId: "311000000000001" } });
    }
  });
  afterAll(() => t.cleanup());

  /** Posts a body signed with the number's app secret, then processes the stored event. */
  async function deliver(body: unknown) {
    const rawBody = JSON.stringify(body);
    const headers = new Headers({ "content-type": "application/json", "x-hub-signature-256": signMetaBody(rawBody, APP_SECRET) });
    const received = await receiveCloudWebhook(t.db, { encryptionKey: KEY }, { rawBody, headers });
    expect(received.status).toBe(200);
    const eventId = (received.body as { eventId: string }).eventId;
    const summary = await processWebhookEvents(t.db, { ids: [eventId], now });
    expect(summary.outcomes[0]).toMatchObject({ status: "processed", error: null });
  }
  const send = (n: number, m: { from: string; wamid: string; at: Date; text?: string; referral?: PayloadReferral }) =>
    deliver(inboundMessage(numbers[n]!.payload, { ...m, from: { waId: m.from, name: "Ana" } }));

  const chatsOf = async (subscriberId: string) =>
    t.db
      .select()
      .from(chats)
      .where(and(eq(chats.tenantId, tenantId), eq(chats.subscriberId, subscriberId)))
      .orderBy(chats.lastMessageAt, chats.numberId);
  const subscriber = async (from: string) => (await getSubscriberByWaPhone(t.db, { tenantId, waPhone: `+${from}` }))!;
  const messageId = async (w: string) => (await getMessageByWamid(t.db, { tenantId, wamid: w }))!.id;

  it("creates one chat on the first inbound: unread 1, its preview, window and conversation", async () => {
    const from = phone();
    const w = wamid();
    await send(0, { from, wamid: w, at: T0, text: "Hello, is the course still open?" });
    const s = await subscriber(from);
    const list = await chatsOf(s.id);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      numberId: numbers[0]!.id,
      unreadCount: 1,
      lastMessageAt: T0,
      lastMessageId: await messageId(w),
      lastMessageDirection: "inbound",
      lastMessageType: "text",
      lastMessagePreview: "Hello, is the course still open?",
      lastInboundAt: T0,
      latestConversationId: s.conversationId,
      windowExpiresAt: new Date(T0.getTime() + DAY_MS),
      adConversationId: null,
      adId: null,
      assignedUserId: null,
      demo: false,
    });
  });

  it("counts a second message as unread and moves the last message and the window", async () => {
    const from = phone();
    await send(0, { from, wamid: wamid(), at: T0, text: "one" });
    const w = wamid();
    await send(0, { from, wamid: w, at: at(60), text: "two" });
    const s = await subscriber(from);
    const [chat] = await chatsOf(s.id);
    expect(chat).toMatchObject({
      unreadCount: 2,
      lastMessageAt: at(60),
      lastMessageId: await messageId(w),
      lastMessagePreview: "two",
      lastInboundAt: at(60),
      latestConversationId: s.conversationId,
      windowExpiresAt: new Date(at(60).getTime() + DAY_MS),
    });
  });

  it("applies several messages of one delivery in one go: every one unread, the newest last", async () => {
    const from = phone();
    const [w1, w2] = [wamid(), wamid()];
    const messages = [
      { from, id: w2, timestamp: String(at(20).getTime() / 1000), type: "text", text: { body: "second" } },
      { from, id: w1, timestamp: String(at(10).getTime() / 1000), type: "text", text: { body: "first" } },
    ];
    await deliver(webhookEnvelope(numbers[0]!.payload, { contacts: [{ profile: { name: "Bo" }, wa_id: from }], messages }));
    const [chat] = await chatsOf((await subscriber(from)).id);
    expect(chat).toMatchObject({ unreadCount: 2, lastMessageAt: at(20), lastMessageId: await messageId(w2), lastMessagePreview: "second" });
  });

  it("makes a second chat when the same person writes to a second number", async () => {
    const from = phone();
    await send(0, { from, wamid: wamid(), at: T0, text: "to line 1" });
    await send(1, { from, wamid: wamid(), at: at(30), text: "to line 2" });
    const list = await chatsOf((await subscriber(from)).id);
    expect(list.map((c) => [c.numberId, c.unreadCount, c.lastMessagePreview])).toEqual([
      [numbers[0]!.id, 1, "to line 1"],
      [numbers[1]!.id, 1, "to line 2"],
    ]);
    // Meta's 24 h window is per business number: each chat has its own conversation and window, and writing to
    // line 2 neither extends line 1's window nor lets line 2 answer in line 1's conversation
    const s = await subscriber(from);
    const convs = await t.db.select().from(conversations).where(eq(conversations.subscriberId, s.id));
    expect(new Map(convs.map((c) => [c.numberId, c.windowExpiresAt]))).toEqual(
      new Map([
        [numbers[0]!.id, new Date(T0.getTime() + DAY_MS)],
        [numbers[1]!.id, new Date(at(30).getTime() + DAY_MS)],
      ]),
    );
    const byNumber = new Map(convs.map((c) => [c.numberId, c.id]));
    expect(list.map((c) => [c.latestConversationId, c.windowExpiresAt])).toEqual([
      [byNumber.get(numbers[0]!.id), new Date(T0.getTime() + DAY_MS)],
      [byNumber.get(numbers[1]!.id), new Date(at(30).getTime() + DAY_MS)],
    ]);
    expect(s.conversationId).toBe(byNumber.get(numbers[1]!.id));

    // back to line 1 inside its window: line 1's conversation again, extended; line 2's untouched
    await send(0, { from, wamid: wamid(), at: at(60), text: "line 1 again" });
    const after = new Map((await chatsOf(s.id)).map((c) => [c.numberId, c]));
    expect([numbers[0]!.id, numbers[1]!.id].map((n) => [after.get(n)?.latestConversationId, after.get(n)?.windowExpiresAt])).toEqual([
      [byNumber.get(numbers[0]!.id), new Date(at(60).getTime() + DAY_MS)],
      [byNumber.get(numbers[1]!.id), new Date(at(30).getTime() + DAY_MS)],
    ]);
  });

  it("keeps the ad conversation the chat began from, and moves to a newer ad click", async () => {
    const from = phone();
    await send(0, { from, wamid: wamid(), at: T0, text: "from the ad", referral: adReferral("AD-100", "clid-1") });
    const s = await subscriber(from);
    const [first] = await t.db.select().from(conversations).where(eq(conversations.subscriberId, s.id));
    expect((await chatsOf(s.id))[0]).toMatchObject({ adConversationId: first!.id, adId: "AD-100", latestConversationId: first!.id });

    await send(0, { from, wamid: wamid(), at: at(60), text: "plain follow-up" }); // same window: same conversation, same ad
    expect((await chatsOf(s.id))[0]).toMatchObject({ adConversationId: first!.id, adId: "AD-100", unreadCount: 2 });

    await send(0, { from, wamid: wamid(), at: at(120), text: "clicked again", referral: adReferral("AD-200", "clid-2") });
    const latest = (await subscriber(from)).conversationId;
    expect(latest).not.toBe(first!.id);
    expect((await chatsOf(s.id))[0]).toMatchObject({ adConversationId: latest, adId: "AD-200", latestConversationId: latest, unreadCount: 3 });
  });

  it("counts an older message arriving late as unread without moving the last message back", async () => {
    const from = phone();
    const newest = wamid();
    await send(0, { from, wamid: newest, at: at(100), text: "newest" });
    await send(0, { from, wamid: wamid(), at: at(50), text: "sent earlier, delivered late" });
    const [chat] = await chatsOf((await subscriber(from)).id);
    expect(chat).toMatchObject({
      unreadCount: 2,
      lastMessageAt: at(100),
      lastMessageId: await messageId(newest),
      lastMessagePreview: "newest",
      lastInboundAt: at(100),
      windowExpiresAt: new Date(at(100).getTime() + DAY_MS),
    });
  });

  it("takes a late ad click as the chat's ad conversation, but not as its latest conversation", async () => {
    const from = phone();
    await send(0, { from, wamid: wamid(), at: at(100), text: "organic first" });
    const s = await subscriber(from);
    await send(0, { from, wamid: wamid(), at: at(50), text: "clicked before, delivered late", referral: adReferral("AD-300", "clid-3") });
    const [ad] = await t.db
      .select()
      .from(conversations)
      .where(and(eq(conversations.subscriberId, s.id), eq(conversations.adId, "AD-300")));
    expect((await chatsOf(s.id))[0]).toMatchObject({
      latestConversationId: s.conversationId,
      adConversationId: ad!.id,
      adId: "AD-300",
      lastMessageAt: at(100),
      unreadCount: 2,
    });
  });

  it("counts a history sync as read: the chat shows its newest message, with no window", async () => {
    const body = fixtureJson("meta-history.json", { "320000000000001": numbers[0]!.payload.phoneNumberId });
    await deliver(body);
    const customer = await subscriber("15550142001");
    expect((await chatsOf(customer.id))[0]).toMatchObject({
      unreadCount: 0,
      lastMessageId: await messageId("wamid.CT-HIST-0003"),
      lastMessageDirection: "inbound",
      lastMessageAt: new Date(1767609800 * 1000),
      lastInboundAt: new Date(1767609800 * 1000),
      latestConversationId: null,
      windowExpiresAt: null,
    });
    const onlyOurs = await chatsOf((await subscriber("15550142003")).id);
    expect(onlyOurs).toEqual([
      expect.objectContaining({ unreadCount: 0, lastMessageDirection: "outbound", lastInboundAt: null, lastMessagePreview: "Your starter kit has shipped." }),
    ]);
  });

  it("changes nothing when a delivery is redelivered", async () => {
    const from = phone();
    const body = inboundMessage(numbers[0]!.payload, { from: { waId: from, name: "Ana" }, wamid: wamid(), at: T0, text: "once" });
    await deliver(body);
    const s = await subscriber(from);
    const before = await chatsOf(s.id);
    await deliver(body);
    expect(await chatsOf(s.id)).toEqual(before);
    expect(before[0]).toMatchObject({ unreadCount: 1 });
  });

  it("keeps every chat as a rebuild from the messages would make it, unread and read marks aside", async () => {
    const columns = (c: typeof chats.$inferSelect) => {
      const { id: _id, unreadCount: _u, lastReadAt: _r, createdAt: _c, updatedAt: _up, ...rest } = c;
      return rest;
    };
    const kept = await t.db.select().from(chats).where(eq(chats.tenantId, tenantId)).orderBy(chats.subscriberId, chats.numberId);
    expect(kept.length).toBeGreaterThan(8);
    await t.db.delete(chats).where(eq(chats.tenantId, tenantId));
    await rebuildChats(t.db, { tenantId, subscriberIds: [...new Set(kept.map((c) => c.subscriberId))] });
    const rebuilt = await t.db.select().from(chats).where(eq(chats.tenantId, tenantId)).orderBy(chats.subscriberId, chats.numberId);
    expect(rebuilt.map(columns)).toEqual(kept.map(columns));
    expect(rebuilt.every((c) => c.unreadCount === 0)).toBe(true);
  });
});
