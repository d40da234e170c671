// /api/v1/numbers: the real handlers on a test database, the Graph API played by a fake server.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import { insertTenant, type RoutingNumber } from "@/db/queries";
import { subscribers } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { type FakeGraph, startFakeGraph } from "@/e2e/fakes/fake-graph";
import { createApiKey } from "@/lib/api-keys";
import { setEnvForTests } from "@/lib/env";
import { applyAccountChange } from "@/lib/whatsapp/ingest-account";

const current: { db?: Db } = {};
vi.mock("@/db/client", async (importOriginal) => ({
  ...(await importOriginal<typeof ClientModule>()),
  getDb: async () => current.db!,
}));

const list = await import("./route");
const one = await import("./[id]/route");
const check = await import("./[id]/check/route");

type Handler = (req: Request, ctx: never) => Promise<Response>;
const call = async (handler: Handler, opts: { method?: string; token: string; id?: string; body?: unknown; raw?: string }) => {
  const res = await handler(
    new Request("http://test.local/api/v1/numbers", {
      method: opts.method ?? "GET",
      headers: { authorization: `Bearer ${opts.token}`, "content-type": "application/json" },
      body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
    }),
    { params: Promise.resolve({ id: opts.id ?? "" }) } as never,
  );
  return { status: res.status, json: res.status === 204 ? null : await res.json() };
};

describe.each(testDrivers)("/api/v1/numbers (%s)", (kind) => {
  let t: TestDb;
  let restoreEnv = () => {};
  let graph: FakeGraph;
  let key = "";
  let otherKey = "";
  let tenantId = "";
  const phoneNumberId = kind === "pglite" ? "106540352242922" : "206540352242922";
  const body = {
    label: "Main line",
    phoneE164: "+1 555-078-3881",
    provider: "cloud",
    phoneNumberId,
    wabaId: "102290129340398",
    accessToken: "EAAG-api-token-9z9z",
    appSecret: "api-app-secret-5y5y",
    datasetId: "1234567890",
    active: true,
  };

  beforeAll(async () => {
    t = await createTestDb(kind);
    current.db = t.db;
    graph = await startFakeGraph();
    graph.addPhoneNumber({
      id: phoneNumberId,
      token: "EAAG-api-token-9z9z",
      display_phone_number: "15550783881",
      verified_name: "Clicktrail Test",
      quality_rating: "GREEN",
    });
    restoreEnv = setEnvForTests({
      ENCRYPTION_KEY: Buffer.alloc(32, 5).toString("base64"),
      APP_URL: "https://clicktrail.example.com",
      GRAPH_API_BASE: graph.url,
    });
    tenantId = (await insertTenant(t.db, { name: "API numbers" })).id;
    key = (await createApiKey(t.db, { tenantId, name: "k", createdBy: null })).secret;
    otherKey = (await createApiKey(t.db, { tenantId: (await insertTenant(t.db, { name: "Other" })).id, name: "k", createdBy: null })).secret;
  });
  afterAll(async () => {
    restoreEnv();
    await graph.close();
    await t.cleanup();
  });

  let id = "";
  it("connects a number, tests it at once and never returns its secrets", async () => {
    const res = await call(list.POST, { method: "POST", token: key, body });
    expect(res.status).toBe(201);
    id = res.json.number.id;
    expect(res.json.check).toMatchObject({ status: "connected", verifiedName: "Clicktrail Test" });
    expect(res.json.number).toMatchObject({
      phoneE164: "+15550783881",
      status: "connected",
      verifiedName: "Clicktrail Test",
      qualityRating: "GREEN",
      secrets: { accessToken: { set: true, hint: "•••• 9z9z" }, appSecret: { set: true, hint: "•••• 5y5y" } },
      webhook: { callbackUrl: "https://clicktrail.example.com/api/webhooks/whatsapp", fields: ["messages"] },
    });
    const listed = await call(list.GET, { token: key });
    expect(listed.json.rows.map((n: { id: string }) => n.id)).toEqual([id]);
    for (const text of [JSON.stringify(res.json), JSON.stringify(listed.json)]) {
      expect(text).not.toContain("EAAG-api-token");
      expect(text).not.toContain("api-app-secret");
    }
  });

  it("answers validation errors with the JSON error shape and field details", async () => {
    const bad = await call(list.POST, { method: "POST", token: key, body: { ...body, phoneE164: "+7 900", phoneNumberId: "12ab", accessToken: "" } });
    expect(bad.status).toBe(422);
    expect(bad.json.error.code).toBe("unprocessable");
    expect(Object.keys(bad.json.error.details.fieldErrors).sort()).toEqual(["accessToken", "phoneE164", "phoneNumberId"]);
    const unknown = await call(list.POST, { method: "POST", token: key, body: { ...body, accesToken: "typo" } });
    expect(unknown.status).toBe(422);
    const dup = await call(list.POST, { method: "POST", token: key, body: { ...body, phoneE164: "+16505551234" } });
    expect(dup.status).toBe(409);
    expect(dup.json.error.details.fieldErrors.phoneNumberId[0]).toMatch(/already connected/);
    expect((await call(list.POST, { method: "POST", token: key, raw: "{not json" })).status).toBe(400);
  });

  it("patches, re-checks when the token changes, and keeps other tenants out", async () => {
    const renamed = await call(one.PATCH, { method: "PATCH", token: key, id, body: { label: "Renamed", active: false } });
    expect(renamed.status).toBe(200);
    expect(renamed.json).toMatchObject({ number: { label: "Renamed", active: false, status: "inactive" }, check: null });
    const replaced = await call(one.PATCH, { method: "PATCH", token: key, id, body: { accessToken: "EAAG-wrong", active: true } });
    expect(replaced.json.check).toMatchObject({ status: "error", error: { kind: "graph", code: 190 } });
    expect(replaced.json.number).toMatchObject({ status: "error", secrets: { accessToken: { hint: "•••• rong" } } });
    expect((await call(one.PATCH, { method: "PATCH", token: key, id, body: { provider: "green" } })).status).toBe(422);
    expect((await call(one.GET, { token: otherKey, id })).status).toBe(404);
    expect((await call(one.PATCH, { method: "PATCH", token: otherKey, id, body: { label: "x" } })).status).toBe(404);
    expect((await call(check.POST, { method: "POST", token: otherKey, id })).status).toBe(404);
    expect((await call(one.GET, { token: key, id: "not-a-uuid" })).status).toBe(404);
  });

  it("checks on demand", async () => {
    await call(one.PATCH, { method: "PATCH", token: key, id, body: { accessToken: "EAAG-api-token-9z9z" } });
    graph.failObject(phoneNumberId, { status: 400, code: 4, message: "(#4) Application request limit reached" });
    const res = await call(check.POST, { method: "POST", token: key, id });
    expect(res.status).toBe(200);
    expect(res.json.check.error).toMatchObject({ code: 4, hint: expect.stringContaining("rate limit") });
    expect(res.json.number.lastError).toMatchObject({ code: 4, fbtraceId: expect.any(String) });
  });

  it("shows a problem Meta's account webhook reported as the number's last error, with Meta's value verbatim", async () => {
    const raw = { event: "ACCOUNT_RESTRICTION", restriction_info: [{ restriction_type: "RESTRICTED_ADD_PHONE_NUMBER_ACTION", expiration: 1_900_000_000 }] };
    await applyAccountChange(
      t.db,
      { item: { kind: "account_update", wabaId: body.wabaId, event: "ACCOUNT_RESTRICTION", raw }, numbers: [{ tenantId, id } as RoutingNumber] },
      new Date(),
    );
    const res = await call(one.GET, { token: key, id });
    expect(res.json).toMatchObject({ status: "error", lastError: { kind: "account_update", event: "ACCOUNT_RESTRICTION", details: raw } });
    expect((await call(list.GET, { token: key })).json.rows[0]).toMatchObject({ lastError: { kind: "account_update" } });
  });

  it("deletes only a number nothing refers to", async () => {
    await t.db.insert(subscribers).values({ tenantId, waPhone: "+16505550000", numberId: id, firstSeenAt: new Date() });
    const refused = await call(one.DELETE, { method: "DELETE", token: key, id });
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toMatch(/has 1 subscriber,? .*Deactivate it instead/);
    await t.db.delete(subscribers).where(eq(subscribers.numberId, id));
    expect((await call(one.DELETE, { method: "DELETE", token: otherKey, id })).status).toBe(404);
    expect((await call(one.DELETE, { method: "DELETE", token: key, id })).status).toBe(204);
    expect((await call(one.GET, { token: key, id })).status).toBe(404);
  });
});
