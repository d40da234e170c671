// POST /api/webhooks/green/{numberId} with real Requests on a test database (only getDb is pointed at it):
// Green API notifications land in the same subscriber, message, status and opt-out rules as Cloud and
// Gupshup, and the attacks a per-number token URL invites are refused without touching the workspace.
import { and, count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import { getNumberById, insertTenant } from "@/db/queries";
import { messages, outboundMessages, subscribers, webhookEvents, whatsappNumbers } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { createApiKey } from "@/lib/api-keys";
import { setEnvForTests } from "@/lib/env";
import { getGreenWebhookSetup, issueGreenWebhookToken } from "@/lib/green/webhook-token";
import { createNumber } from "@/lib/numbers/numbers";
import { numberFormSchema } from "@/lib/numbers/schemas";
import { kickWebhookProcessing } from "@/lib/whatsapp/processing-loop";
import { fixtureText } from "@/test/fixtures/webhooks";

const current: { db?: Db } = {};
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<typeof ClientModule>()), getDb: async () => current.db! }));

const green = await import("./green/[numberId]/route");
const numbersApi = await import("../v1/numbers/route");
const numberApi = await import("../v1/numbers/[id]/route");

const KEY = Buffer.alloc(32, 19).toString("base64");
const keys = { encryptionKey: KEY, appUrl: "https://console.example" };
const MIB = 1024 * 1024;

const post = (numberId: string, body: BodyInit, headers: Record<string, string> = {}, init: RequestInit & { duplex?: "half" } = {}) =>
  green.POST(
    new Request(`http://test.local/api/webhooks/green/${numberId}`, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", ...headers },
      ...init,
    }),
    {
      params: Promise.resolve({ numberId }),
    },
  );
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe.each(testDrivers)("Green API webhooks (%s)", (kind) => {
  let t: TestDb;
  let restoreEnv = () => {};
  let tenantId = "";
  let otherTenantId = "";
  let numberId = "";
  let token = "";
  let sameTenantNumber = { id: "", token: "" };
  let otherTenantNumber = { id: "", token: "" };

  async function greenNumber(tenant: string, phoneE164: string, instance: string) {
    const input = numberFormSchema.parse({
      provider: "green",
      label: `Green ${instance}`,
      phoneE164,
      greenApiUrl: "https://api.green-api.com",
      greenInstanceId: instance,
      greenApiToken: "instance-token",
    });
    const row = await createNumber(t.db, keys, { tenantId: tenant, input });
    await issueGreenWebhookToken(t.db, keys, { tenantId: tenant, id: row.id });
    const setup = await getGreenWebhookSetup(t.db, keys, { tenantId: tenant, id: row.id });
    return { id: row.id, token: setup!.token! };
  }

  beforeAll(async () => {
    t = await createTestDb(kind);
    current.db = t.db;
    restoreEnv = setEnvForTests({ ENCRYPTION_KEY: KEY, APP_URL: keys.appUrl });
    tenantId = (await insertTenant(t.db, { name: "Green" })).id;
    otherTenantId = (await insertTenant(t.db, { name: "Other" })).id;
    ({ id: numberId, token } = await greenNumber(tenantId, "+15550100005", "1101000101"));
    sameTenantNumber = await greenNumber(tenantId, "+15550100006", "1101000102");
    otherTenantNumber = await greenNumber(otherTenantId, "+15550100007", "1101000103");
  });
  afterAll(async () => {
    restoreEnv();
    await t.cleanup();
  });

  const events = async () => (await t.db.select({ n: count() }).from(webhookEvents))[0]!.n;
  // the event the last request stored (created_at has millisecond ties: tell rows apart by what was seen before)
  const seen = new Set<string>();
  const lastEvent = async () => {
    const fresh = (await t.db.select().from(webhookEvents)).filter((e) => !seen.has(e.id));
    fresh.forEach((e) => seen.add(e.id));
    expect(fresh).toHaveLength(1);
    return fresh[0]!;
  };
  const subscriber = async (waPhone: string) =>
    (
      await t.db
        .select()
        .from(subscribers)
        .where(and(eq(subscribers.tenantId, tenantId), eq(subscribers.waPhone, waPhone)))
    )[0];
  const deliver = async (name: string, headers = bearer(token), to = numberId) => {
    const res = await post(to, fixtureText(name), headers);
    await kickWebhookProcessing(t.db);
    return { status: res.status, json: await res.json() };
  };

  it("seals the webhook token at rest and shows the set-up URL", async () => {
    const [row] = await t.db.select().from(whatsappNumbers).where(eq(whatsappNumbers.id, numberId));
    expect(row!.greenWebhookTokenEnc).toMatch(/^v1\./);
    expect(row!.greenWebhookTokenEnc).not.toContain(token);
    expect(await getGreenWebhookSetup(t.db, keys, { tenantId, id: numberId })).toEqual({
      url: `https://console.example/api/webhooks/green/${numberId}`,
      token,
      unreadable: false,
    });
    expect(await getGreenWebhookSetup(t.db, keys, { tenantId: otherTenantId, id: numberId })).toBeNull();
  });

  it("takes an incoming message: stored first, then the subscriber, its conversation and the message", async () => {
    const res = await deliver("green-incoming-text.json");
    expect(res).toEqual({ status: 200, json: { received: true, eventId: expect.any(String) } });
    const event = await lastEvent();
    expect(event).toMatchObject({
      provider: "green",
      status: "processed",
      signatureResult: "valid",
      tenantId,
      numberId,
      dedupeKey: "incomingMessageReceived:CTGREEN0IN000001:",
    });
    expect(event.headers).not.toHaveProperty("authorization");
    const s = await subscriber("+15550142201");
    expect(s).toMatchObject({
      waId: "15550142201",
      profileName: "Tomas Silva",
      numberId,
      inboundCount: 1,
      lastInboundAt: new Date(1767611000 * 1000),
      rawVersion: "green",
      status: "active",
    });
    expect(s!.conversationId).not.toBeNull();
    const [m] = await t.db
      .select()
      .from(messages)
      .where(and(eq(messages.tenantId, tenantId), eq(messages.wamid, "CTGREEN0IN000001")));
    expect(m).toMatchObject({ direction: "inbound", type: "text", textPreview: "Hi! Is the January course still open?", numberId, subscriberId: s!.id });
    expect((await getNumberById(t.db, { tenantId, id: numberId }))!.lastWebhookAt).not.toBeNull();
  });

  it("stores nothing new for a redelivery of the same notification", async () => {
    const before = await events();
    const [first] = await t.db.select().from(webhookEvents).where(eq(webhookEvents.dedupeKey, "incomingMessageReceived:CTGREEN0IN000001:"));
    const again = await deliver("green-incoming-text.json");
    expect(again).toEqual({ status: 200, json: { received: true, eventId: first!.id, duplicate: true } });
    expect(await events()).toBe(before);
    expect((await subscriber("+15550142201"))!.inboundCount).toBe(1);
  });

  it("refuses a wrong, missing or another number's token (401) and an unknown URL (404), tied to no workspace", async () => {
    const body = fixtureText("green-incoming-text-stop.json");
    const before = await events();
    const attempts: [string, Record<string, string>, number, string][] = [
      [numberId, bearer("not-the-token-at-all-000000000"), 401, "invalid"],
      [numberId, {}, 401, "missing"],
      [numberId, { authorization: "Bearer " }, 401, "missing"],
      [numberId, bearer(sameTenantNumber.token), 401, "invalid"],
      [numberId, bearer(otherTenantNumber.token), 401, "invalid"],
      [otherTenantNumber.id, bearer(token), 401, "invalid"],
      ["00000000-0000-4000-8000-000000000000", bearer(token), 404, "invalid"],
      ["not-a-uuid", bearer(token), 404, "invalid"],
    ];
    for (const [to, headers, status, signatureResult] of attempts) {
      const res = await post(to, body, headers);
      expect(res.status, `${to} ${JSON.stringify(headers)}`).toBe(status);
      expect(await lastEvent()).toMatchObject({ provider: "green", status: "rejected", signatureResult, tenantId: null, numberId: null, dedupeKey: null });
    }
    expect(await events()).toBe(before + attempts.length);
    await kickWebhookProcessing(t.db);
    expect(await subscriber("+15550142202")).toBeUndefined(); // the STOP of a forged request changed nothing
  });

  it("accepts the token without the Bearer prefix too, and refuses a body that is not JSON (kept for the workspace)", async () => {
    expect((await post(numberId, "{not json", bearer(token))).status).toBe(400);
    expect(await lastEvent()).toMatchObject({
      provider: "green",
      status: "rejected",
      signatureResult: "valid",
      tenantId,
      numberId,
      error: "The body is not JSON",
    });
    expect((await deliver("green-incoming-image.json", { authorization: token })).status).toBe(200);
    expect(await lastEvent()).toMatchObject({ status: "processed", tenantId });
  });

  it("answers 413 to a body over 1 MiB, declared or streamed, and stores nothing", async () => {
    const before = await events();
    const big = `{"typeWebhook":"incomingMessageReceived","pad":"${"x".repeat(MIB)}"}`;
    expect((await post(numberId, big, bearer(token))).status).toBe(413);
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    const endless = new ReadableStream<Uint8Array>({ pull: (c) => c.enqueue(chunk) });
    expect((await post(numberId, endless, bearer(token), { duplex: "half" })).status).toBe(413);
    expect(await events()).toBe(before);
  });

  it("cancels the subscriber's pending drip on STOP, like on Cloud numbers", async () => {
    await t.db.insert(outboundMessages).values([
      { tenantId, numberId, phone: "+15550142202", templateName: "day_1", scheduledAt: new Date("2030-01-01T00:00:00Z"), status: "pending" },
      { tenantId, numberId, phone: "+15550142202", templateName: "day_3", scheduledAt: new Date("2030-01-03T00:00:00Z"), status: "pending" },
    ]);
    expect((await deliver("green-incoming-text-stop.json")).status).toBe(200);
    expect(await subscriber("+15550142202")).toMatchObject({ status: "opted_out", optInStatus: false, profileName: "Ирина Волкова" });
    const rows = await t.db
      .select()
      .from(outboundMessages)
      .where(and(eq(outboundMessages.tenantId, tenantId), eq(outboundMessages.phone, "+15550142202")));
    expect(rows.map((r) => [r.status, r.errorCode])).toEqual([
      ["cancelled", "opted_out"],
      ["cancelled", "opted_out"],
    ]);
  });

  it("moves a drip message by its idMessage: delivered, read; failed and noAccount with Green's code", async () => {
    const sent = new Date(1767611590 * 1000);
    const drip = (providerMessageId: string, phone: string) => ({
      tenantId,
      numberId,
      phone,
      templateName: "day_1",
      scheduledAt: sent,
      status: "sent" as const,
      sentAt: sent,
      providerMessageId,
    });
    await t.db
      .insert(outboundMessages)
      .values([drip("CTGREEN0OUT00001", "+15550142201"), drip("CTGREEN0OUT00002", "+15550142201"), drip("CTGREEN0OUT00003", "+15550142203")]);
    for (const name of [
      "green-status-read.json",
      "green-status-sent.json",
      "green-status-delivered.json",
      "green-status-failed.json",
      "green-status-no-account.json",
    ]) {
      expect((await deliver(name)).status).toBe(200);
    }
    const byId = async (id: string) =>
      (
        await t.db
          .select()
          .from(outboundMessages)
          .where(and(eq(outboundMessages.tenantId, tenantId), eq(outboundMessages.providerMessageId, id)))
      )[0];
    expect(await byId("CTGREEN0OUT00001")).toMatchObject({ status: "sent", deliveredAt: new Date(1767611602 * 1000), readAt: new Date(1767611630 * 1000) });
    expect(await byId("CTGREEN0OUT00002")).toMatchObject({ status: "failed", errorCode: "SWE004", errorMessage: "SWE004: the message could not be sent" });
    expect(await byId("CTGREEN0OUT00003")).toMatchObject({ status: "failed", errorCode: "noAccount", errorMessage: "The number has no WhatsApp account" });
    // the recipient's subscriber gets the statuses of the messages sent to them
    expect(await subscriber("+15550142201")).toMatchObject({ lastReadAt: new Date(1767611630 * 1000), lastFailedCode: "SWE004", lastMessageStatus: "failed" });
  });

  it("records the instance state on the number, never letting an older report undo a newer one", async () => {
    expect((await deliver("green-state-instance-changed.json")).status).toBe(200);
    expect(await getNumberById(t.db, { tenantId, id: numberId })).toMatchObject({
      connectionStatus: "error",
      lastError: { kind: "green_state", state: "notAuthorized" },
      lastCheckedAt: new Date(1767611900 * 1000),
    });
    const state = (stateInstance: string, timestamp: number) =>
      JSON.stringify({ typeWebhook: "stateInstanceChanged", instanceData: { idInstance: 1101000101 }, timestamp, stateInstance });
    await post(numberId, state("authorized", 1767611960), bearer(token));
    await kickWebhookProcessing(t.db);
    expect(await getNumberById(t.db, { tenantId, id: numberId })).toMatchObject({ connectionStatus: "connected", lastError: null });
    await post(numberId, state("blocked", 1767611930), bearer(token)); // delivered late
    await kickWebhookProcessing(t.db);
    expect(await getNumberById(t.db, { tenantId, id: numberId })).toMatchObject({ connectionStatus: "connected", lastCheckedAt: new Date(1767611960 * 1000) });
  });

  it("refuses the old token once the token is rotated", async () => {
    const old = token;
    await issueGreenWebhookToken(t.db, keys, { tenantId, id: numberId });
    token = (await getGreenWebhookSetup(t.db, keys, { tenantId, id: numberId }))!.token!;
    expect(token).not.toBe(old);
    expect((await post(numberId, fixtureText("green-incoming-location.json"), bearer(old))).status).toBe(401);
    expect((await deliver("green-incoming-location.json")).status).toBe(200);
  });

  it("a demo number gets no webhook token and nothing real arrives through it, even with a token put on it", async () => {
    const { id: demoId, token: demoToken } = await greenNumber(otherTenantId, "+15550100009", "1101000109");
    await t.db.update(whatsappNumbers).set({ demo: true }).where(eq(whatsappNumbers.id, demoId));
    await expect(issueGreenWebhookToken(t.db, keys, { tenantId: otherTenantId, id: demoId })).rejects.toMatchObject({
      code: "unprocessable",
      message: expect.stringContaining("is a demo number"),
    });
    for (const e of await t.db.select({ id: webhookEvents.id }).from(webhookEvents)) seen.add(e.id);
    const res = await post(demoId, fixtureText("green-incoming-text-stop.json"), bearer(demoToken));
    expect(res.status).toBe(404);
    expect(await lastEvent()).toMatchObject({ provider: "green", status: "rejected", tenantId: null, numberId: null });
  });

  it("never puts the webhook token in an API response", async () => {
    const apiKey = (await createApiKey(t.db, { tenantId, name: "k", createdBy: null })).secret;
    const get = async (handler: (req: Request, ctx: never) => Promise<Response>, url: string, id = "") =>
      (await handler(new Request(url, { headers: { authorization: `Bearer ${apiKey}` } }), { params: Promise.resolve({ id }) } as never)).text();
    const list = await get(numbersApi.GET, "http://t/api/v1/numbers");
    const one = await get(numberApi.GET, `http://t/api/v1/numbers/${numberId}`, numberId);
    expect(JSON.parse(list).rows).toHaveLength(2);
    const [row] = await t.db.select().from(whatsappNumbers).where(eq(whatsappNumbers.id, numberId));
    for (const body of [list, one]) {
      expect(body).not.toContain(token);
      expect(body).not.toContain(row!.greenWebhookTokenEnc!);
      expect(body).not.toMatch(/greenWebhookToken/i);
    }
  });
});
