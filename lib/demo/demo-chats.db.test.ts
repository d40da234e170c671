// The demo's inbox: loading writes one demo chat per demo subscriber and number; removing deletes them and rebuilds
// the chats of a demo subscriber who also wrote for real (through real ingestion) from the real messages alone.
import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "@/db/migrations-info";
import { getMessageByWamid, insertNumber, insertTenant } from "@/db/queries";
import { chats, subscribers } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { processWebhookEvents } from "@/lib/whatsapp/ingest";
import { inboundMessage } from "@/lib/whatsapp/payloads";
import { storeWebhookEvent } from "@/lib/whatsapp/store";
import { loadDemoData } from "./demo-data";
import { removeDemoData } from "./remove-demo-data";

const encryptionKey = Buffer.alloc(32, 7).toString("base64");
const now = new Date("2025-11-03T09:30:00.000Z");
const later = new Date(now.getTime() + 7 * 24 * 3600 * 1000); // after every demo window

describe.each(testDrivers)("demo chats (%s)", (kind) => {
  let t: TestDb;
  let tenantId = "";
  let realNumberId = "";
  let keptSubscriberId = "";
  const realWamid = `wamid.REAL.${randomUUID()}`;

  const pairsWithMessages = async () =>
    rowsOf<{ n: number }>(
      await t.db.execute(
        sql`select count(*)::int as n from (select distinct subscriber_id, number_id from messages where tenant_id = ${tenantId} and number_id is not null) p`,
      ),
    )[0]!.n;
  const chatsOfTenant = () => t.db.select().from(chats).where(eq(chats.tenantId, tenantId));

  beforeAll(async () => {
    t = await createTestDb(kind);
    tenantId = (await insertTenant(t.db, { name: "Demo inbox" })).id;
    await loadDemoData(t.db, { tenantId, now, encryptionKey });
  });
  afterAll(() => t.cleanup());

  it("loads one demo chat per demo subscriber and number, read, from its newest message", async () => {
    const list = await chatsOfTenant();
    expect(list.length).toBeGreaterThan(100);
    expect(list).toHaveLength(await pairsWithMessages());
    expect(list.every((c) => c.demo && c.unreadCount === 0 && c.lastMessageId !== null)).toBe(true);
    const newest = rowsOf<{ id: string; provider_timestamp: string | Date }>(
      await t.db.execute(sql`
        select m.id, m.provider_timestamp from messages m
        where m.subscriber_id = ${list[0]!.subscriberId} and m.number_id = ${list[0]!.numberId}
        order by m.provider_timestamp desc, m.id desc limit 1`),
    )[0]!;
    expect(list[0]).toMatchObject({ lastMessageId: newest.id, lastMessageAt: new Date(newest.provider_timestamp) });
    expect(list.some((c) => c.adId !== null && c.adConversationId !== null)).toBe(true);
  });

  it("removes the demo chats and rebuilds a kept subscriber's real chat from its real messages", async () => {
    const number = await insertNumber(t.db, {
      tenantId,
      label: "Real line",
      phoneE164: "+15550783881",
      provider: "cloud",
      phoneNumberId: "106540352242999",
      verifyToken: randomUUID(),
      active: true,
    });
    realNumberId = number.id;
    const [demoSub] = await t.db
      .select()
      .from(subscribers)
      .where(and(eq(subscribers.tenantId, tenantId), eq(subscribers.demo, true), eq(subscribers.status, "active")))
      .limit(1);
    keptSubscriberId = demoSub!.id;
    const body = inboundMessage(
      { phoneNumberId: number.phoneNumberId!, displayPhoneNumber: "15550783881", wabaId: "WABA" },
      { from: { waId: demoSub!.waPhone!.slice(1), name: "Real" }, wamid: realWamid, at: later, text: "Writing for real" },
    );
    const rawBody = JSON.stringify(body);
    const event = await storeWebhookEvent(t.db, {
      provider: "cloud",
      rawBody,
      signatureResult: "valid",
      routedPhoneNumberIds: [number.phoneNumberId!],
      receivedAt: later,
    });
    expect((await processWebhookEvents(t.db, { ids: [event.id], now: later })).outcomes[0]).toMatchObject({ status: "processed", error: null });
    const before = await t.db.select().from(chats).where(eq(chats.subscriberId, keptSubscriberId));
    expect(before.filter((c) => !c.demo).map((c) => [c.numberId, c.unreadCount])).toEqual([[realNumberId, 1]]);

    await removeDemoData(t.db, { tenantId, now: later });

    expect(await chatsOfTenant()).toHaveLength(1);
    const [chat] = await chatsOfTenant();
    const [kept] = await t.db.select().from(subscribers).where(eq(subscribers.id, keptSubscriberId));
    expect(chat).toMatchObject({
      subscriberId: keptSubscriberId,
      numberId: realNumberId,
      demo: false,
      unreadCount: 1, // a rebuild keeps what the inbox had not read
      lastMessageId: (await getMessageByWamid(t.db, { tenantId, wamid: realWamid }))!.id,
      lastMessageAt: later,
      lastMessagePreview: "Writing for real",
      lastInboundAt: later,
      latestConversationId: kept!.conversationId,
      windowExpiresAt: kept!.conversationExpiresAt,
      adConversationId: null,
      adId: null,
    });
  });
});
