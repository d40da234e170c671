// Zernio's own Node SDK (@getlatedev/node, the real package) pointed at Clicktrail by its base URL only:
// a real HTTP server on loopback hands each request to the /api/zernio route handlers, and a fake Graph
// server plays Meta. Then plain requests for the flat errors, unknown paths and workspace isolation.
import http from "node:http";
import type { AddressInfo } from "node:net";
import Zernio, { ZernioApiError } from "@getlatedev/node";
import { desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import { getSubscriberByWaPhone, insertTenant } from "@/db/queries";
import { conversations, conversions } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { type FakeGraph, graphError, startFakeGraph } from "@/e2e/fakes/fake-graph";
import { createApiKey } from "@/lib/api-keys";
import { setEnvForTests } from "@/lib/env";
import { createNumber } from "@/lib/numbers/numbers";
import { numberFormSchema } from "@/lib/numbers/schemas";
import { processWebhookEvents } from "@/lib/whatsapp/ingest";
import { fakeWamid, inboundMessage } from "@/lib/whatsapp/payloads";
import { storeWebhookEvent } from "@/lib/whatsapp/store";
import { zernioDatasetCreatedSchema, zernioDatasetSchema, zernioListResultSchema, zernioSendResultSchema } from "@/lib/zernio/schemas";

const current: { db?: Db } = {};
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<typeof ClientModule>()), getDb: async () => current.db! }));
const conversionsRoute = await import("./v1/whatsapp/conversions/route");
const datasetRoute = await import("./v1/whatsapp/dataset/route");
const catchAll = await import("./[[...path]]/route");

type Handler = (req: Request, ctx: never) => Promise<Response>;
type RouteModule = Record<string, unknown>;
const ROUTES: Record<string, RouteModule> = {
  "/api/zernio/v1/whatsapp/conversions": conversionsRoute,
  "/api/zernio/v1/whatsapp/dataset": datasetRoute,
};
const HOP_HEADERS = new Set(["host", "connection", "content-length", "transfer-encoding", "keep-alive"]);

/** Next's file routing for app/api/zernio, in miniature: a real request in, the route handler's Response out. */
async function startAppServer(): Promise<{ url: string; paths: string[]; close: () => Promise<void> }> {
  const paths: string[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
    const method = req.method ?? "GET";
    paths.push(`${method} ${url.pathname}${url.search}`);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (!HOP_HEADERS.has(name) && value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    const body = method === "GET" || method === "HEAD" ? undefined : Buffer.concat(chunks);
    const mod: RouteModule = ROUTES[url.pathname] ?? catchAll;
    const handler = mod[method] as Handler | undefined;
    const segments = url.pathname.split("/").slice(3).filter(Boolean);
    const response = handler
      ? await handler(new Request(url, { method, headers, body }), { params: Promise.resolve({ path: segments }) } as never)
      : new Response(null, { status: 405 });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    paths,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** What the SDK threw (it throws on every non-2xx answer). */
async function thrown(p: Promise<unknown>): Promise<ZernioApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ZernioApiError) return e;
    throw e;
  }
  throw new Error("expected the SDK call to throw");
}

const encryptionKey = Buffer.alloc(32, 12).toString("base64");
const TOKEN = "EAAG-zernio-token";

describe.each(testDrivers)("Zernio SDK against /api/zernio (%s)", (kind) => {
  let t: TestDb;
  let graph: FakeGraph;
  let app: Awaited<ReturnType<typeof startAppServer>>;
  let restoreEnv = () => {};
  let key = "";
  let otherKey = "";
  let numberId = "";
  let bareNumberId = "";
  let conversationId = "";
  let zernio: Zernio;
  let seq = 0;
  const wabaId = kind === "pglite" ? "303390129340398" : "403390129340398";
  const datasetId = kind === "pglite" ? "882234567890" : "892234567890";
  const from = kind === "pglite" ? "16505550301" : "16505550402";

  beforeAll(async () => {
    t = await createTestDb(kind);
    current.db = t.db;
    graph = await startFakeGraph();
    app = await startAppServer();
    restoreEnv = setEnvForTests({ ENCRYPTION_KEY: encryptionKey, GRAPH_API_BASE: graph.url, GRAPH_API_VERSION: "v24.0" });
    const tenantId = (await insertTenant(t.db, { name: "Zernio SDK" })).id;
    const keys = { encryptionKey, appUrl: "http://x" };
    const pnid = kind === "pglite" ? "707540352242922" : "807540352242922";
    const cloud = { provider: "cloud", accessToken: TOKEN, appSecret: "s" };
    numberId = (
      await createNumber(t.db, keys, {
        tenantId,
        input: numberFormSchema.parse({ ...cloud, label: "Sales", phoneE164: "+15550783891", phoneNumberId: pnid, wabaId, datasetId }),
      })
    ).id;
    bareNumberId = (
      await createNumber(t.db, keys, {
        tenantId,
        input: numberFormSchema.parse({
          ...cloud,
          label: "Support",
          phoneE164: "+15550783892",
          phoneNumberId: `${pnid.slice(0, -1)}3`,
          wabaId: `${wabaId.slice(0, -1)}9`,
        }),
      })
    ).id;
    graph.addDataset({ wabaId, token: TOKEN, datasetId });
    graph.addDataset({ wabaId: `${wabaId.slice(0, -1)}9`, token: TOKEN });
    const at = new Date(Date.now() - 3_600_000);
    const rawBody = JSON.stringify(
      inboundMessage(
        { phoneNumberId: pnid, displayPhoneNumber: "15550783891", wabaId },
        {
          from: { waId: from, name: "Bia" },
          wamid: fakeWamid(`zernio-${kind}`),
          at,
          text: "Oi",
          referral: {
            sourceUrl: "https://fb.me/z",
            sourceId: "120226305854810799",
            sourceType: "ad",
            headline: "Sale",
            body: "b",
            mediaType: "image",
            mediaUrl: "https://x/i.jpg",
            ctwaClid: "Aff-zernio-clid",
          },
        },
      ),
    );
    const event = await storeWebhookEvent(t.db, { provider: "cloud", rawBody, signatureResult: "valid", routedPhoneNumberIds: [pnid], receivedAt: at });
    await processWebhookEvents(t.db, { ids: [event.id], now: at });
    const sub = (await getSubscriberByWaPhone(t.db, { tenantId, waPhone: `+${from}` }))!;
    conversationId = (await t.db.select().from(conversations).where(eq(conversations.subscriberId, sub.id)).orderBy(desc(conversations.startedAt)))[0]!.id;
    key = (await createApiKey(t.db, { tenantId, name: "zernio", createdBy: null })).secret;
    otherKey = (await createApiKey(t.db, { tenantId: (await insertTenant(t.db, { name: "Other" })).id, name: "k", createdBy: null })).secret;
    zernio = new Zernio({ apiKey: key, baseURL: `${app.url}/api/zernio` });
  });
  afterAll(async () => {
    restoreEnv();
    await app.close();
    await graph.close();
    await t.cleanup();
  });

  const eventId = () => `zernio-${kind}-${(seq += 1)}`;
  const lead = (body: Record<string, unknown> = {}) => ({
    accountId: numberId,
    eventName: "LeadSubmitted" as const,
    eventId: eventId(),
    phoneE164: from,
    ...body,
  });
  const deliveriesOf = (id: string) => graph.capiDeliveries.filter((d) => JSON.stringify(d.body).includes(`"${id}"`));

  describe("through the real SDK", () => {
    it("sends a Purchase: 200 in Zernio's shape with Meta's trace id, stored and delivered once", async () => {
      const body = {
        accountId: numberId,
        eventName: "Purchase" as const,
        eventId: eventId(),
        phoneE164: from,
        value: 149.9,
        currency: "USD",
        email: "Bia@Example.com",
      };
      const { data, response } = await zernio.whatsapp.sendWhatsAppConversion({ body });
      expect(response.status).toBe(200);
      expect(zernioSendResultSchema.parse(data)).toEqual({
        platform: "metaads",
        eventsReceived: 1,
        eventsFailed: 0,
        failures: [],
        traceId: expect.stringMatching(/^AFakeTrace/),
        id: expect.any(String),
        eventId: body.eventId,
        status: "sent",
        duplicate: false,
        warnings: [],
      });
      expect(app.paths).toContain("POST /api/zernio/v1/whatsapp/conversions");
      const [row] = await t.db.select().from(conversions).where(eq(conversions.eventId, body.eventId));
      expect(row).toMatchObject({
        status: "sent",
        numberId,
        conversationId,
        ctwaClid: "Aff-zernio-clid",
        value: "149.90",
        currency: "USD",
        fbtraceId: data!.traceId,
      });
      const [delivery] = deliveriesOf(body.eventId);
      expect(delivery!.body.data).toEqual([
        expect.objectContaining({
          event_name: "Purchase",
          action_source: "business_messaging",
          messaging_channel: "whatsapp",
          custom_data: { currency: "USD", value: 149.9 },
        }),
      ]);
      expect(JSON.stringify(delivery!.body)).not.toContain("Bia@Example.com");

      const again = await zernio.whatsapp.sendWhatsAppConversion({ body });
      expect(again.data).toMatchObject({ id: row!.id, duplicate: true, status: "sent", eventsReceived: 1, traceId: data!.traceId });
      expect(deliveriesOf(body.eventId)).toHaveLength(1);
    });

    it("answers Meta's rejection as one failure with Meta's code, and a transient failure as 202 queued", async () => {
      graph.scriptEvents(graphError(400, 100, "Invalid parameter", { subcode: 2804066 }));
      const rejected = await zernio.whatsapp.sendWhatsAppConversion({ body: lead({ eventName: "AddToCart" }) });
      expect(rejected.response.status).toBe(200);
      expect(zernioSendResultSchema.parse(rejected.data)).toMatchObject({
        eventsReceived: 0,
        eventsFailed: 1,
        status: "rejected",
        failures: [{ eventIndex: 0, eventId: rejected.data!.eventId, code: 100, message: expect.stringContaining("2804066") }],
      });

      graph.scriptEvents(graphError(500, 2, "An unexpected error has occurred. Please retry your request later."));
      const queued = await zernio.whatsapp.sendWhatsAppConversion({ body: lead() });
      expect(queued.response.status).toBe(202);
      expect(zernioSendResultSchema.parse(queued.data)).toMatchObject({ eventsReceived: 0, eventsFailed: 0, failures: [], status: "queued" });
    });

    it("lists the account's conversions, newest first, up to limit", async () => {
      const sent = await zernio.whatsapp.sendWhatsAppConversion({ body: lead({ eventName: "ViewContent" }) });
      const { data } = await zernio.whatsapp.listWhatsAppConversions({ query: { accountId: numberId } });
      const events = zernioListResultSchema.parse(data).events;
      expect(events.length).toBeGreaterThanOrEqual(4);
      expect(events[0]).toEqual({
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        eventName: "ViewContent",
        conversationId,
        eventsReceived: 1,
        eventsFailed: 0,
        traceId: sent.data!.traceId,
        durationMs: null,
        id: sent.data!.id,
        eventId: sent.data!.eventId,
        status: "sent",
      });
      expect(events.some((e) => e.status === "rejected" && e.eventsFailed === 1 && e.eventsReceived === 0)).toBe(true);
      expect(events.some((e) => e.status === "queued" && e.eventsReceived === null)).toBe(true);
      const one = await zernio.whatsapp.listWhatsAppConversions({ query: { accountId: numberId, limit: 1 } });
      expect(zernioListResultSchema.parse(one.data).events.map((e) => e.eventName)).toEqual(["ViewContent"]);
      expect(app.paths).toContain(`GET /api/zernio/v1/whatsapp/conversions?accountId=${numberId}&limit=1`);
      expect((await zernio.whatsapp.listWhatsAppConversions({ query: { accountId: bareNumberId } })).data).toEqual({ events: [] });
    });

    it("reads the stored dataset, and creates one at Meta for a number without", async () => {
      expect(zernioDatasetSchema.parse((await zernio.whatsapp.getWhatsAppDataset({ query: { accountId: numberId } })).data)).toEqual({ datasetId });
      expect((await zernio.whatsapp.getWhatsAppDataset({ query: { accountId: bareNumberId } })).data).toEqual({ datasetId: null });
      const created = await zernio.whatsapp.createWhatsAppDataset({ body: { accountId: bareNumberId } });
      expect(zernioDatasetCreatedSchema.parse(created.data)).toEqual({ datasetId: expect.stringMatching(/^\d+$/), created: true });
      const again = await zernio.whatsapp.createWhatsAppDataset({ body: { accountId: bareNumberId } });
      expect(again.data).toEqual({ datasetId: created.data!.datasetId, created: false });
      expect((await zernio.whatsapp.getWhatsAppDataset({ query: { accountId: bareNumberId } })).data).toEqual({ datasetId: created.data!.datasetId });
    });

    it("throws errors that carry our message and code, not [object Object]", async () => {
      const refused = await thrown(zernio.whatsapp.sendWhatsAppConversion({ body: lead({ eventName: "Lead" as never }) }));
      expect(refused.statusCode).toBe(422);
      expect(refused.code).toBe("event_name_not_allowed");
      expect(refused.message).toContain('Meta rejects "Lead" for business messaging');
      expect(refused.message).toContain('use "LeadSubmitted"');
      expect(refused.details).toMatchObject({ fieldErrors: { eventName: [expect.any(String)] } });

      const badKey = await thrown(
        new Zernio({ apiKey: "ct_live_not-a-key", baseURL: `${app.url}/api/zernio` }).whatsapp.listWhatsAppConversions({ query: { accountId: numberId } }),
      );
      expect(badKey.isAuthError()).toBe(true);
      expect(badKey.message).not.toContain("[object Object]");

      const theirs = await thrown(new Zernio({ apiKey: otherKey, baseURL: `${app.url}/api/zernio` }).whatsapp.sendWhatsAppConversion({ body: lead() }));
      expect(theirs.isNotFound()).toBe(true);
      expect(theirs.code).toBe("number_not_found");
      expect(theirs.message).toBe(`Number ${numberId} was not found (accountId is the id of one of your numbers)`);

      const unknown = await thrown(zernio.whatsapp.listWhatsAppAccountEvents({ query: { accountId: numberId } } as never));
      expect(unknown).toMatchObject({
        statusCode: 404,
        code: "not_found",
        message: expect.stringContaining("/api/zernio/v1/whatsapp/account-events is not a Zernio API call"),
      });
    });
  });

  describe("plain requests", () => {
    const send = (method: string, path: string, opts: { token?: string; body?: unknown } = { token: key }) =>
      fetch(`${app.url}/api/zernio${path}`, {
        method,
        headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), "content-type": "application/json" },
        body: opts.body === undefined ? undefined : typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body),
      }).then(async (res) => ({ status: res.status, headers: res.headers, json: await res.json() }));

    it("answers validation errors flat, with our statuses and field details", async () => {
      const noPhone = await send("POST", "/v1/whatsapp/conversions", {
        token: key,
        body: { accountId: numberId, eventName: "LeadSubmitted", eventId: eventId() },
      });
      expect(noPhone).toMatchObject({
        status: 422,
        json: {
          code: "invalid_request",
          error: expect.stringContaining("Send conversationId or phoneE164"),
          details: { fieldErrors: { conversationId: [expect.any(String)] } },
        },
      });
      const purchase = await send("POST", "/v1/whatsapp/conversions", { token: key, body: lead({ eventName: "Purchase" }) });
      expect(purchase).toMatchObject({ status: 422, json: { error: expect.stringContaining("A Purchase needs a value") } });
      expect(await send("POST", "/v1/whatsapp/conversions", { token: key, body: "{not json" })).toMatchObject({
        status: 400,
        json: { error: "The request body is not valid JSON", code: "bad_request" },
      });
      const limit = await send("GET", `/v1/whatsapp/conversions?accountId=${numberId}&limit=500`);
      expect(limit).toMatchObject({
        status: 422,
        json: { code: "invalid_request", error: "limit must be a whole number from 1 to 200", details: { fieldErrors: { limit: [expect.any(String)] } } },
      });
      expect(await send("GET", "/v1/whatsapp/dataset")).toMatchObject({
        status: 422,
        json: { code: "invalid_request", error: expect.stringContaining("accountId") },
      });
      expect(await send("POST", "/v1/whatsapp/dataset", { token: key, body: { accountId: numberId, name: "x" } })).toMatchObject({
        status: 422,
        json: { error: "Unknown field: name" },
      });
      expect(await send("GET", `/v1/whatsapp/conversions?accountId=${numberId}`, { token: "ct_live_nope" })).toMatchObject({
        status: 401,
        json: { code: "unauthorized", error: expect.any(String) },
      });
      for (const res of [noPhone, purchase, limit]) expect(typeof res.json.error).toBe("string");
    });

    it("keeps every call inside the key's workspace: another workspace's number is a 404", async () => {
      const before = await t.db.select().from(conversions);
      const asOther = { token: otherKey };
      expect(await send("POST", "/v1/whatsapp/conversions", { ...asOther, body: lead() })).toMatchObject({ status: 404, json: { code: "number_not_found" } });
      expect(await send("GET", `/v1/whatsapp/conversions?accountId=${numberId}`, asOther)).toMatchObject({ status: 404, json: { code: "number_not_found" } });
      expect(await send("GET", `/v1/whatsapp/dataset?accountId=${numberId}`, asOther)).toMatchObject({ status: 404, json: { code: "number_not_found" } });
      expect(await send("POST", "/v1/whatsapp/dataset", { ...asOther, body: { accountId: bareNumberId } })).toMatchObject({
        status: 404,
        json: { code: "number_not_found" },
      });
      expect(await t.db.select().from(conversions)).toHaveLength(before.length);
    });

    it("answers unknown paths with a flat 404 and other methods with a flat 405", async () => {
      for (const [method, path] of [
        ["GET", "/v1/posts"],
        ["DELETE", "/v1/whatsapp"],
        ["POST", "/v2/whatsapp/conversions"],
        ["GET", ""],
      ] as const) {
        const res = await send(method, path, {});
        expect(res, `${method} ${path}`).toMatchObject({
          status: 404,
          json: { code: "not_found", error: expect.stringContaining("POST /v1/whatsapp/conversions (sendWhatsAppConversion)") },
        });
      }
      const wrong = await send("DELETE", "/v1/whatsapp/conversions");
      expect(wrong).toMatchObject({ status: 405, json: { code: "method_not_allowed" } });
      expect(wrong.headers.get("allow")).toBe("GET, POST");
    });
  });
});
