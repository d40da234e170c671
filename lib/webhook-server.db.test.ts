// The self-hosted server's webhook fast path (lib/webhook-server.ts) over real HTTP, on a node:http server of
// its own (no Next): every request is also sent to the route handler, and the two must answer and store alike.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import { insertTenant, markPhoneNumberIdProven } from "@/db/queries";
import { webhookEvents } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { setEnvForTests } from "@/lib/env";
import { getGreenWebhookSetup, issueGreenWebhookToken } from "@/lib/green/webhook-token";
import { createNumber } from "@/lib/numbers/numbers";
import { numberFormSchema } from "@/lib/numbers/schemas";
import { kickWebhookProcessing } from "@/lib/whatsapp/processing-loop";
import { signMetaBody } from "@/lib/whatsapp/signature";
import { fixtureText } from "@/test/fixtures/webhooks";
import { API_CONTENT_SECURITY_POLICY, STATIC_SECURITY_HEADERS } from "./security-headers";
import { createWebhookFastPath, webhookTargetOf } from "./webhook-server";

// the route handlers' getDb and the fast path's are the same function, pointed at the test database
const current = vi.hoisted(() => {
  const state: { db?: Db; down?: boolean; getDb: () => Promise<Db> } = {
    getDb: async () => {
      if (state.down) throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
      return state.db!;
    },
  };
  return state;
});
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<typeof ClientModule>()), getDb: current.getDb }));

const meta = await import("@/app/api/webhooks/whatsapp/route");
const gupshup = await import("@/app/api/webhooks/gupshup/[token]/route");
const green = await import("@/app/api/webhooks/green/[numberId]/route");

const KEY = Buffer.alloc(32, 23).toString("base64");
const APP_SECRET = "fedcba9876543210fedcba9876543210";
const PNID = "320000000000001";
const WABA = "310000000000001";
const MIB = 1024 * 1024;

type Answer = { status: number; body: unknown; headers: Record<string, string | string[] | undefined> };
type Sent = { method?: string; path: string; body?: string | Buffer; headers?: Record<string, string> };

/** The fast path's server: what it does not take answers 599 "not mine" (where Next would answer). */
async function startFastPath(): Promise<{ url: string; close: () => Promise<void> }> {
  const fast = createWebhookFastPath({ getDb: current.getDb });
  const server = http.createServer((req, res) => {
    if (fast(req, res)) return;
    req.resume();
    res.writeHead(599, { "content-type": "text/plain" }).end("not mine");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function overHttp(base: string, { method = "POST", path, body, headers = {} }: Sent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, base), { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const json = (res.headers["content-type"] ?? "").startsWith("application/json");
        resolve({ status: res.statusCode ?? 0, body: json ? JSON.parse(text) : text, headers: res.headers });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** The same request through the route handler (as Next would call it). */
async function throughRoute({ method = "POST", path, body, headers = {} }: Sent): Promise<Answer> {
  const url = `http://test.local${path}`;
  // Next hands the route the request's own headers, Content-Length included
  const sentHeaders = body === undefined ? headers : { "content-length": String(Buffer.byteLength(body)), ...headers };
  const init = body === undefined ? {} : { body: typeof body === "string" ? body : new Uint8Array(body) };
  const request = new Request(url, { method, headers: sentHeaders, ...init });
  const pathname = new URL(url).pathname;
  const param = decodeURIComponent(pathname.split("/").at(-1)!);
  const res = pathname.startsWith("/api/webhooks/gupshup/")
    ? await gupshup.POST(request, { params: Promise.resolve({ token: param }) })
    : pathname.startsWith("/api/webhooks/green/")
      ? await green.POST(request, { params: Promise.resolve({ numberId: param }) })
      : method === "GET"
        ? await meta.GET(request)
        : await meta.POST(request);
  const text = await res.text();
  const json = (res.headers.get("content-type") ?? "").startsWith("application/json");
  return { status: res.status, body: json ? JSON.parse(text) : text, headers: Object.fromEntries(res.headers) };
}

/** An answer's JSON with the event id it names replaced (each transport stores its own event). */
const shape = (body: unknown) => JSON.parse(JSON.stringify(body).replace(/"eventId":"[0-9a-f-]{36}"/, '"eventId":"<id>"')) as unknown;
const eventIdOf = (a: Answer) => (a.body as { eventId?: string }).eventId;

describe.each(testDrivers)("webhook fast path over HTTP (%s)", (kind) => {
  let t: TestDb;
  let server: { url: string; close: () => Promise<void> };
  let restoreEnv = () => {};
  let tenantId = "";
  let verifyToken = "";
  let gupshupToken = "";
  let greenNumber = { id: "", token: "" };

  beforeAll(async () => {
    t = await createTestDb(kind);
    current.db = t.db;
    restoreEnv = setEnvForTests({ ENCRYPTION_KEY: KEY, WHATSAPP_VERIFY_TOKEN: "global-verify-token-456", META_APP_SECRET: "" });
    tenantId = (await insertTenant(t.db, { name: "Fast path" })).id;
    const keys = { encryptionKey: KEY, appUrl: "http://localhost:3000" };
    const cloudInput = {
      provider: "cloud",
      label: "Cloud",
      phoneE164: "+15550100001",
      phoneNumberId: PNID,
      wabaId: WABA,
      accessToken: "t",
      appSecret: APP_SECRET,
    };
    const cloud = await createNumber(t.db, keys, { tenantId, input: numberFormSchema.parse(cloudInput) });
    verifyToken = cloud.verifyToken;
    await markPhoneNumberIdProven(t.db, { tenantId, id: cloud.id, at: new Date() });
    const gsInput = { provider: "gupshup", label: "GS", phoneE164: "+15550100004", gupshupAppName: "ClicktrailDemo", gupshupApiKey: "k" };
    gupshupToken = (await createNumber(t.db, keys, { tenantId, input: numberFormSchema.parse(gsInput) })).gupshupWebhookToken!;
    const greenInput = {
      provider: "green",
      label: "Green",
      phoneE164: "+15550100005",
      greenApiUrl: "https://api.green-api.com",
      greenInstanceId: "1101000101",
      greenApiToken: "instance-token",
    };
    const greenRow = await createNumber(t.db, keys, { tenantId, input: numberFormSchema.parse(greenInput) });
    await issueGreenWebhookToken(t.db, keys, { tenantId, id: greenRow.id });
    greenNumber = { id: greenRow.id, token: (await getGreenWebhookSetup(t.db, keys, { tenantId, id: greenRow.id }))!.token! };
    server = await startFastPath();
  });
  afterAll(async () => {
    await server?.close();
    await kickWebhookProcessing(t.db); // the processing the last requests started, before the database goes
    restoreEnv();
    await t.cleanup();
  });

  /** Sends `request` both ways; asserts the same status and JSON, and returns both answers. */
  async function both(request: Sent): Promise<{ fast: Answer; route: Answer }> {
    const fast = await overHttp(server.url, request);
    const route = await throughRoute(request);
    expect(fast.status).toBe(route.status);
    expect(shape(fast.body)).toEqual(shape(route.body));
    expect(fast.headers["content-type"]).toBe(route.headers["content-type"]);
    for (const { key, value } of STATIC_SECURITY_HEADERS) expect(fast.headers[key.toLowerCase()]).toBe(value);
    expect(fast.headers["content-security-policy"]).toBe(API_CONTENT_SECURITY_POLICY);
    return { fast, route };
  }

  /** The rows the two requests stored, as far as they must agree. */
  async function storedAlike(ids: (string | undefined)[]) {
    const rows = await t.db
      .select()
      .from(webhookEvents)
      .where(
        inArray(
          webhookEvents.id,
          ids.filter((id): id is string => !!id),
        ),
      );
    const comparable = rows.map((r) => ({
      provider: r.provider,
      status: r.status,
      signatureResult: r.signatureResult,
      error: r.error,
      tenantId: r.tenantId,
      numberId: r.numberId,
      rawBodyKind: r.rawBodyKind,
      bodySha256: r.bodySha256,
      headers: r.headers,
    }));
    expect(comparable).toHaveLength(2);
    expect(comparable[0]).toEqual(comparable[1]);
    return comparable[0]!;
  }

  /** The events stored since `before` (a refused request's answer names none). */
  async function newEvents(before: Set<string>) {
    return (await t.db.select().from(webhookEvents)).filter((e) => !before.has(e.id));
  }
  const eventIds = async () => new Set((await t.db.select({ id: webhookEvents.id }).from(webhookEvents)).map((e) => e.id));

  const cloud = (body: string, headers: Record<string, string> = {}): Sent => ({
    path: "/api/webhooks/whatsapp",
    body,
    headers: { "content-type": "application/json", ...headers },
  });

  it("stores and processes a signed Cloud webhook like the route", async () => {
    const body = fixtureText("meta-text.json");
    const { fast, route } = await both(cloud(body, { "x-hub-signature-256": signMetaBody(body, APP_SECRET) }));
    expect(fast.status).toBe(200);
    await kickWebhookProcessing(t.db);
    expect(await storedAlike([eventIdOf(fast), eventIdOf(route)])).toMatchObject({
      status: "processed",
      signatureResult: "valid",
      tenantId,
      rawBodyKind: "exact",
    });
  });

  it("refuses unsigned, wrongly signed and malformed deliveries like the route, and keeps them as rejected", async () => {
    const body = fixtureText("meta-status-read.json");
    const signatures: Record<string, string>[] = [
      {},
      { "x-hub-signature-256": signMetaBody(body, "another-apps-secret-0000000000") },
      { "x-hub-signature-256": "sha1=abc" },
    ];
    for (const headers of signatures) {
      const before = await eventIds();
      const { fast } = await both(cloud(body, headers));
      expect(fast.status).toBe(401);
      const stored = await newEvents(before);
      expect(stored.map((e) => e.status)).toEqual(["rejected", "rejected"]);
      expect(stored[0]).toMatchObject({ signatureResult: stored[1]!.signatureResult, error: stored[1]!.error, bodySha256: stored[1]!.bodySha256 });
    }
    const before = await eventIds();
    const notJson = "{ not json";
    expect((await both(cloud(notJson, { "x-hub-signature-256": signMetaBody(notJson, APP_SECRET) }))).fast.status).toBe(400);
    expect((await newEvents(before)).map((e) => [e.status, e.error])).toEqual([
      ["rejected", "The body is not JSON"],
      ["rejected", "The body is not JSON"],
    ]);
  });

  it("answers 413 to a body over 1 MiB, declared or not, and stores nothing", async () => {
    const before = await eventIds();
    const big = `{"pad":"${"x".repeat(MIB)}"}`;
    const declared = await both(cloud(big));
    expect(declared.fast.status).toBe(413);
    expect(declared.fast.headers.connection).toBe("close");
    // chunked: no length to refuse up front, so reading stops at the cap
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = http.request(new URL("/api/webhooks/whatsapp", server.url), { method: "POST", headers: { "transfer-encoding": "chunked" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      const chunk = Buffer.alloc(64 * 1024, 0x78);
      let sent = 0;
      const pump = () => {
        while (sent < 4 * MIB) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once("drain", pump);
        }
        req.end();
      };
      req.on("response", () => req.destroy());
      pump();
    });
    expect(chunked).toBe(413);
    expect(await newEvents(before)).toEqual([]);
  });

  it("takes Gupshup callbacks by their token like the route (unknown tokens refused and kept)", async () => {
    const body = fixtureText("gupshup-message-text.json");
    const headers = { "content-type": "application/json" };
    const ok = await both({ path: `/api/webhooks/gupshup/${gupshupToken}`, body, headers });
    expect(ok.fast.status).toBe(200);
    await kickWebhookProcessing(t.db);
    expect(await storedAlike([eventIdOf(ok.fast), eventIdOf(ok.route)])).toMatchObject({ provider: "gupshup", signatureResult: "not_required", tenantId });
    const before = await eventIds();
    const unknown = await both({ path: "/api/webhooks/gupshup/no-such-token-0123456789", body, headers });
    expect(unknown.fast).toMatchObject({ status: 401, body: { error: { code: "unauthorized" } } });
    expect((await newEvents(before)).map((e) => [e.provider, e.status, e.tenantId])).toEqual([
      ["gupshup", "rejected", null],
      ["gupshup", "rejected", null],
    ]);
  });

  it("takes Green API notifications by number and bearer token like the route", async () => {
    const body = fixtureText("green-incoming-text.json");
    const path = `/api/webhooks/green/${greenNumber.id}`;
    const headers = { "content-type": "application/json", authorization: `Bearer ${greenNumber.token}` };
    // the second copy of a notification is a redelivery, whichever way each came: the first copy stands
    const fastFirst = await overHttp(server.url, { path, body, headers });
    expect(fastFirst).toMatchObject({ status: 200, body: { received: true } });
    expect(await throughRoute({ path, body, headers })).toMatchObject({ status: 200, body: { duplicate: true, eventId: eventIdOf(fastFirst) } });
    const other = fixtureText("green-status-delivered.json");
    const routeFirst = await throughRoute({ path, body: other, headers });
    expect(routeFirst).toMatchObject({ status: 200, body: { received: true } });
    expect(await overHttp(server.url, { path, body: other, headers })).toMatchObject({
      status: 200,
      body: { duplicate: true, eventId: eventIdOf(routeFirst) },
    });
    expect((await both({ path, body, headers: { authorization: "Bearer wrong-token" } })).fast.status).toBe(401);
    expect((await both({ path: "/api/webhooks/green/00000000-0000-4000-8000-000000000000", body })).fast.status).toBe(404);
    expect((await both({ path: "/api/webhooks/green/not-a-uuid", body })).fast.status).toBe(404);
  });

  it("answers Meta's handshake like the route", async () => {
    const get = (qs: string): Sent => ({ method: "GET", path: `/api/webhooks/whatsapp?${qs}` });
    const ok = await both(get(`hub.mode=subscribe&hub.verify_token=${verifyToken}&hub.challenge=1158201444`));
    expect(ok.fast).toMatchObject({ status: 200, body: "1158201444" });
    expect((await both(get("hub.mode=subscribe&hub.verify_token=global-verify-token-456&hub.challenge=abc"))).fast.body).toBe("abc");
    expect((await both(get("hub.mode=subscribe&hub.verify_token=wrong-token-000000&hub.challenge=abc"))).fast.status).toBe(403);
  });

  it("answers 503 when the database is down, like the route (the provider retries)", async () => {
    current.down = true;
    const log = vi.spyOn(console, "error").mockImplementation(() => {}); // the expected "could not be stored" lines
    try {
      const body = fixtureText("meta-text.json");
      const { fast } = await both(cloud(body, { "x-hub-signature-256": signMetaBody(body, APP_SECRET) }));
      expect(fast).toMatchObject({ status: 503, body: { error: { code: "unavailable" } } });
    } finally {
      current.down = false;
      log.mockRestore();
    }
  });

  it("leaves every other request to Next", async () => {
    const others: Sent[] = [
      { method: "GET", path: "/api/health" },
      { method: "PUT", path: "/api/webhooks/whatsapp", body: "{}" },
      { method: "HEAD", path: "/api/webhooks/whatsapp" },
      { method: "GET", path: `/api/webhooks/gupshup/${gupshupToken}` },
      { path: "/api/webhooks/whatsapp/", body: "{}" },
      { path: "/api/webhooks/gupshup/a/b", body: "{}" },
      { path: "/api/webhooks/gupshup/", body: "{}" },
      { path: "/api/webhooks/green/%E0%A4%A", body: "{}" },
      { path: "/api/webhooks/telegram/x", body: "{}" },
    ];
    const before = await eventIds();
    for (const request of others) expect((await overHttp(server.url, request)).status, `${request.method ?? "POST"} ${request.path}`).toBe(599);
    expect(await newEvents(before)).toEqual([]);
  });
});

describe("webhookTargetOf", () => {
  it("names the webhook URLs the route files serve, and only those", () => {
    expect(webhookTargetOf("/api/webhooks/whatsapp")).toEqual({ provider: "cloud" });
    expect(webhookTargetOf("/api/webhooks/gupshup/tok%20en")).toEqual({ provider: "gupshup", token: "tok en" });
    expect(webhookTargetOf("/api/webhooks/green/abc")).toEqual({ provider: "green", numberId: "abc" });
    for (const other of ["/api/webhooks/whatsapp/", "/api/webhooks", "/api/webhooks/green/a/b", "/api/webhooks/green/%zz", "/api/webhooks/telegram/a"]) {
      expect(webhookTargetOf(other)).toBeNull();
    }
  });
});
