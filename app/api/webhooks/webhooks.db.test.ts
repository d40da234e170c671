// The webhook routes, called with real Requests on a test database (only getDb is pointed at it).
import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import { insertTenant, markPhoneNumberIdProven } from "@/db/queries";
import { messages, subscribers, webhookEvents } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { type FakeGraph, startFakeGraph } from "@/e2e/fakes/fake-graph";
import { setEnvForTests } from "@/lib/env";
import { connectNumber } from "@/lib/numbers/connect";
import { createNumber } from "@/lib/numbers/numbers";
import { numberFormSchema } from "@/lib/numbers/schemas";
import { kickWebhookProcessing } from "@/lib/whatsapp/processing-loop";
import { signMetaBody } from "@/lib/whatsapp/signature";
import { fixtureText } from "@/test/fixtures/webhooks";

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

// The fixtures' number (test/fixtures/webhooks/README.md) is connected here; their second number is not,
// until a test connects it.
const PNID = "320000000000001";
const WABA = "310000000000001";
const LATE_PNID = "320000000000002";
const LATE_WABA = "310000000000002";
/** A fixture addressed to the number that is not connected yet. */
const toLateNumber = (name: string) => fixtureText(name, { [PNID]: LATE_PNID, [WABA]: LATE_WABA });
const KEY = Buffer.alloc(32, 11).toString("base64");
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
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
        provider: "cloud",
        label: "Fixture number",
        phoneE164: "+15550100001",
        phoneNumberId: PNID,
        wabaId: WABA,
        accessToken: "t",
        appSecret: APP_SECRET,
      }),
    });
    verifyToken = cloud.verifyToken;
    // as if its token had passed the Graph check: only a proven number gets its Phone Number ID's webhooks
    await markPhoneNumberIdProven(t.db, { tenantId, id: cloud.id, at: new Date() });
    const gs = await createNumber(t.db, keys, {
      tenantId,
      input: numberFormSchema.parse({ provider: "gupshup", label: "GS", phoneE164: "+15550100004", gupshupAppName: "ClicktrailDemo", gupshupApiKey: "k" }),
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
    const body = fixtureText("meta-text.json");
    const res = await signed(body);
    expect(res.status).toBe(200);
    const { eventId } = await res.json();
    await kickWebhookProcessing(t.db);
    const [event] = await t.db.select().from(webhookEvents).where(eq(webhookEvents.id, eventId));
    expect(event).toMatchObject({ rawBody: body, signatureResult: "valid", status: "processed", tenantId });
    const [sub] = await t.db
      .select()
      .from(subscribers)
      .where(and(eq(subscribers.tenantId, tenantId), eq(subscribers.waPhone, "+15550142001")));
    expect(sub).toMatchObject({ profileName: "Mara Quinn", inboundCount: 1 });
  });

  it("counts one message when the same delivery arrives many times at once", async () => {
    const body = fixtureText("meta-text-bsuid.json"); // no other test here sends it
    const answers = await Promise.all(Array.from({ length: 8 }, () => signed(body)));
    expect(answers.map((r) => r.status)).toEqual(Array(8).fill(200));
    await kickWebhookProcessing(t.db);
    const stored = await t.db.select().from(webhookEvents).where(eq(webhookEvents.rawBody, body));
    expect(stored).toHaveLength(8);
    expect(stored.every((e) => e.status === "processed")).toBe(true);
    const [sub] = await t.db
      .select()
      .from(subscribers)
      .where(and(eq(subscribers.tenantId, tenantId), eq(subscribers.waPhone, "+15550142005")));
    expect(sub).toMatchObject({ userId: "US.70000000000000000005", inboundCount: 1 });
  });

  it("rejects a wrong or missing signature with 401 and keeps the body with the reason", async () => {
    const body = fixtureText("meta-image.json");
    const wrong = await signed(body, "not-the-app-secret");
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.code).toBe("unauthorized");
    expect(await lastEvent()).toMatchObject({
      rawBody: body,
      status: "rejected",
      signatureResult: "invalid",
      error: expect.stringContaining("does not match"),
    });
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
    const body = toLateNumber("meta-text-forwarded.json"); // Jonas Weber's wamid.CT-FWD-0001
    const res = await signed(body, "some-other-app");
    expect(res.status).toBe(200);
    expect(await lastEvent()).toMatchObject({ status: "unrouted", signatureResult: "unverified", routedPhoneNumberIds: [LATE_PNID], tenantId: null });
  });

  it("verifies and processes waiting events once their number is connected", async () => {
    // same sender and unknown phone_number_id, another message (wamid.CT-FWD-0002), signed with the wrong secret
    const forged = await signed(toLateNumber("meta-text-frequently-forwarded.json"), "an-attacker-secret");
    expect(forged.status).toBe(200);
    const graph: FakeGraph = await startFakeGraph();
    graph.addPhoneNumber({ id: LATE_PNID, token: "late-token", display_phone_number: "+1 555-010-0002", verified_name: "Late" });
    const deps = {
      keys: { encryptionKey: KEY, appUrl: "http://localhost:3000" },
      connection: { encryptionKey: KEY, graph: { base: graph.url, version: "v24.0", timeoutMs: 2000 }, now: () => new Date() },
    };
    try {
      const { check } = await connectNumber(t.db, deps, {
        tenantId,
        input: numberFormSchema.parse({
          provider: "cloud",
          label: "Late",
          phoneE164: "+15550100002",
          phoneNumberId: LATE_PNID,
          wabaId: LATE_WABA,
          accessToken: "late-token",
          appSecret: "some-other-app",
        }),
      });
      expect(check?.status).toBe("connected"); // the Graph check proved the id: now it adopts what waited for it
    } finally {
      await graph.close();
    }
    const events = await t.db
      .select()
      .from(webhookEvents)
      .where(eq(webhookEvents.bodySha256, sha256(toLateNumber("meta-text-forwarded.json"))));
    expect(events.map((e) => [e.status, e.signatureResult, e.tenantId])).toEqual([["processed", "valid", tenantId]]);
    const refused = await t.db
      .select()
      .from(webhookEvents)
      .where(eq(webhookEvents.bodySha256, sha256(toLateNumber("meta-text-frequently-forwarded.json"))));
    expect(refused.map((e) => [e.status, e.signatureResult, e.refusedPhoneNumberIds])).toEqual([["rejected", "invalid", [LATE_PNID]]]);
    const [sub] = await t.db
      .select()
      .from(subscribers)
      .where(and(eq(subscribers.tenantId, tenantId), eq(subscribers.waPhone, "+15550142003")));
    expect(sub?.inboundCount).toBe(1); // only the genuine one was applied
    const applied = await t.db.select({ wamid: messages.wamid }).from(messages).where(eq(messages.subscriberId, sub!.id));
    expect(applied.map((m) => m.wamid)).toEqual(["wamid.CT-FWD-0001"]);
  });

  it("answers 503 when the event cannot be stored, so Meta retries", async () => {
    current.down = true;
    try {
      const res = await signed(fixtureText("meta-text.json"));
      expect(res.status).toBe(503);
      expect((await res.json()).error.code).toBe("unavailable");
    } finally {
      current.down = false;
    }
  });

  it("takes Gupshup callbacks on the number's token and refuses unknown tokens", async () => {
    const call = (token: string, body: string) =>
      gupshup.POST(new Request(`http://test.local/api/webhooks/gupshup/${token}`, { method: "POST", body }), { params: Promise.resolve({ token }) });
    const body = fixtureText("gupshup-message-text.json");
    expect((await call("not-a-real-token-at-all", body)).status).toBe(401);
    expect(await lastEvent()).toMatchObject({ provider: "gupshup", status: "rejected" });
    const res = await call(gupshupToken, body);
    expect(res.status).toBe(200);
    await kickWebhookProcessing(t.db);
    expect(await lastEvent()).toMatchObject({ provider: "gupshup", status: "processed", signatureResult: "not_required", tenantId });
    const [sender] = await t.db
      .select()
      .from(subscribers)
      .where(and(eq(subscribers.tenantId, tenantId), eq(subscribers.waPhone, "+15550142101")));
    expect(sender).toMatchObject({ profileName: "Lena Ortiz", inboundCount: 1, rawVersion: "v2" });
  });
});
