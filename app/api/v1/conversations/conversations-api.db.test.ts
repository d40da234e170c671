// The inbox API through its route handlers on both drivers, with messages arriving through the real signed
// ingestion (Cloud API webhooks signed with the app secret, Green API notifications with the webhook token):
// the list's order, filters, search and cursor pages, tenant isolation, the transcript (media, a reaction on its
// message, a quoted reply, a location, the referral and a conversion inline), assignment per role, and read
// marks with Meta's read receipt recorded at the fake Graph.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import { getSubscriberByWaPhone, insertTenant, insertUser, markPhoneNumberIdProven } from "@/db/queries";
import { conversions, whatsappNumbers } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { startFakeGraph, type FakeGraph } from "@/e2e/fakes/fake-graph";
import { serveCloudMessages } from "@/e2e/fakes/fake-senders";
import { createApiKey } from "@/lib/api-keys";
import { encryptSecret } from "@/lib/crypto";
import { setEnvForTests } from "@/lib/env";
import { receiveGreenWebhook } from "@/lib/green/receive";
import { getGreenWebhookSetup, issueGreenWebhookToken } from "@/lib/green/webhook-token";
import { createNumber } from "@/lib/numbers/numbers";
import { numberFormSchema } from "@/lib/numbers/schemas";
import { processWebhookEvents } from "@/lib/whatsapp/ingest";
import { inboundMessage, type PayloadNumber } from "@/lib/whatsapp/payloads";
import { receiveCloudWebhook } from "@/lib/whatsapp/receive";
import { signMetaBody } from "@/lib/whatsapp/signature";
import { type Browser, CONSOLE_APP, consoleBrowsers, type RequestState } from "@/test/console-browser";
import { fixtureText } from "@/test/fixtures/webhooks";

const current: RequestState & { db?: Db } = { headers: new Headers(), set: [] };
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<typeof ClientModule>()), getDb: async () => current.db! }));
vi.mock("next/headers", async (importOriginal) => ({ ...(await importOriginal<object>()), headers: async () => current.headers }));

const list = await import("./route");
const one = await import("./[id]/route");
const transcript = await import("./[id]/messages/route");
const read = await import("./[id]/read/route");

const APP = CONSOLE_APP;
const AUTH_SECRET = "conversations-api-auth-secret-0123456789";
const KEY = Buffer.alloc(32, 23).toString("base64");
const APP_SECRET = "inbox-app-secret-0123456789abcdef";
const TOKEN = "EAAG-inbox-token";
const MIN = 60_000;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const { call } = consoleBrowsers<Json>(current, AUTH_SECRET);

describe.each(testDrivers)("/api/v1/conversations (%s)", (kind) => {
  let t: TestDb;
  let graph: FakeGraph;
  let cloudSends: ReturnType<typeof serveCloudMessages>;
  let restoreEnv = () => {};
  let tenantId = "";
  let key = "";
  let otherKey = "";
  const users: Record<"manager" | "marketer" | "marketer2" | "stranger", string> = { manager: "", marketer: "", marketer2: "", stranger: "" };
  const pnid = kind === "pglite" ? "333000000000101" : "333000000000201";
  const otherPnid = kind === "pglite" ? "333000000000102" : "333000000000202";
  let cloud: { id: string; payload: PayloadNumber };
  let otherCloud: { id: string; payload: PayloadNumber };
  let greenId = "";
  const now = Math.floor(Date.now() / 1000) * 1000; // webhook timestamps are whole seconds
  const wamids = { text: "", image: "", location: "", reply: "", reaction: "" };
  const chats: Record<"ana" | "bo" | "cy" | "other", string> = { ana: "", bo: "", cy: "", other: "" };
  let anaConversation = "";
  let otherTenant = "";
  let otherConversation = "";

  async function cloudNumber(tenant: string, id: string, label: string, phone: string) {
    const n = await createNumber(
      t.db,
      { encryptionKey: KEY, appUrl: APP },
      {
        tenantId: tenant,
        input: numberFormSchema.parse({
          provider: "cloud",
          label,
          phoneE164: phone,
          phoneNumberId: id,
          wabaId: "311000000000009",
          accessToken: TOKEN,
          appSecret: APP_SECRET,
        }),
      },
    );
    await markPhoneNumberIdProven(t.db, { tenantId: tenant, id: n.id, at: new Date() });
    return { id: n.id, payload: { phoneNumberId: id, displayPhoneNumber: phone.slice(1), wabaId: "311000000000009" } };
  }

  async function deliverCloud(body: unknown) {
    const rawBody = JSON.stringify(body);
    const headers = new Headers({ "content-type": "application/json", "x-hub-signature-256": signMetaBody(rawBody, APP_SECRET) });
    const received = await receiveCloudWebhook(t.db, { encryptionKey: KEY }, { rawBody, headers });
    expect(received.status).toBe(200);
    const summary = await processWebhookEvents(t.db, { ids: [(received.body as { eventId: string }).eventId], now: new Date() });
    expect(summary.outcomes[0]).toMatchObject({ status: "processed", error: null });
  }
  const send = (n: { payload: PayloadNumber }, m: Parameters<typeof inboundMessage>[1], context?: string) => {
    const body = inboundMessage(n.payload, m) as { entry: { changes: { value: { messages: Record<string, unknown>[] } }[] }[] };
    if (context) body.entry[0]!.changes[0]!.value.messages[0]!.context = { from: n.payload.displayPhoneNumber, id: context };
    return deliverCloud(body);
  };
  const chatIdOf = async (phone: string, tenant = tenantId) => {
    const s = await getSubscriberByWaPhone(t.db, { tenantId: tenant, waPhone: `+${phone}` });
    const r = await call(list.GET, null, { query: `q=${phone}`, bearer: tenant === tenantId ? key : otherKey });
    return { chat: r.json.rows[0].id as string, conversation: s!.conversationId! };
  };

  beforeAll(async () => {
    t = await createTestDb(kind);
    current.db = t.db;
    graph = await startFakeGraph();
    cloudSends = serveCloudMessages(graph, { [pnid]: TOKEN });
    restoreEnv = setEnvForTests({ APP_URL: APP, AUTH_SECRET, ENCRYPTION_KEY: KEY, GRAPH_API_BASE: graph.url, GRAPH_API_VERSION: "v24.0" });
    tenantId = (await insertTenant(t.db, { name: "Inbox API" })).id;
    otherTenant = (await insertTenant(t.db, { name: "Other" })).id;
    for (const role of ["manager", "marketer", "marketer2"] as const) {
      users[role] = (
        await insertUser(t.db, {
          tenantId,
          role: role === "marketer2" ? "marketer" : role,
          email: `${role}-${kind}@example.com`,
          name: role,
          passwordHash: "x",
        })
      ).id;
    }
    users.stranger = (
      await insertUser(t.db, { tenantId: otherTenant, role: "admin", email: `stranger-${kind}@example.com`, name: "Stranger", passwordHash: "x" })
    ).id;
    key = (await createApiKey(t.db, { tenantId, name: "k", createdBy: null })).secret;
    otherKey = (await createApiKey(t.db, { tenantId: otherTenant, name: "k", createdBy: null })).secret;
    cloud = await cloudNumber(tenantId, pnid, "Sales", "+15550300001");
    otherCloud = await cloudNumber(otherTenant, otherPnid, "Theirs", "+15550300002");
    const [g] = await t.db
      .insert(whatsappNumbers)
      .values({
        tenantId,
        provider: "green",
        label: "Green line",
        phoneE164: "+15550100005",
        verifyToken: `verify-inbox-${kind}-green`,
        greenApiUrl: "https://7103.api.greenapi.com",
        greenInstanceId: "1101000101",
        greenTokenEnc: encryptSecret("green-token", KEY),
      })
      .returning();
    greenId = g!.id;
    await issueGreenWebhookToken(t.db, { encryptionKey: KEY }, { tenantId, id: greenId });
    const greenToken = (await getGreenWebhookSetup(t.db, { encryptionKey: KEY, appUrl: APP }, { tenantId, id: greenId }))!.token!;

    // Bo wrote 3 days ago (window closed); Cy wrote to the Green line 10 minutes ago; Ana came from an ad and wrote last
    await send(cloud, {
      from: { waId: "15550142002", name: "Bo Lindgren" },
      wamid: `wamid.BO.${randomUUID()}`,
      at: new Date(now - 3 * 24 * 60 * MIN),
      text: "Old question",
    });
    const rawBody = Buffer.from(
      fixtureText("green-incoming-text.json", { "1767611000": String(Math.floor((now - 10 * MIN) / 1000)), CTGREEN0IN000001: `CTGREEN${kind}IN1` }),
    );
    const received = await receiveGreenWebhook(
      t.db,
      { encryptionKey: KEY },
      { numberId: greenId, rawBody, headers: new Headers({ authorization: `Bearer ${greenToken}` }) },
    );
    expect(received.status).toBe(200);
    await processWebhookEvents(t.db, { ids: [(received.body as { eventId: string }).eventId], now: new Date() });
    const ana = { waId: "15550142001", name: "Ana Souza" };
    for (const k of Object.keys(wamids) as (keyof typeof wamids)[]) wamids[k] = `wamid.ANA-${k}.${randomUUID()}`;
    const referral = {
      sourceUrl: "https://fb.me/ad1",
      sourceId: "120210000000001",
      sourceType: "ad" as const,
      headline: "Spring course",
      body: "Enrol now",
      mediaType: "image" as const,
      mediaUrl: "https://example.com/ad.jpg",
      ctwaClid: "ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0-eM-GABDLOPaOdRMv-_zfUQ2a",
    };
    await send(cloud, { from: ana, wamid: wamids.text, at: new Date(now - 5 * MIN), text: "Hi from the ad", referral });
    await send(cloud, { from: ana, wamid: wamids.image, at: new Date(now - 4 * MIN), type: "image", text: "My receipt" });
    await send(cloud, { from: ana, wamid: wamids.location, at: new Date(now - 3 * MIN), type: "location" });
    await send(cloud, { from: ana, wamid: wamids.reply, at: new Date(now - 2 * MIN), text: "About my first message" }, wamids.text);
    await send(cloud, { from: ana, wamid: wamids.reaction, at: new Date(now - 1 * MIN), type: "reaction", reactTo: wamids.image });
    await send(otherCloud, {
      from: { waId: "15550142009", name: "Their customer" },
      wamid: `wamid.OTHER.${randomUUID()}`,
      at: new Date(now - MIN),
      text: "Hi",
    });

    ({ chat: chats.ana, conversation: anaConversation } = await chatIdOf("15550142001"));
    chats.bo = (await chatIdOf("15550142002")).chat;
    chats.cy = (await chatIdOf("15550142201")).chat;
    ({ chat: chats.other, conversation: otherConversation } = await chatIdOf("15550142009", otherTenant));
    await t.db.insert(conversions).values({
      tenantId,
      numberId: cloud.id,
      eventId: `purchase-${kind}`,
      eventName: "Purchase",
      eventTime: new Date(now - MIN),
      requestHash: "h",
      conversationId: anaConversation,
      subscriberId: (await getSubscriberByWaPhone(t.db, { tenantId, waPhone: "+15550142001" }))!.id,
      value: "49.90",
      currency: "EUR",
    });
  });
  afterAll(async () => {
    restoreEnv();
    await graph.close();
    await t.cleanup();
  });

  const ids = (r: { json: Json }) => (r.json.rows as { id: string }[]).map((row) => row.id);
  /** The list as a member's browser, or (who null) with an API key, the workspace's own by default. */
  const listing = (query: string, who: Browser | null = null, bearer = key) => call(list.GET, who, { query, bearer: who ? undefined : bearer });

  it("lists newest activity first, each row with its subscriber, number, last message, window and ad", async () => {
    const r = await listing("");
    expect(r.status).toBe(200);
    expect(ids(r)).toEqual([chats.ana, chats.cy, chats.bo]);
    expect(r.json.rows[0]).toMatchObject({
      latestConversationId: anaConversation,
      subscriber: { name: "Ana Souza", phone: "+15550142001" },
      number: { id: cloud.id, label: "Sales", provider: "cloud" },
      lastMessage: { direction: "inbound", type: "reaction" },
      unreadCount: 5,
      windowOpen: true,
      assignee: null,
      ad: { conversationId: anaConversation, adId: "120210000000001", headline: "Spring course", ctwaClid: expect.stringMatching(/^ARAk/) },
      demo: false,
    });
    expect(r.json.rows[1]).toMatchObject({ number: { id: greenId, provider: "green" }, subscriber: { name: "Tomas Silva" }, windowOpen: true, ad: null });
    expect(r.json.rows[2]).toMatchObject({ windowOpen: false, lastMessage: { preview: "Old question" } });
  });

  it("walks cursor pages and refuses a cursor it did not hand out", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r: { status: number; json: Json } = await listing(`?limit=1${cursor ? `&cursor=${cursor}` : ""}`);
      expect(r.json.rows).toHaveLength(1);
      seen.push(...ids(r));
      cursor = r.json.nextCursor;
    } while (cursor);
    expect(seen).toEqual([chats.ana, chats.cy, chats.bo]);
    expect(await listing("?cursor=bm90LWEtY3Vyc29y")).toMatchObject({ status: 422, json: { error: { code: "invalid_cursor" } } });
    expect(await listing("?limit=101")).toMatchObject({ status: 422 });
  });

  it("filters by number, unread, open window, source ad and search", async () => {
    expect(ids(await listing(`?numberId=${cloud.id}`))).toEqual([chats.ana, chats.bo]);
    expect(ids(await listing(`?numberId=${greenId}&limit=1`))).toEqual([chats.cy]);
    expect(ids(await listing("?windowOpen=true"))).toEqual([chats.ana, chats.cy]);
    expect(ids(await listing("?adId=120210000000001"))).toEqual([chats.ana]);
    expect(ids(await listing("?adId=999"))).toEqual([]);
    expect(ids(await listing("?unread=true"))).toEqual([chats.ana, chats.cy, chats.bo]);
    expect(ids(await listing("?q=souza"))).toEqual([chats.ana]);
    expect(ids(await listing("?q=%2B1555014220"))).toEqual([chats.cy]);
    expect(ids(await listing("?q=15550142002&windowOpen=true"))).toEqual([]);
    expect(await listing("?q=an")).toMatchObject({ status: 422, json: { error: { code: "unprocessable" } } });
    expect(await listing("?unread=yes")).toMatchObject({ status: 422 });
  });

  it("keeps workspaces apart: another workspace's chat and conversation ids are 404 and never listed", async () => {
    expect(ids(await listing(""))).not.toContain(chats.other);
    expect(ids(await listing("", null, otherKey))).toEqual([chats.other]);
    for (const id of [chats.other, otherConversation]) {
      expect(await call(one.GET, null, { id, bearer: key })).toMatchObject({ status: 404, json: { error: { code: "not_found" } } });
      expect((await call(transcript.GET, null, { id, bearer: key })).status).toBe(404);
      expect((await call(read.POST, null, { method: "POST", id, bearer: key })).status).toBe(404);
      expect((await call(one.PATCH, null, { method: "PATCH", id, body: { assignedUserId: null }, bearer: key })).status).toBe(404);
    }
    expect((await call(one.GET, null, { id: "not-a-uuid", bearer: key })).status).toBe(404);
  });

  it("resolves a 24-hour conversation id to its chat", async () => {
    const r = await call(one.GET, null, { id: anaConversation, bearer: key });
    expect(r).toMatchObject({ status: 200, json: { id: chats.ana, latestConversationId: anaConversation } });
    expect((await call(one.GET, null, { id: chats.ana, bearer: key })).json).toEqual(r.json);
  });

  it("shows the transcript newest first: a quoted reply, a location, an image with its reactions, the referral and a conversion", async () => {
    const r = await call(transcript.GET, null, { id: anaConversation, bearer: key });
    expect(r.status).toBe(200);
    const rows = r.json.rows as Json[];
    expect(rows.map((m) => m.type)).toEqual(["text", "location", "image", "text"]); // the reaction is not a row of its own
    const [reply, location, image, first] = rows as [Json, Json, Json, Json];
    expect(reply).toMatchObject({
      direction: "inbound",
      text: "About my first message",
      context: { messageId: first.id, preview: "Hi from the ad" },
      reactions: [],
    });
    expect(location).toMatchObject({ location: { latitude: 55.7558, longitude: 37.6173, name: "Office", address: "Tverskaya 1, Moscow" }, media: null });
    expect(image).toMatchObject({
      text: "My receipt",
      media: { url: `/api/v1/messages/${image.id}/media`, mimeType: "image/jpeg", caption: "My receipt" },
      reactions: [{ emoji: "👍", from: "inbound", at: new Date(now - MIN).toISOString() }],
      status: expect.any(String),
      at: new Date(now - 4 * MIN).toISOString(),
      error: null,
      sentBy: null,
    });
    expect(first).toMatchObject({ conversationId: anaConversation, context: null });
    expect(r.json.conversations).toEqual([
      {
        id: anaConversation,
        startedAt: new Date(now - 5 * MIN).toISOString(),
        windowExpiresAt: expect.any(String),
        referral: expect.objectContaining({ sourceType: "ad", adId: "120210000000001", headline: "Spring course", ctwaClid: expect.stringMatching(/^ARAk/) }),
      },
    ]);
    expect(r.json.conversions).toEqual([
      {
        id: expect.any(String),
        conversationId: anaConversation,
        eventName: "Purchase",
        value: 49.9,
        currency: "EUR",
        status: "queued",
        at: new Date(now - MIN).toISOString(),
      },
    ]);
    expect(r.json.nextCursor).toBeNull();
  });

  it("pages the transcript, reactions still on their message", async () => {
    const page1 = await call(transcript.GET, null, { id: chats.ana, query: "limit=2", bearer: key });
    expect((page1.json.rows as Json[]).map((m) => m.type)).toEqual(["text", "location"]);
    const page2 = await call(transcript.GET, null, { id: chats.ana, query: `limit=2&cursor=${page1.json.nextCursor}`, bearer: key });
    expect((page2.json.rows as Json[]).map((m) => [m.type, m.reactions.length])).toEqual([
      ["image", 1],
      ["text", 0],
    ]);
    expect(page2.json.nextCursor).toBeNull();
    const bad = await call(transcript.GET, null, { id: chats.ana, query: "cursor=xyz", bearer: key });
    expect(bad).toMatchObject({ status: 422, json: { error: { code: "invalid_cursor" } } });
  });

  it("assigns by role: a marketer takes an unassigned chat only for themselves; managers assign anyone of the workspace or unassign", async () => {
    const patch = (id: string, assignedUserId: string | null, who: Browser | null) =>
      call(one.PATCH, who, { method: "PATCH", id, body: { assignedUserId }, bearer: who ? undefined : key });
    const marketer = { uid: users.marketer };
    const marketer2 = { uid: users.marketer2 };
    const manager = { uid: users.manager };

    expect(await listing("?assigned=me")).toMatchObject({ status: 422, json: { error: { code: "assigned_me_needs_user" } } });
    const took = await patch(chats.ana, users.marketer, marketer);
    expect(took).toMatchObject({ status: 200, json: { id: chats.ana, assignee: { id: users.marketer, name: "marketer" }, assignedAt: expect.any(String) } });
    expect(await patch(chats.ana, users.marketer, marketer)).toMatchObject({ status: 200 }); // taking it again changes nothing
    expect(await patch(chats.ana, users.marketer2, marketer2)).toMatchObject({
      status: 403,
      json: { error: { code: "forbidden", message: expect.stringContaining("already assigned") } },
    });
    expect(await patch(chats.bo, users.marketer2, marketer)).toMatchObject({ status: 403, json: { error: { code: "forbidden" } } });
    expect(await patch(chats.ana, null, marketer)).toMatchObject({ status: 403 });
    expect(ids(await listing("?assigned=me", marketer))).toEqual([chats.ana]);
    expect(ids(await listing("?assigned=me", marketer2))).toEqual([]);
    expect(ids(await listing("?assigned=unassigned"))).toEqual([chats.cy, chats.bo]);

    expect(await patch(chats.ana, users.marketer2, manager)).toMatchObject({ status: 200, json: { assignee: { id: users.marketer2 } } });
    expect(ids(await listing("?assigned=me&windowOpen=true", marketer2))).toEqual([chats.ana]);
    expect(await patch(chats.ana, users.stranger, null)).toMatchObject({ status: 422, json: { error: { code: "user_not_member" } } });
    expect(await patch(chats.ana, randomUUID(), manager)).toMatchObject({ status: 422, json: { error: { code: "user_not_member" } } });
    expect(await patch(chats.ana, null, manager)).toMatchObject({ status: 200, json: { assignee: null, assignedAt: null } });
    expect(await call(one.PATCH, null, { method: "PATCH", id: chats.ana, body: { assignedUserId: "x" }, bearer: key })).toMatchObject({ status: 422 });
  });

  it("marks read: unread 0 and Meta's read receipt for the latest inbound message of a Cloud API chat", async () => {
    const r = await call(read.POST, null, { method: "POST", id: anaConversation, bearer: key });
    expect(r).toMatchObject({ status: 200, json: { id: chats.ana, unreadCount: 0, receipt: "sent" } });
    expect(cloudSends.readReceipts).toEqual([{ sender: pnid, messageId: wamids.reaction, at: expect.any(Number) }]);
    expect(cloudSends.sends).toEqual([]);
    expect(ids(await listing("?unread=true"))).toEqual([chats.cy, chats.bo]);
  });

  it("sends no receipt for a Green API chat, and a refused receipt does not fail the call", async () => {
    expect(await call(read.POST, null, { method: "POST", id: chats.cy, bearer: key })).toMatchObject({
      status: 200,
      json: { unreadCount: 0, receipt: "not_applicable" },
    });
    expect(cloudSends.readReceipts).toHaveLength(1);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    cloudSends.script({ status: 400, json: { error: { message: "Invalid parameter", type: "OAuthException", code: 100, fbtrace_id: "T" } } });
    expect(await call(read.POST, null, { method: "POST", id: chats.bo, bearer: key })).toMatchObject({
      status: 200,
      json: { unreadCount: 0, receipt: "failed" },
    });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("read receipt"));
    warn.mockRestore();
    expect(ids(await listing("?unread=true"))).toEqual([]);
  });
});
