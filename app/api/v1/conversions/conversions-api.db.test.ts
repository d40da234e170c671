// The conversions API through its route handlers, against a fake Graph server on loopback: 202 and the
// delivery right after it, helpful 422s, duplicates and conflicts, the detail and the log, retry by hand,
// the dataset routes, and (real Postgres) the same eventId posted 20 times at once.
import { desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import { getSubscriberByWaPhone, insertTenant } from "@/db/queries";
import { conversations, conversions, jobs } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { type FakeGraph, graphError, startFakeGraph } from "@/e2e/fakes/fake-graph";
import { createApiKey } from "@/lib/api-keys";
import { CAPI_FORWARD_JOB } from "@/lib/conversions/deliver-policy";
import { setEnvForTests } from "@/lib/env";
import { createNumber } from "@/lib/numbers/numbers";
import { numberFormSchema } from "@/lib/numbers/schemas";
import { processWebhookEvents } from "@/lib/whatsapp/ingest";
import { fakeWamid, inboundMessage } from "@/lib/whatsapp/payloads";
import { storeWebhookEvent } from "@/lib/whatsapp/store";

const current: { db?: Db } = {};
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<typeof ClientModule>()), getDb: async () => current.db! }));
const whatsapp = await import("./whatsapp/route");
const list = await import("./route");
const one = await import("./[id]/route");
const retry = await import("./[id]/retry/route");
const dataset = await import("../numbers/[id]/dataset/route");

type Handler = (req: Request, ctx: never) => Promise<Response>;
const call = async (handler: Handler, opts: { token?: string; url?: string; method?: string; body?: unknown; id?: string }) => {
  const res = await handler(
    new Request(opts.url ?? "http://t/api/v1/conversions", {
      method: opts.method ?? "GET",
      headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), "content-type": "application/json" },
      body: opts.body === undefined ? undefined : typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body),
    }),
    { params: Promise.resolve({ id: opts.id ?? "" }) } as never,
  );
  return { status: res.status, json: await res.json() };
};

const encryptionKey = Buffer.alloc(32, 11).toString("base64");
const TOKEN = "EAAG-route-token";

async function waitFor<T>(read: () => Promise<T>, done: (v: T) => boolean, ms = 5_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.each(testDrivers)("/api/v1/conversions (%s)", (kind) => {
  let t: TestDb;
  let graph: FakeGraph;
  let restoreEnv = () => {};
  let key = "";
  let otherKey = "";
  let tenantId = "";
  let numberId = "";
  let bareNumberId = "";
  let seq = 0;
  const wabaId = kind === "pglite" ? "302290129340398" : "402290129340398";
  const datasetId = kind === "pglite" ? "881234567890" : "891234567890";
  const from = kind === "pglite" ? "16505550101" : "16505550202";
  let conversationId = "";

  beforeAll(async () => {
    t = await createTestDb(kind);
    current.db = t.db;
    graph = await startFakeGraph();
    restoreEnv = setEnvForTests({ ENCRYPTION_KEY: encryptionKey, GRAPH_API_BASE: graph.url, GRAPH_API_VERSION: "v24.0" });
    tenantId = (await insertTenant(t.db, { name: "Conversions API" })).id;
    const keys = { encryptionKey, appUrl: "http://x" };
    const pnid = kind === "pglite" ? "706540352242922" : "806540352242922";
    numberId = (
      await createNumber(t.db, keys, {
        tenantId,
        input: numberFormSchema.parse({
          provider: "cloud",
          label: "Sales",
          phoneE164: "+15550783881",
          phoneNumberId: pnid,
          wabaId,
          accessToken: TOKEN,
          appSecret: "s",
          datasetId,
        }),
      })
    ).id;
    bareNumberId = (
      await createNumber(t.db, keys, {
        tenantId,
        input: numberFormSchema.parse({
          provider: "cloud",
          label: "Support",
          phoneE164: "+15550783882",
          phoneNumberId: `${pnid.slice(0, -1)}3`,
          wabaId: `${wabaId.slice(0, -1)}9`,
          accessToken: TOKEN,
          appSecret: "s",
        }),
      })
    ).id;
    graph.addDataset({ wabaId, token: TOKEN, datasetId });
    graph.addDataset({ wabaId: `${wabaId.slice(0, -1)}9`, token: TOKEN });
    const at = new Date(Date.now() - 3_600_000);
    const rawBody = JSON.stringify(
      inboundMessage(
        { phoneNumberId: pnid, displayPhoneNumber: "15550783881", wabaId },
        {
          from: { waId: from, name: "Ana" },
          wamid: fakeWamid(`api-${kind}`),
          at,
          text: "Hi",
          referral: {
            sourceUrl: "https://fb.me/x",
            sourceId: "120226305854810726",
            sourceType: "ad",
            headline: "Sale",
            body: "b",
            mediaType: "image",
            mediaUrl: "https://x/i.jpg",
            ctwaClid: "Aff-route-clid",
          },
        },
      ),
    );
    const event = await storeWebhookEvent(t.db, { provider: "cloud", rawBody, signatureResult: "valid", routedPhoneNumberIds: [pnid], receivedAt: at });
    await processWebhookEvents(t.db, { ids: [event.id], now: at });
    const sub = (await getSubscriberByWaPhone(t.db, { tenantId, waPhone: `+${from}` }))!;
    conversationId = (await t.db.select().from(conversations).where(eq(conversations.subscriberId, sub.id)).orderBy(desc(conversations.startedAt)))[0]!.id;
    key = (await createApiKey(t.db, { tenantId, name: "k", createdBy: null })).secret;
    otherKey = (await createApiKey(t.db, { tenantId: (await insertTenant(t.db, { name: "Other" })).id, name: "k", createdBy: null })).secret;
  });
  afterAll(async () => {
    restoreEnv();
    await graph.close();
    await t.cleanup();
  });

  const post = (body: unknown, token = key) => call(whatsapp.POST, { method: "POST", token, body, url: "http://t/api/v1/conversions/whatsapp" });
  const detail = (id: string, token = key) => call(one.GET, { token, id, url: `http://t/api/v1/conversions/${id}` });
  const settled = (id: string) =>
    waitFor(
      () => detail(id),
      (r) => r.json.status !== "queued",
    );
  const event = (body: Record<string, unknown> = {}) => ({
    accountId: numberId,
    eventName: "LeadSubmitted",
    eventId: `api-${kind}-${(seq += 1)}`,
    phoneE164: `+${from}`,
    ...body,
  });

  it("answers 202 with the queued conversion and delivers it right after", async () => {
    const body = event({ eventName: "Purchase", value: 99.5, currency: "EUR", email: "Ana@Example.com", testCode: "TEST777" });
    const res = await post(body);
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ id: expect.any(String), eventId: body.eventId, status: "queued", conversationId, warnings: [], duplicate: false });

    const sent = await settled(res.json.id);
    expect(sent.status).toBe(200);
    expect(sent.json).toMatchObject({
      id: res.json.id,
      status: "sent",
      attempts: 1,
      eventName: "Purchase",
      value: 99.5,
      currency: "EUR",
      emailHashed: true,
      testCode: "TEST777",
      ctwaClid: "Aff-route-clid",
      accountId: numberId,
      conversationId,
      eventsReceived: 1,
      fbtraceId: expect.stringMatching(/^AFakeTrace/),
      request: { data: [expect.objectContaining({ event_id: body.eventId, action_source: "business_messaging" })], test_event_code: "TEST777" },
      response: { events_received: 1 },
    });
    expect(JSON.stringify(sent.json)).not.toContain("Ana@Example.com");
    expect(graph.capiDeliveries.filter((d) => JSON.stringify(d.body).includes(body.eventId))).toHaveLength(1);
  });

  it("refuses Lead with a 422 that says to use LeadSubmitted, and names unknown fields", async () => {
    const lead = await post(event({ eventName: "Lead" }));
    expect(lead.status).toBe(422);
    expect(lead.json.error).toMatchObject({
      code: "event_name_not_allowed",
      message: expect.stringContaining('use "LeadSubmitted"'),
      details: { fieldErrors: { eventName: [expect.any(String)] } },
    });
    const extra = await post({ ...event(), conversation: "x" });
    expect(extra).toMatchObject({ status: 422, json: { error: { code: "invalid_request", message: "Unknown field: conversation" } } });
    const old = await post(event({ eventTime: Math.floor(Date.now() / 1000) - 8 * 86_400 }));
    expect(old).toMatchObject({ status: 422, json: { error: { code: "event_too_old" } } });
    expect(await post("{not json")).toMatchObject({ status: 400, json: { error: { code: "bad_request" } } });
    expect((await post(event({ accountId: bareNumberId }))).json.error.code).toBe("dataset_missing");
    expect(await t.db.select().from(conversions).where(eq(conversions.eventName, "Lead"))).toHaveLength(0);
  });

  it("needs a valid API key, and another tenant's key sees nothing", async () => {
    expect(await post(event(), "ct_live_not-a-key")).toMatchObject({ status: 401, json: { error: { code: "unauthorized" } } });
    const mine = await post(event());
    expect(await detail(mine.json.id, otherKey)).toMatchObject({ status: 404 });
    expect((await post(event(), otherKey)).json.error.code).toBe("number_not_found");
    const theirs = await call(list.GET, { token: otherKey });
    expect(theirs.json.rows).toEqual([]);
  });

  it("answers a repeated eventId with the first conversion (200, duplicate) and a changed one with 409", async () => {
    const body = event();
    const first = await post(body);
    await settled(first.json.id);
    const again = await post(body);
    expect(again).toMatchObject({ status: 200, json: { id: first.json.id, duplicate: true, status: "sent" } });
    const changed = await post({ ...body, eventName: "ViewContent" });
    expect(changed).toMatchObject({ status: 409, json: { error: { code: "event_id_conflict" } } });
    expect(graph.capiDeliveries.filter((d) => JSON.stringify(d.body).includes(`"${body.eventId}"`))).toHaveLength(1);
  });

  it("lists the log with filters and retries a rejected conversion by hand", async () => {
    graph.scriptEvents(graphError(400, 100, "Invalid parameter", { subcode: 2804066 }));
    const rejected = await post(event({ eventName: "AddToCart" }));
    const after = await settled(rejected.json.id);
    expect(after.json).toMatchObject({
      status: "rejected",
      lastError: expect.stringContaining("100/2804066"),
      response: { error: { error_subcode: 2804066 } },
    });

    const page = await call(list.GET, { token: key, url: "http://t/api/v1/conversions?status=rejected&eventName=AddToCart" });
    expect(page.json.rows.map((r: { id: string }) => r.id)).toEqual([rejected.json.id]);
    expect(page.json.rows[0]).toMatchObject({ numberLabel: "Sales", subscriberPhone: `+${from}`, subscriberName: "Ana" });
    expect((await call(list.GET, { token: key, url: "http://t/api/v1/conversions?status=lost" })).status).toBe(422);

    const requeued = await call(retry.POST, { method: "POST", token: key, id: rejected.json.id, url: "http://t/x" });
    expect(requeued).toMatchObject({ status: 202, json: { status: "queued" } });
    expect((await settled(rejected.json.id)).json).toMatchObject({ status: "sent", attempts: 2 });
    expect((await call(retry.POST, { method: "POST", token: key, id: rejected.json.id, url: "http://t/x" })).json.error.code).toBe("already_sent");
  });

  it("reads and creates a number's dataset through the Graph API", async () => {
    const url = `http://t/api/v1/numbers/${bareNumberId}/dataset`;
    expect(await call(dataset.GET, { token: key, id: bareNumberId, url })).toMatchObject({ status: 200, json: { datasetId: null, changed: false } });
    const created = await call(dataset.POST, { method: "POST", token: key, id: bareNumberId, url });
    expect(created).toMatchObject({ status: 200, json: { datasetId: expect.stringMatching(/^\d+$/), changed: true } });
    expect(await call(dataset.GET, { token: key, id: bareNumberId, url })).toMatchObject({ json: { datasetId: created.json.datasetId, changed: false } });
    expect((await call(dataset.GET, { token: otherKey, id: bareNumberId, url })).status).toBe(404);
  });

  it.skipIf(kind !== "postgres")("stores and sends once when the same eventId is posted 20 times at once", async () => {
    const body = event({ eventName: "Purchase", value: 10, currency: "USD" });
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(body)));
    const ids = new Set(answers.map((a) => a.json.id));
    expect(ids.size).toBe(1);
    expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200).every((a) => a.json.duplicate === true)).toBe(true);
    const [id] = [...ids] as [string];
    await settled(id);
    expect(await t.db.select().from(conversions).where(eq(conversions.eventId, body.eventId))).toHaveLength(1);
    expect(await t.db.select().from(jobs).where(eq(jobs.dedupeKey, id))).toHaveLength(1);
    // 20 more deliveries raced against the one already done: still one send
    const { deliverConversionNow } = await import("@/lib/conversions/deliver");
    const deps = { encryptionKey, graph: { base: graph.url, version: "v24.0" } };
    await Promise.all(Array.from({ length: 20 }, () => deliverConversionNow(t.db, deps, { conversionId: id })));
    expect(graph.capiDeliveries.filter((d) => JSON.stringify(d.body).includes(`"${body.eventId}"`))).toHaveLength(1);
    expect((await t.db.select().from(jobs).where(eq(jobs.dedupeKey, id)))[0]).toMatchObject({ kind: CAPI_FORWARD_JOB, status: "done", attempts: 1 });
  });
});
