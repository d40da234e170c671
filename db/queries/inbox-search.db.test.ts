// A search of the inbox reads the newest chats first and keeps the matches (a common name fills its page there), or,
// when they do not fill a page, reads the matching subscribers' chats: both give the same pages, in the list's order,
// whatever the cursor. A name is tested on the chat's own search_name, which triggers keep equal to its subscriber's
// name and username; a phone prefix on the chat's subscriber. Here the walk reads 20 chats, so both ways are taken
// with a few hundred chats.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chats, subscribers, whatsappNumbers } from "../schema";
import { createTestDb, type TestDb, testDrivers } from "../testing";
import { insertTenant } from "./tenants";
import { type ChatListQuery, chatPageQuery, listChatPage, nameWalkQuery, phoneWalkQuery } from "./inbox";

const T0 = Date.parse("2030-05-01T12:00:00Z");
const WALK = 20;

describe.each(testDrivers)("inbox search pages (%s)", (kind) => {
  let t: TestDb;
  let tenantId = "";
  let numberId = "";

  beforeAll(async () => {
    t = await createTestDb(kind);
    tenantId = (await insertTenant(t.db, { name: "Search" })).id;
    const other = (await insertTenant(t.db, { name: "Other" })).id;
    const [n] = await t.db
      .insert(whatsappNumbers)
      .values({ tenantId, label: "Line", phoneE164: "+15550000001", provider: "cloud", verifyToken: "v-search" })
      .returning();
    numberId = n!.id;
    // 300 people, newest first: every third a Maria, two old Olgas; the other workspace has Marias too
    const people = Array.from({ length: 300 }, (_, i) => ({
      tenantId,
      waPhone: `+4915${String(100000000 + i)}`,
      firstSeenAt: new Date(T0 - 86_400_000),
      profileName: i === 250 || i === 290 ? `Olga ${i}` : i % 3 === 0 ? `Maria ${i}` : `Person ${i}`,
    }));
    const subs = await t.db.insert(subscribers).values(people).returning({ id: subscribers.id, waPhone: subscribers.waPhone });
    await t.db
      .insert(chats)
      .values(
        subs.map((s, i) => ({ tenantId, subscriberId: s.id, numberId, lastMessageAt: new Date(T0 - Math.floor(i / 2) * 60_000), lastMessagePreview: `m${i}` })),
      );
    await t.db.insert(subscribers).values({ tenantId: other, waPhone: "+4915999999999", firstSeenAt: new Date(T0), profileName: "Maria Elsewhere" });
  });
  afterAll(() => t.cleanup());

  /** Every page of a search, following the cursor, through listChatPage or only the subscribers' way. */
  async function pages(q: Omit<ChatListQuery, "cursor">, how: "list" | "subscribers") {
    const seen: string[][] = [];
    let cursor: ChatListQuery["cursor"];
    for (;;) {
      const query = { ...q, cursor };
      const rows = how === "list" ? await listChatPage(t.db, query, { walk: WALK }) : await chatPageQuery(t.db, query);
      const page = rows.slice(0, q.limit);
      seen.push(page.map((r) => r.subscriber.profileName!));
      if (rows.length <= q.limit) return seen;
      const last = page.at(-1)!;
      cursor = { at: last.chat.lastMessageAt, id: last.chat.id };
    }
  }

  it("a common name fills its pages from the newest chats, in the list's order, the same pages as the subscribers' way", async () => {
    const q = { tenantId, limit: 5, search: { kind: "name" as const, text: "maria" } };
    // the walk alone fills the first page (20 newest chats hold 7 Marias), and stops at the page's 6th
    expect((await nameWalkQuery(t.db, q, WALK)).length).toBe(6);
    const list = await pages(q, "list");
    expect(list).toEqual(await pages(q, "subscribers"));
    expect(list.flat()).toHaveLength(100);
    expect(list.flat().every((n) => n.startsWith("Maria"))).toBe(true);
  });

  it("a rare name, older than the walk reaches, is found the subscribers' way", async () => {
    const q = { tenantId, limit: 5, search: { kind: "name" as const, text: "olga" } };
    expect(await nameWalkQuery(t.db, q, WALK)).toHaveLength(0);
    expect(await pages(q, "list")).toEqual([["Olga 250", "Olga 290"]]);
  });

  it("a phone prefix pages the same both ways", async () => {
    const q = { tenantId, limit: 7, search: { kind: "phone" as const, digits: "49151000001" } };
    const list = await pages(q, "list");
    expect(list).toEqual(await pages(q, "subscribers"));
    expect(list.flat()).toHaveLength(100);
  });

  it("a phone prefix that many people share walks the newest chats", async () => {
    const q = { tenantId, limit: 5, search: { kind: "phone" as const, digits: "4915" } };
    expect((await phoneWalkQuery(t.db, q, WALK)).length).toBe(6);
    // a prefix none of the newest chats has: the walk finds nothing, the subscribers' way answers
    const rare = { tenantId, limit: 5, search: { kind: "phone" as const, digits: "49151000002" } };
    expect(await phoneWalkQuery(t.db, rare, WALK)).toHaveLength(0);
    expect((await pages(rare, "list")).flat()).toHaveLength(100);
  });

  it("a chat carries its subscriber's name and username, and follows a rename (the walk finds the new name, not the old)", async () => {
    const [oldest] = await t.db.select().from(chats).where(eq(chats.tenantId, tenantId)).orderBy(chats.lastMessageAt).limit(1);
    expect(oldest!.searchName).toMatch(/^(Maria|Person|Olga) \d+\n$/);
    await t.db.update(subscribers).set({ profileName: "Zeynep Kaya", username: "zeynep_k" }).where(eq(subscribers.id, oldest!.subscriberId));
    const [after] = await t.db.select({ searchName: chats.searchName }).from(chats).where(eq(chats.id, oldest!.id));
    expect(after!.searchName).toBe("Zeynep Kaya\nzeynep_k");
    const walkAll = { walk: 1000 };
    const byName = await listChatPage(t.db, { tenantId, limit: 5, search: { kind: "name", text: "zeynep kaya" } }, walkAll);
    expect(byName.map((r) => r.chat.id)).toEqual([oldest!.id]);
    const byUsername = await nameWalkQuery(t.db, { tenantId, limit: 5, search: { kind: "name", text: "EP_K" } }, 1000);
    expect(byUsername.map((r) => r.chat.id)).toEqual([oldest!.id]);
    // a pattern's wildcards are searched as themselves
    expect(await nameWalkQuery(t.db, { tenantId, limit: 5, search: { kind: "name", text: "zeynep%" } }, 1000)).toHaveLength(0);
  });
});
