// The inbox page's first render on both drivers: loadInbox (what page.tsx calls after requireUser) reads the
// filters from the URL, the first page of chats, the chat opened by ?chat= and the menus; the client tree
// (InboxView with its list, filters and the open chat) renders on the server from that data.
import { eq } from "drizzle-orm";
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { insertTenant } from "@/db/queries";
import { chats } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { createUser } from "@/lib/accounts/users";
import { loadDemoData } from "@/lib/demo/demo-data";
import { loadInbox } from "./load-inbox";

const search = { current: new URLSearchParams() };
vi.mock("next/navigation", () => ({
  useSearchParams: () => search.current,
  useRouter: () => ({ push: () => undefined, replace: () => undefined, refresh: () => undefined }),
  usePathname: () => "/inbox",
}));
const { InboxView } = await import("@/components/inbox/inbox-view");

const encryptionKey = Buffer.alloc(32, 7).toString("base64");
const now = new Date("2025-11-03T09:30:00.000Z");

describe.each(testDrivers)("inbox page loader (%s)", (kind) => {
  let t: TestDb;
  let tenantId = "";
  let managerId = "";
  let marketerId = "";

  beforeAll(async () => {
    t = await createTestDb(kind);
    tenantId = (await insertTenant(t.db, { name: "Inbox page" })).id;
    await loadDemoData(t.db, { tenantId, now, encryptionKey });
    managerId = (
      await createUser(t.db, { tenantId, input: { name: "Mara Manager", email: "mara@example.com", role: "manager", password: "a-long-passphrase" } })
    ).id;
    marketerId = (
      await createUser(t.db, { tenantId, input: { name: "Mark Marketer", email: "mark@example.com", role: "marketer", password: "a-long-passphrase" } })
    ).id;
  });
  afterAll(() => t.cleanup());

  const load = (raw: Record<string, string>, viewer: "manager" | "marketer" = "manager") =>
    loadInbox(t.db, {
      viewer: viewer === "manager" ? { id: managerId, role: "manager", tenantId } : { id: marketerId, role: "marketer", tenantId },
      raw,
      now,
    });

  it("loads the first page newest activity first, in the API's JSON shape, with the menus", async () => {
    const data = await load({});
    expect(data.page.rows).toHaveLength(50);
    expect(data.page.nextCursor).not.toBeNull();
    const times = data.page.rows.map((c) => c.lastMessage!.at);
    expect(typeof times[0]).toBe("string");
    expect([...times].sort().reverse()).toEqual(times);
    expect(data.numbers.length).toBeGreaterThan(0);
    expect(data.members.map((m) => m.name).sort()).toEqual(["Mara Manager", "Mark Marketer"]);
    expect(data.canAssign).toBe(true);
    expect(data.chat).toBeNull();
    expect(data.chatError).toBeNull();
  });

  it("a marketer gets no member list (they only take a chat for themselves)", async () => {
    const data = await load({}, "marketer");
    expect(data.canAssign).toBe(false);
    expect(data.members).toEqual([]);
  });

  it("applies the URL's filters and reports a bad one beside its field", async () => {
    const [first] = (await load({})).page.rows;
    await t.db.update(chats).set({ assignedUserId: marketerId, assignedAt: now }).where(eq(chats.id, first!.id));
    const mine = await load({ assigned: "me" }, "marketer");
    expect(mine.page.rows.map((c) => c.id)).toEqual([first!.id]);
    expect(mine.page.rows[0]!.assignee).toEqual({ id: marketerId, name: "Mark Marketer" });
    const unassigned = await load({ assigned: "unassigned" });
    expect(unassigned.page.rows.some((c) => c.id === first!.id)).toBe(false);

    // a member with chats assigned to them opens on "Mine"; "All" (assigned=anyone) and the others keep their view
    const opened = await load({}, "marketer");
    expect(opened.values.assigned).toBe("me");
    expect(opened.page.rows.map((c) => c.id)).toEqual([first!.id]);
    expect((await load({ assigned: "anyone" }, "marketer")).page.rows).toHaveLength(50);
    expect((await load({})).values.assigned).toBeUndefined(); // the manager has none assigned: every chat

    const bad = await load({ numberId: "not-a-uuid", q: "ab" });
    expect(bad.errors.numberId).toBeTruthy();
    expect(bad.errors.q).toBeTruthy();
    expect(bad.values).toEqual({});
    expect(bad.page.rows).toHaveLength(50);

    const adChat = (await load({})).page.rows.find((c) => c.ad?.adId);
    if (adChat) {
      const byAd = await load({ adId: adChat.ad!.adId! });
      expect(byAd.page.rows.length).toBeGreaterThan(0);
      expect(byAd.page.rows.every((c) => c.ad?.adId === adChat.ad!.adId)).toBe(true);
    }
  });

  it("opens the chat of ?chat= (by its id or a conversation's id), and says so for another workspace's or a bad one", async () => {
    const [first] = (await load({})).page.rows;
    const opened = await load({ chat: first!.id });
    expect(opened.chat?.id).toBe(first!.id);
    expect(opened.chatId).toBe(first!.id);

    const other = (await insertTenant(t.db, { name: "Elsewhere" })).id;
    const elsewhere = await loadInbox(t.db, { viewer: { id: managerId, role: "manager", tenantId: other }, raw: { chat: first!.id }, now });
    expect(elsewhere.chat).toBeNull();
    expect(elsewhere.chatError).toMatch(/not in this workspace/);
    expect(elsewhere.page.rows).toEqual([]);

    expect((await load({ chat: "nope" })).chatError).toMatch(/not a chat link/);
  });

  it("renders the inbox on the server: chat rows, filters, and the open chat's header", async () => {
    const data = await load({});
    const chat = data.page.rows[0]!;
    search.current = new URLSearchParams({ chat: chat.id });
    const opened = await load({ chat: chat.id });
    const client = new QueryClient();
    const html = renderToString(createElement(QueryClientProvider, { client }, createElement(InboxView, { ...opened, viewerId: managerId })));
    expect(html.match(/data-testid="chat-row"/g)).toHaveLength(50);
    expect(html).toContain('aria-label="Filter chats"');
    expect(html).toContain(`href="/subscribers/${chat.subscriber.id}"`);
    expect(html).toContain("Load more");
    // a demo chat explains that it cannot be answered instead of offering a box that would fail
    expect(html).toContain("demo chat");

    search.current = new URLSearchParams();
    const empty = await loadInbox(t.db, {
      viewer: { id: managerId, role: "manager", tenantId: (await insertTenant(t.db, { name: "Empty" })).id },
      raw: {},
      now,
    });
    const emptyHtml = renderToString(
      createElement(QueryClientProvider, { client: new QueryClient() }, createElement(InboxView, { ...empty, viewerId: managerId })),
    );
    expect(emptyHtml).toContain("No chats yet");
    expect(emptyHtml).toContain("Pick a chat");
    client.clear();
  });
});
