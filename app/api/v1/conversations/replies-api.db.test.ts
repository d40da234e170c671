// The reply API through its route handlers on both drivers, against a fake Graph and a fake Green API on
// 127.0.0.1: a text inside the window goes pending → accepted with Meta's wamid, and a signed status webhook moves
// it to delivered and read; outside the window free text is 422 window_closed and an approved template goes
// through; Green API free text and files; a quoted reply; idempotency (same key and body = one send, another body
// = 409, parallel requests = one send); a provider failure with its code and message, then a retry; the
// subscriber's counters and the lead; another workspace's chat; the jobs-queue fallback when the request never
// sent; quick replies per role.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import { claimJobByKey, getJobByKey, getMessageById, getSubscriberByWaPhone, insertTenant, insertUser, markPhoneNumberIdProven } from "@/db/queries";
import { REPLY_JOB } from "@/db/queries/replies";
import { leads, quickReplies, whatsappNumbers } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { graphError, startFakeGraph, type FakeGraph } from "@/e2e/fakes/fake-graph";
import { startFakeServer, type FakeServer } from "@/e2e/fakes/http-fake";
import { serveCloudMessages, serveGreenSendMessage } from "@/e2e/fakes/fake-senders";
import { createApiKey } from "@/lib/api-keys";
import { encryptSecret } from "@/lib/crypto";
import { setEnvForTests } from "@/lib/env";
import { receiveGreenWebhook } from "@/lib/green/receive";
import { getGreenWebhookSetup, issueGreenWebhookToken } from "@/lib/green/webhook-token";
import { deliverReplyNow, replyDepsFromEnv } from "@/lib/inbox/deliver-reply";
import { createReply } from "@/lib/inbox/send";
import { getTranscriptMessage } from "@/lib/inbox/transcript";
import { drainJobs } from "@/lib/jobs/queue";
import { createNumber } from "@/lib/numbers/numbers";
import { numberFormSchema } from "@/lib/numbers/schemas";
import { jobHandlers } from "@/lib/scheduler";
import { processWebhookEvents } from "@/lib/whatsapp/ingest";
import { inboundMessage, type PayloadNumber, statusUpdates } from "@/lib/whatsapp/payloads";
import { receiveCloudWebhook } from "@/lib/whatsapp/receive";
import { signMetaBody } from "@/lib/whatsapp/signature";
import { type Browser, CONSOLE_APP, consoleBrowsers, type RequestState } from "@/test/console-browser";
import { fixtureText } from "@/test/fixtures/webhooks";

const current: RequestState & { db?: Db } = { headers: new Headers(), set: [] };
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<typeof ClientModule>()), getDb: async () => current.db! }));
vi.mock("next/headers", async (importOriginal) => ({ ...(await importOriginal<object>()), headers: async () => current.headers }));

const list = await import("./route");
const messagesRoute = await import("./[id]/messages/route");
const retryRoute = await import("../messages/[id]/retry/route");
const templatesRoute = await import("./[id]/templates/route");
const quickRoute = await import("../quick-replies/route");
const quickOne = await import("../quick-replies/[id]/route");

const APP = CONSOLE_APP;
const AUTH_SECRET = "replies-api-auth-secret-0123456789abcdef";
const KEY = Buffer.alloc(32, 29).toString("base64");
const APP_SECRET = "replies-app-secret-0123456789abcdef";
const TOKEN = "EAAG-replies-token";
const WABA = "311000000000077";
const MIN = 60_000;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const { call } = consoleBrowsers<Json>(current, AUTH_SECRET);

describe.each(testDrivers)("replies and quick replies (%s)", (kind) => {
  let t: TestDb;
  let graph: FakeGraph;
  let green: FakeServer;
  let cloudSends: ReturnType<typeof serveCloudMessages>;
  let greenSends: ReturnType<typeof serveGreenSendMessage>;
  let restoreEnv = () => {};
  let tenantId = "";
  let key = "";
  let otherKey = "";
  const browsers: Record<"manager" | "marketer", Browser> = { manager: { uid: "" }, marketer: { uid: "" } };
  const userIds: Record<"manager" | "marketer", string> = { manager: "", marketer: "" };
  const pnid = kind === "pglite" ? "334000000000101" : "334000000000201";
  const otherPnid = kind === "pglite" ? "334000000000102" : "334000000000202";
  const greenInstance = kind === "pglite" ? "1101000201" : "1101000202";
  let cloud: { id: string; payload: PayloadNumber };
  let otherCloud: { id: string; payload: PayloadNumber };
  const now = Math.floor(Date.now() / 1000) * 1000;
  const anaWamid = `wamid.ANA.${randomUUID()}`;
  const chats: Record<"ana" | "bo" | "cy" | "other", string> = { ana: "", bo: "", cy: "", other: "" };
  const greenLine = { id: "", webhookToken: "" };

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
          wabaId: WABA,
          accessToken: TOKEN,
          appSecret: APP_SECRET,
        }),
      },
    );
    await markPhoneNumberIdProven(t.db, { tenantId: tenant, id: n.id, at: new Date() });
    return { id: n.id, payload: { phoneNumberId: id, displayPhoneNumber: phone.slice(1), wabaId: WABA } };
  }
  async function deliverCloud(body: unknown) {
    const rawBody = JSON.stringify(body);
    const headers = new Headers({ "content-type": "application/json", "x-hub-signature-256": signMetaBody(rawBody, APP_SECRET) });
    const received = await receiveCloudWebhook(t.db, { encryptionKey: KEY }, { rawBody, headers });
    expect(received.status).toBe(200);
    const summary = await processWebhookEvents(t.db, { ids: [(received.body as { eventId: string }).eventId], now: new Date() });
    expect(summary.outcomes[0]).toMatchObject({ status: "processed", error: null });
  }
  const chatIdOf = async (phone: string, token = key) => {
    const r = await call(list.GET, null, { query: { q: phone }, bearer: token });
    return r.json.rows[0].id as string;
  };
  /** Sends a reply as a member's browser (`as`) or with an API key, the workspace's own by default. */
  const post = (chat: string, body: unknown, opts: { idempotencyKey?: string; bearer?: string; as?: Browser } = {}) =>
    call(messagesRoute.POST, opts.as ?? null, {
      method: "POST",
      id: chat,
      body,
      bearer: opts.as ? undefined : (opts.bearer ?? key),
      headers: opts.idempotencyKey === undefined ? undefined : { "idempotency-key": opts.idempotencyKey },
    });
  /** The send runs after the answer: waits until the message leaves pending. */
  async function settled(id: string) {
    for (let i = 0; i < 200; i++) {
      const m = await getMessageById(t.db, { tenantId, id });
      if (m && m.status !== "pending") return m;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`reply ${id} is still pending`);
  }
  const transcriptRow = async (chat: string, id: string) => {
    const r = await call(messagesRoute.GET, null, { id: chat, bearer: key });
    expect(r.status).toBe(200);
    return (r.json.rows as Json[]).find((m) => m.id === id)!;
  };

  beforeAll(async () => {
    t = await createTestDb(kind);
    current.db = t.db;
    graph = await startFakeGraph();
    green = await startFakeServer();
    cloudSends = serveCloudMessages(graph, { [pnid]: TOKEN });
    greenSends = serveGreenSendMessage(green, { [greenInstance]: "green-token" });
    graph.addMessageTemplates(WABA, TOKEN, [
      { name: "order_update", language: "en_US", components: [{ type: "BODY", text: "Hi {{1}}, your order {{2}} is ready" }] },
    ]);
    restoreEnv = setEnvForTests({
      APP_URL: APP,
      AUTH_SECRET,
      ENCRYPTION_KEY: KEY,
      GRAPH_API_BASE: graph.url,
      GRAPH_API_VERSION: "v24.0",
      GREEN_API_HOSTS: "127.0.0.1",
    });
    tenantId = (await insertTenant(t.db, { name: "Replies" })).id;
    const otherTenant = (await insertTenant(t.db, { name: "Other" })).id;
    for (const role of ["manager", "marketer"] as const) {
      userIds[role] = (await insertUser(t.db, { tenantId, role, email: `${role}-replies-${kind}@example.com`, name: `The ${role}`, passwordHash: "x" })).id;
      browsers[role] = { uid: userIds[role] };
    }
    key = (await createApiKey(t.db, { tenantId, name: "k", createdBy: null })).secret;
    otherKey = (await createApiKey(t.db, { tenantId: otherTenant, name: "k", createdBy: null })).secret;
    cloud = await cloudNumber(tenantId, pnid, "Sales", "+15550400001");
    otherCloud = await cloudNumber(otherTenant, otherPnid, "Theirs", "+15550400002");
    const [g] = await t.db
      .insert(whatsappNumbers)
      .values({
        tenantId,
        provider: "green",
        label: "Green line",
        phoneE164: "+15550400005",
        verifyToken: `verify-replies-${kind}-green`,
        greenApiUrl: green.url,
        greenInstanceId: greenInstance,
        greenTokenEnc: encryptSecret("green-token", KEY),
      })
      .returning();
    await issueGreenWebhookToken(t.db, { encryptionKey: KEY }, { tenantId, id: g!.id });
    const greenToken = (await getGreenWebhookSetup(t.db, { encryptionKey: KEY, appUrl: APP }, { tenantId, id: g!.id }))!.token!;
    Object.assign(greenLine, { id: g!.id, webhookToken: greenToken });

    // Ana wrote 5 minutes ago (window open); Bo 3 days ago (closed); Cy wrote to the Green line
    await deliverCloud(
      inboundMessage(cloud.payload, {
        from: { waId: "15550142001", name: "Ana Souza" },
        wamid: anaWamid,
        at: new Date(now - 5 * MIN),
        text: "Evening classes?",
      }),
    );
    await deliverCloud(
      inboundMessage(cloud.payload, {
        from: { waId: "15550142002", name: "Bo" },
        wamid: `wamid.BO.${randomUUID()}`,
        at: new Date(now - 3 * 24 * 60 * MIN),
        text: "Old",
      }),
    );
    await deliverCloud(
      inboundMessage(otherCloud.payload, {
        from: { waId: "15550142009", name: "Theirs" },
        wamid: `wamid.O.${randomUUID()}`,
        at: new Date(now - MIN),
        text: "Hi",
      }),
    );
    const rawBody = Buffer.from(
      fixtureText("green-incoming-text.json", { "1767611000": String(Math.floor((now - 10 * MIN) / 1000)), CTGREEN0IN000001: `CTGREEN${kind}RE1` }),
    );
    const received = await receiveGreenWebhook(
      t.db,
      { encryptionKey: KEY },
      { numberId: g!.id, rawBody, headers: new Headers({ authorization: `Bearer ${greenToken}` }) },
    );
    await processWebhookEvents(t.db, { ids: [(received.body as { eventId: string }).eventId], now: new Date() });
    chats.ana = await chatIdOf("15550142001");
    chats.bo = await chatIdOf("15550142002");
    chats.cy = await chatIdOf("15550142201");
    chats.other = await chatIdOf("15550142009", otherKey);
    await t.db.insert(leads).values({ tenantId, name: "Ana Souza", phone: "+15550142001" });
  });
  afterAll(async () => {
    restoreEnv();
    await graph.close();
    await green.close();
    await t.cleanup();
  });

  it("answers a text inside the window pending, sends it with preview_url, and status webhooks move it to delivered and read", async () => {
    const before = cloudSends.sends.length;
    const r = await post(chats.ana, { type: "text", text: "Yes! See https://school.test/evening" }, { as: browsers.marketer });
    expect(r.status).toBe(201);
    expect(r.json.message).toMatchObject({
      direction: "outbound",
      type: "text",
      text: "Yes! See https://school.test/evening",
      status: "pending",
      error: null,
      sentBy: { id: userIds.marketer, name: "The marketer" },
    });
    const sent = await settled(r.json.message.id);
    expect(sent).toMatchObject({ status: "accepted", errorCode: null });
    expect(cloudSends.sends.length).toBe(before + 1);
    const send = cloudSends.sends.at(-1)!;
    expect(sent.wamid).toBe(send.id);
    expect(send.body).toMatchObject({ to: "+15550142001", type: "text", text: { preview_url: true, body: "Yes! See https://school.test/evening" } });
    expect(send.body).not.toHaveProperty("context");
    // its job was finished by the statement that recorded the send: nothing left for the queue to run
    await expect.poll(async () => (await getJobByKey(t.db, { kind: REPLY_JOB, dedupeKey: sent.id }))?.status).toBe("done");
    expect((await getJobByKey(t.db, { kind: REPLY_JOB, dedupeKey: sent.id }))!.result).toEqual({ sent: send.id });

    // the chat shows it as its last message
    const chat = (await call(list.GET, null, { query: "?q=15550142001", bearer: key })).json.rows[0];
    expect(chat.lastMessage).toMatchObject({ id: r.json.message.id, direction: "outbound", preview: "Yes! See https://school.test/evening" });

    const at = new Date();
    await deliverCloud(statusUpdates(cloud.payload, [{ wamid: sent.wamid!, recipient: "15550142001", status: "delivered", at }]));
    expect(await transcriptRow(chats.ana, sent.id)).toMatchObject({ status: "delivered", deliveredAt: expect.any(String) });
    await deliverCloud(statusUpdates(cloud.payload, [{ wamid: sent.wamid!, recipient: "15550142001", status: "read", at: new Date(at.getTime() + 1000) }]));
    expect(await transcriptRow(chats.ana, sent.id)).toMatchObject({ status: "read", readAt: expect.any(String) });
  });

  it("counts the send on the subscriber and on their lead", async () => {
    const before = (await getSubscriberByWaPhone(t.db, { tenantId, waPhone: "+15550142001" }))!;
    const r = await post(chats.ana, { type: "text", text: "One more thing" });
    const sent = await settled(r.json.message.id);
    const after = (await getSubscriberByWaPhone(t.db, { tenantId, waPhone: "+15550142001" }))!;
    expect(after.outboundCount).toBe(before.outboundCount + 1);
    expect(after.lastOutboundMessageId).toBe(sent.wamid);
    expect(after.lastOutboundAt).not.toBeNull();
    const [lead] = await t.db.select().from(leads).where(eq(leads.tenantId, tenantId));
    expect(lead!.lastWhatsappSentAt).not.toBeNull();
    expect(r.json.message.sentBy).toBeNull(); // an API key is nobody
  });

  it("quotes a message of the chat with context.message_id, and 404s a replyTo of another chat", async () => {
    const transcript = await call(messagesRoute.GET, null, { id: chats.ana, bearer: key });
    const inbound = (transcript.json.rows as Json[]).find((m) => m.direction === "inbound")!;
    const r = await post(chats.ana, { type: "text", text: "About that", replyTo: inbound.id });
    expect(r.status).toBe(201);
    expect(r.json.message.context).toEqual({ messageId: inbound.id, preview: "Evening classes?" });
    await settled(r.json.message.id);
    expect(cloudSends.sends.at(-1)!.body).toMatchObject({ context: { message_id: anaWamid } });
    expect((await post(chats.bo, { type: "text", text: "x", replyTo: inbound.id })).status).toBe(422); // Bo's window is closed first
    const wrong = await post(chats.ana, { type: "text", text: "x", replyTo: randomUUID() });
    expect(wrong.status).toBe(404);
  });

  it("refuses free text and media outside the window (422 window_closed) and sends an approved template", async () => {
    const sends = cloudSends.sends.length;
    const text = await post(chats.bo, { type: "text", text: "Still interested?" });
    expect(text.status).toBe(422);
    expect(text.json.error.code).toBe("window_closed");
    expect(text.json.error.message).toMatch(/template/);
    expect((await post(chats.bo, { type: "image", link: "https://cdn.test/a.jpg" })).json.error.code).toBe("window_closed");
    const unknown = await post(chats.bo, { type: "template", template: { name: "nope", language: "en_US", parameters: [] } });
    expect(unknown.status).toBe(422);
    expect(unknown.json.error.code).toBe("template_not_found");
    const short = await post(chats.bo, { type: "template", template: { name: "order_update", language: "en_US", parameters: ["Bo"] } });
    expect(short.json.error.code).toBe("template_parameters");
    expect(cloudSends.sends.length).toBe(sends);

    const r = await post(chats.bo, { type: "template", template: { name: "order_update", language: "en_US", parameters: ["Bo", "#1029"] } });
    expect(r.status).toBe(201);
    expect(r.json.message).toMatchObject({ type: "template", status: "pending", text: "Hi Bo, your order #1029 is ready" });
    const sent = await settled(r.json.message.id);
    expect(sent).toMatchObject({ status: "accepted", textPreview: "Hi Bo, your order #1029 is ready" });
    expect(await transcriptRow(chats.bo, sent.id)).toMatchObject({ type: "template", text: "Hi Bo, your order #1029 is ready", status: "accepted" });
    expect(cloudSends.sends.at(-1)!.body).toMatchObject({
      to: "+15550142002",
      type: "template",
      template: {
        name: "order_update",
        language: { code: "en_US" },
        components: [
          {
            type: "body",
            parameters: [
              { type: "text", text: "Bo" },
              { type: "text", text: "#1029" },
            ],
          },
        ],
      },
    });
  });

  it("lists the templates a reply may send to any member, by the chat's number", async () => {
    const r = await call(templatesRoute.GET, browsers.marketer, { id: chats.bo });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      numberId: cloud.id,
      wabaId: WABA,
      templates: [{ name: "order_update", language: "en_US", parameters: ["1", "2"], unsupported: null }],
    });
    const greenChat = await call(templatesRoute.GET, null, { id: chats.cy, bearer: key });
    expect(greenChat.status).toBe(422);
    expect(greenChat.json.error.code).toBe("number_not_cloud");
    expect((await call(templatesRoute.GET, null, { id: chats.bo, bearer: otherKey })).status).toBe(404);
  });

  it("sends media by link inside the window", async () => {
    const r = await post(chats.ana, { type: "document", link: "https://cdn.test/prices.pdf", caption: "Price list", filename: "prices.pdf" });
    expect(r.status).toBe(201);
    expect(r.json.message).toMatchObject({
      type: "document",
      text: "Price list",
      status: "pending",
      media: { url: "https://cdn.test/prices.pdf", filename: "prices.pdf", caption: "Price list", mimeType: null },
    });
    await settled(r.json.message.id);
    expect(cloudSends.sends.at(-1)!.body).toMatchObject({
      type: "document",
      document: { link: "https://cdn.test/prices.pdf", caption: "Price list", filename: "prices.pdf" },
    });
    expect((await post(chats.ana, { type: "image", link: "http://cdn.test/a.jpg" })).status).toBe(422);
  });

  it("sends free text and files through Green API (no window rule), and refuses templates there", async () => {
    const r = await post(chats.cy, { type: "text", text: "Hello Tomas" });
    expect(r.status).toBe(201);
    const sent = await settled(r.json.message.id);
    const send = greenSends.sends.at(-1)!;
    expect(sent).toMatchObject({ status: "sent", wamid: send.id });
    expect(sent.sentAt).not.toBeNull();
    expect(send).toMatchObject({ method: "sendMessage", body: { chatId: "15550142201@c.us", message: "Hello Tomas" } });
    // Green's outgoingMessageStatus moves it by its idMessage
    const status = Buffer.from(
      fixtureText("green-status-delivered.json", {
        CTGREEN0OUT00001: send.id,
        "1767611602": String(Math.floor(Date.now() / 1000)),
        "1101000101": greenInstance,
      }),
    );
    const received = await receiveGreenWebhook(
      t.db,
      { encryptionKey: KEY },
      { numberId: greenLine.id, rawBody: status, headers: new Headers({ authorization: `Bearer ${greenLine.webhookToken}` }) },
    );
    await processWebhookEvents(t.db, { ids: [(received.body as { eventId: string }).eventId], now: new Date() });
    expect(await transcriptRow(chats.cy, sent.id)).toMatchObject({ status: "delivered", deliveredAt: expect.any(String) });
    const file = await post(chats.cy, { type: "image", link: "https://cdn.test/menu.jpg", caption: "Menu" });
    await settled(file.json.message.id);
    expect(greenSends.sends.at(-1)).toMatchObject({
      method: "sendFileByUrl",
      body: { chatId: "15550142201@c.us", urlFile: "https://cdn.test/menu.jpg", fileName: "menu.jpg", caption: "Menu" },
    });
    const template = await post(chats.cy, { type: "template", template: { name: "order_update", language: "en_US", parameters: ["a", "b"] } });
    expect(template.status).toBe(422);
    expect(template.json.error.code).toBe("number_cannot_send");
  });

  it("sends once per Idempotency-Key: the same body answers 200 with the first message, another body 409", async () => {
    const sends = cloudSends.sends.length;
    const idem = `reply-${randomUUID()}`;
    const first = await post(chats.ana, { type: "text", text: "Booked!" }, { idempotencyKey: idem });
    expect(first.status).toBe(201);
    await settled(first.json.message.id);
    const again = await post(chats.ana, { type: "text", text: "Booked!" }, { idempotencyKey: idem });
    expect(again.status).toBe(200);
    expect(again.json.message).toMatchObject({ id: first.json.message.id, status: "accepted" });
    const other = await post(chats.ana, { type: "text", text: "Booked twice?" }, { idempotencyKey: idem });
    expect(other.status).toBe(409);
    expect(other.json.error.code).toBe("idempotency_key_reused");
    expect((await post(chats.ana, { type: "text", text: "x" }, { idempotencyKey: "" })).json.error.code).toBe("invalid_idempotency_key");
    expect(cloudSends.sends.length).toBe(sends + 1);
  });

  it("sends once when the same key arrives in parallel", async () => {
    const sends = cloudSends.sends.length;
    const idem = `parallel-${randomUUID()}`;
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(chats.ana, { type: "text", text: "Parallel hello" }, { idempotencyKey: idem })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.json.message.id)).size).toBe(1);
    await settled(answers[0]!.json.message.id);
    await new Promise((r) => setTimeout(r, 50));
    expect(cloudSends.sends.length).toBe(sends + 1);
  });

  it("records a provider failure with its code and message, and a retry sends it again", async () => {
    cloudSends.script(graphError(400, 131026, "Message undeliverable"));
    const r = await post(chats.ana, { type: "text", text: "Are you there?" });
    const failed = await settled(r.json.message.id);
    expect(failed).toMatchObject({ status: "failed", errorCode: "131026", wamid: null });
    expect(failed.errorTitle).toMatch(/Message undeliverable/);
    expect(await transcriptRow(chats.ana, failed.id)).toMatchObject({
      status: "failed",
      error: { code: "131026", title: expect.stringMatching(/undeliverable/) },
    });

    const sends = cloudSends.sends.length;
    const retried = await call(retryRoute.POST, null, { method: "POST", id: failed.id, bearer: key });
    expect(retried.status).toBe(200);
    expect(retried.json.message).toMatchObject({ id: failed.id, status: "pending", error: null });
    const sent = await settled(failed.id);
    expect(sent).toMatchObject({ status: "accepted", errorCode: null, wamid: cloudSends.sends.at(-1)!.id });
    expect(cloudSends.sends.length).toBe(sends + 1);
    const again = await call(retryRoute.POST, null, { method: "POST", id: failed.id, bearer: key });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe("not_failed");
  });

  it("answers with the message exactly as the transcript reads it back (by a member, quoting; media with a caption)", async () => {
    const deps = replyDepsFromEnv();
    const transcript = await call(messagesRoute.GET, null, { id: chats.ana, bearer: key });
    const inbound = (transcript.json.rows as Json[]).find((m) => m.direction === "inbound")!;
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    for (const [userId, body] of [
      [userIds.marketer, { type: "text" as const, text: "Quoting you: https://school.test", replyTo: String(inbound.id) }],
      [null, { type: "image" as const, link: "https://cdn.school.test/a.jpg", caption: "Our timetable" }],
    ] as const) {
      const made = await createReply(t.db, deps, { tenantId, chatId: chats.ana, userId, idempotencyKey: randomUUID(), body, now });
      expect(made.created).toBe(true);
      expect(made.message).toEqual(await getTranscriptMessage(t.db, { tenantId, id: made.message.id }));
      await deliverReplyNow(t.db, deps, { messageId: made.message.id, known: made.context }); // as the route does after answering
    }
  });

  it("is picked up by the scheduled work when the request never sent it, and never sent twice after a lost attempt", async () => {
    const deps = replyDepsFromEnv();
    const sends = cloudSends.sends.length;
    const lonely = await createReply(t.db, deps, {
      tenantId,
      chatId: chats.ana,
      userId: null,
      idempotencyKey: null,
      body: { type: "text", text: "Sent later" },
      now: new Date(),
    });
    const handlers = jobHandlers(t.db);
    // not due yet: the request had a minute to send it
    await drainJobs(t.db, { handlers, kinds: [REPLY_JOB], now: () => new Date() });
    expect((await getMessageById(t.db, { tenantId, id: lonely.message.id }))!.status).toBe("pending");
    await drainJobs(t.db, { handlers, kinds: [REPLY_JOB], now: () => new Date(Date.now() + 61_000) });
    expect(await getMessageById(t.db, { tenantId, id: lonely.message.id })).toMatchObject({ status: "accepted" });
    expect(cloudSends.sends.length).toBe(sends + 1);

    // a run claimed this one and died before recording: it may have gone out, so it fails instead of going again
    const lost = await createReply(t.db, deps, {
      tenantId,
      chatId: chats.ana,
      userId: null,
      idempotencyKey: null,
      body: { type: "text", text: "Lost" },
      now: new Date(),
    });
    await claimJobByKey(t.db, { kind: REPLY_JOB, dedupeKey: lost.message.id, now: new Date(), leaseMs: 1 });
    await drainJobs(t.db, { handlers, kinds: [REPLY_JOB], now: () => new Date(Date.now() + 1_000) });
    expect(await getMessageById(t.db, { tenantId, id: lost.message.id })).toMatchObject({ status: "failed", errorCode: "send_unconfirmed" });
    expect(cloudSends.sends.length).toBe(sends + 1);
    expect(await getJobByKey(t.db, { kind: REPLY_JOB, dedupeKey: lost.message.id })).toMatchObject({ status: "done" });
  });

  it("404s another workspace's chat and message", async () => {
    expect((await post(chats.other, { type: "text", text: "Hi" })).status).toBe(404);
    expect((await post(chats.ana, { type: "text", text: "Hi" }, { bearer: otherKey })).status).toBe(404);
    const mine = await post(chats.ana, { type: "text", text: "Mine" });
    await settled(mine.json.message.id);
    const theirs = await call(retryRoute.POST, null, { method: "POST", id: mine.json.message.id, bearer: otherKey });
    expect(theirs.status).toBe(404);
  });

  it("lets managers write quick replies and everyone read them", async () => {
    const body = { shortcut: "hours", text: "We are open 9:00–18:00." };
    const refused = await call(quickRoute.POST, browsers.marketer, { method: "POST", body });
    expect(refused.status).toBe(403);
    const created = await call(quickRoute.POST, browsers.manager, { method: "POST", body });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ id: expect.any(String), shortcut: "hours", text: body.text, createdAt: expect.any(String) });
    const dup = await call(quickRoute.POST, browsers.manager, { method: "POST", body });
    expect(dup.status).toBe(409);
    expect(dup.json.error.code).toBe("shortcut_taken");
    const bad = await call(quickRoute.POST, null, { method: "POST", body: { shortcut: "no spaces", text: "x" }, bearer: key });
    expect(bad.status).toBe(422);
    await call(quickRoute.POST, null, { method: "POST", body: { shortcut: "address", text: "Main St 1" }, bearer: key });

    const listed = await call(quickRoute.GET, browsers.marketer);
    expect(listed.status).toBe(200);
    expect((listed.json.rows as Json[]).map((q) => q.shortcut)).toEqual(["address", "hours"]);
    expect((await call(quickRoute.GET, null, { bearer: otherKey })).json.rows).toEqual([]);

    const id = created.json.id as string;
    expect((await call(quickOne.PATCH, browsers.marketer, { method: "PATCH", id, body: { text: "x" } })).status).toBe(403);
    const patched = await call(quickOne.PATCH, browsers.manager, { method: "PATCH", id, body: { text: "Open 8:00–20:00" } });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ id, shortcut: "hours", text: "Open 8:00–20:00" });
    expect((await call(quickOne.PATCH, browsers.manager, { method: "PATCH", id, body: { shortcut: "address" } })).status).toBe(409);
    expect((await call(quickOne.PATCH, null, { method: "PATCH", id, body: { text: "x" }, bearer: otherKey })).status).toBe(404);
    expect((await call(quickOne.DELETE, null, { method: "DELETE", id, bearer: otherKey })).status).toBe(404);
    expect((await call(quickOne.DELETE, browsers.marketer, { method: "DELETE", id })).status).toBe(403);
    expect((await call(quickOne.DELETE, browsers.manager, { method: "DELETE", id })).status).toBe(204);
    expect((await call(quickOne.DELETE, browsers.manager, { method: "DELETE", id })).status).toBe(404);

    // a workspace keeps at most 500 ("address" is one)
    await t.db.insert(quickReplies).values(Array.from({ length: 499 }, (_, i) => ({ tenantId, shortcut: `qr${i}`, text: "x" })));
    const full = await call(quickRoute.POST, null, { method: "POST", body: { shortcut: "one_more", text: "x" }, bearer: key });
    expect(full.status).toBe(422);
    expect(full.json.error.code).toBe("too_many_quick_replies");
    expect((await call(quickRoute.GET, null, { bearer: key })).json.rows).toHaveLength(500);
  });
});
