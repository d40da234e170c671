// The webhook routes, called with real Requests on a test database (only getDb is pointed at it).
import { readFileSync } from "node:fs";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import { insertTenant } from "@/db/queries";
import { subscribers, webhookEvents } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { setEnvForTests } from "@/lib/env";
import { connectNumber } from "@/lib/numbers/connect";
import { createNumber } from "@/lib/numbers/numbers";
import { numberFormSchema } from "@/lib/numbers/schemas";
import { kickWebhookProcessing } from "@/lib/whatsapp/processing-loop";
import { signMetaBody } from "@/lib/whatsapp/signature";

const current: { db?: Db; down?: boolean } = {};
vi.mock("@/db/client", async (importOriginal) => ({
  ...(await importOriginal<typeof ClientModule>()),
  getDb: async () => {
    if (current.down) throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
    return current.db!;
  },
}));

const meta = await import("./whatsapp/route");
const gupshup = await import("./gupshup/[token]/route");

const corpus = (name: string) => readFileSync(path.resolve("../shared/corpus/webhooks", name), "utf8");
const KEY = Buffer.alloc(32, 11).toString("base64");
const APP_SECRET = "0123456789abcdef0123456789abcdef";

const post = (body: string, headers: Record<string, string> = {}) =>
  meta.POST(new Request("http://test.local/api/webhooks/whatsapp", { method: "POST", body, headers: { "content-type": "application/json", ...headers } }));
const signed = (body: string, secret = APP_SECRET) => post(body, { "x-hub-signature-256": signMetaBody(body, secret) });

describe.each(testDrivers)("webhook routes (%s)", (kind) => {
  let t: TestDb;
  let restoreEnv = () => {};
  let tenantId = "";
  let gupshupToken = "";
  let verifyToken = "";

  beforeAll(async () => {
    t = await createTestDb(kind);
    current.db = t.db;
    restoreEnv = setEnvForTests({ ENCRYPTION_KEY: KEY, WHATSAPP_VERIFY_TOKEN: "global-verify-token-123", META_APP_SECRET: "" });
    tenantId = (await insertTenant(t.db, { name: "Hooks" })).id;
    const keys = { encryptionKey: KEY, appUrl: "http://localhost:3000" };
    const cloud = await createNumber(t.db, keys, {
      tenantId,
      input: numberFormSchema.parse({
        provider: "cloud", label: "Docs number", phoneE164: "+15550783881", phoneNumberId: "106540352242922", wabaId: "102290129340398", accessToken: "t", appSecret: APP_SECRET,
      }),
    });
    verifyToken = cloud.verifyToken;
    const gs = await createNumber(t.db, keys, {
      tenantId,
      input: numberFormSchema.parse({ provider: "gupshup", label: "GS", phoneE164: "+918000000000", gupshupAppName: "DemoApp", gupshupApiKey: "k" }),
    });
    gupshupToken = gs.gupshupWebhookToken!;
  });
  afterAll(async () => {
    restoreEnv();
    await t.cleanup();
  });

  const lastEvent = async () => (await t.db.select().from(webhookEvents).orderBy(webhookEvents.receivedAt)).at(-1)!;

  it("answers Meta's handshake for a number's verify token or the global one, and refuses others", async () => {
    const get = (qs: string) => meta.GET(new Request(`http://test.local/api/webhooks/whatsapp?${qs}`));
    const ok = await get(`hub.mode=subscribe&hub.verify_token=${verifyToken}&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toBe("text/plain");
    expect(await ok.text()).toBe("1158201444");
    expect(await (await get("hub.mode=subscribe&hub.verify_token=global-verify-token-123&hub.challenge=abc")).text()).toBe("abc");
    expect((await get("hub.mode=subscribe&hub.verify_token=wrong-token-000000&hub.challenge=abc")).status).toBe(403);
    expect((await get(`hub.mode=unsubscribe&hub.verify_token=${verifyToken}&hub.challenge=abc`)).status).toBe(403);
    expect((await get(`hub.mode=subscribe&hub.verify_token=${verifyToken}`)).status).toBe(403);
  });

  it("stores a signed webhook, answers 200 and processes it", async () => {
    const body = corpus("meta-text-01.json");
    const res = await signed(body);
    expect(res.status).toBe(200);
    const { eventId } = await res.json();
    await kickWebhookProcessing(t.db);
    const [event] = await t.db.select().from(webhookEvents).where(eq(webhookEvents.id, eventId));
    expect(event).toMatchObject({ rawBody: body, signatureResult: "valid", status: "processed", tenantId });
    const [sub] = await t.db.select().from(subscribers).where(and(eq(subscribers.tenantId, tenantId), eq(subscribers.waPhone, "+16505551234")));
    expect(sub).toMatchObject({ profileName: "Sheena Nelson", inboundCount: 1 });
  });

  it("counts one message when the same delivery arrives many times at once", async () => {
    const body = corpus("meta-text-02.json").replaceAll("1122334455667", "106540352242922").replaceAll("wamid.xyzxyz", "wamid.parallel-delivery").replaceAll("972987654321", "972987650000").replaceAll("US.13491208655302741918", "US.99990000000000000001");
    const answers = await Promise.all(Array.from({ length: 8 }, () => signed(body)));
    expect(answers.map((r) => r.status)).toEqual(Array(8).fill(200));
    await kickWebhookProcessing(t.db);
    const stored = await t.db.select().from(webhookEvents).where(eq(webhookEvents.rawBody, body));
    expect(stored).toHaveLength(8);
    expect(stored.every((e) => e.status === "processed")).toBe(true);
    const [sub] = await t.db.select().from(subscribers).where(and(eq(subscribers.tenantId, tenantId), eq(subscribers.waPhone, "+972987650000")));
    expect(sub?.inboundCount).toBe(1);
  });

  it("rejects a wrong or missing signature with 401 and keeps the body with the reason", async () => {
    const body = corpus("meta-image-01.json");
    const wrong = await signed(body, "not-the-app-secret");
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.code).toBe("unauthorized");
    expect(await lastEvent()).toMatchObject({ rawBody: body, status: "rejected", signatureResult: "invalid", error: expect.stringContaining("does not match") });
    const tampered = await post(`${body} `, { "x-hub-signature-256": signMetaBody(body, APP_SECRET) });
    expect(tampered.status).toBe(401);
    expect((await post(body)).status).toBe(401);
    expect(await lastEvent()).toMatchObject({ status: "rejected", signatureResult: "missing" });
    expect((await post(body, { "x-hub-signature-256": "md5=abc" })).status).toBe(401);
  });

  it("keeps a body that is not JSON (400) and refuses one over 1 MiB (413)", async () => {
    const res = await post("{not json", { "x-hub-signature-256": signMetaBody("{not json", APP_SECRET) });
    expect(res.status).toBe(400);
    expect(await lastEvent()).toMatchObject({ rawBody: "{not json", status: "rejected", error: "The body is not JSON" });
    const huge = JSON.stringify({ object: "whatsapp_business_account", pad: "x".repeat(1024 * 1024) });
    expect((await signed(huge)).status).toBe(413);
  });

  it("keeps an event for an unknown Phone Number ID as unrouted (200)", async () => {
    const body = corpus("meta-text-02.json"); // phone_number_id 1122334455667 is not connected here
    const res = await signed(body, "some-other-app");
    expect(res.status).toBe(200);
    expect(await lastEvent()).toMatchObject({ status: "unrouted", signatureResult: "unverified", routedPhoneNumberIds: ["1122334455667"], tenantId: null });
  });

  it("verifies and processes waiting events once their number is connected", async () => {
    const forged = await signed(corpus("meta-text-forwarded-01.json"), "an-attacker-secret"); // same unknown phone_number_id
    expect(forged.status).toBe(200);
    const deps = {
      keys: { encryptionKey: KEY, appUrl: "http://localhost:3000" },
      // a closed loopback port: the connection check fails fast, nothing leaves the machine
      connection: { encryptionKey: KEY, graph: { base: "http://127.0.0.1:9", version: "v24.0", timeoutMs: 500 }, now: () => new Date() },
    };
    await connectNumber(t.db, deps, {
      tenantId,
      input: numberFormSchema.parse({
        provider: "cloud", label: "Late", phoneE164: "+972501234567", phoneNumberId: "1122334455667", wabaId: "1234567890987654321", accessToken: "t", appSecret: "some-other-app",
      }),
    });
    const events = await t.db.select().from(webhookEvents).where(eq(webhookEvents.routedPhoneNumberIds, ["1122334455667"]));
    expect(events.map((e) => [e.status, e.signatureResult]).sort()).toEqual([["processed", "valid"], ["rejected", "invalid"]]);
    const [sub] = await t.db.select().from(subscribers).where(and(eq(subscribers.tenantId, tenantId), eq(subscribers.waPhone, "+972987654321")));
    expect(sub?.inboundCount).toBe(1); // only the genuine one was applied
  });

  it("answers 503 when the event cannot be stored, so Meta retries", async () => {
    current.down = true;
    try {
      const res = await signed(corpus("meta-text-01.json"));
      expect(res.status).toBe(503);
      expect((await res.json()).error.code).toBe("unavailable");
    } finally {
      current.down = false;
    }
  });

  it("takes Gupshup callbacks on the number's token and refuses unknown tokens", async () => {
    const call = (token: string, body: string) =>
      gupshup.POST(new Request(`http://test.local/api/webhooks/gupshup/${token}`, { method: "POST", body }), { params: Promise.resolve({ token }) });
    const body = corpus("gupshup-message-text-01.json");
    expect((await call("not-a-real-token-at-all", body)).status).toBe(401);
    expect(await lastEvent()).toMatchObject({ provider: "gupshup", status: "rejected" });
    const res = await call(gupshupToken, body);
    expect(res.status).toBe(200);
    await kickWebhookProcessing(t.db);
    expect(await lastEvent()).toMatchObject({ provider: "gupshup", status: "processed", signatureResult: "not_required", tenantId });
  });
});
