// The templates API through its route handlers: create/read/change/delete with revisions and restore,
// helpful 4xx answers, per-segment values, and a number's approved Meta templates from a fake Graph API.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import { insertTenant } from "@/db/queries";
import { leads, outboundMessages } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { type FakeGraph, startFakeGraph } from "@/e2e/fakes/fake-graph";
import { createApiKey } from "@/lib/api-keys";
import { setEnvForTests } from "@/lib/env";
import { createNumber } from "@/lib/numbers/numbers";
import { numberFormSchema } from "@/lib/numbers/schemas";

const current: { db?: Db } = {};
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<typeof ClientModule>()), getDb: async () => current.db! }));
const list = await import("./route");
const one = await import("./[id]/route");
const revisions = await import("./[id]/revisions/route");
const restore = await import("./[id]/revisions/[revision]/restore/route");
const variables = await import("../template-variables/route");
const metaTemplates = await import("../numbers/[id]/message-templates/route");

type Handler = (req: Request, ctx: never) => Promise<Response>;
type Call = { token?: string; url?: string; method?: string; body?: unknown; params?: Record<string, string> };
const call = async (handler: Handler, opts: Call) => {
  const res = await handler(
    new Request(opts.url ?? "http://t/api/v1/templates", {
      method: opts.method ?? "GET",
      headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), "content-type": "application/json" },
      body: opts.body === undefined ? undefined : typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body),
    }),
    { params: Promise.resolve(opts.params ?? {}) } as never,
  );
  return { status: res.status, json: res.status === 204 ? null : await res.json() };
};

const encryptionKey = Buffer.alloc(32, 13).toString("base64");
const TOKEN = "EAAG-api-templates";

describe.each(testDrivers)("/api/v1/templates (%s)", (kind) => {
  let t: TestDb;
  let graph: FakeGraph;
  let restoreEnv = () => {};
  let key = "";
  let otherKey = "";
  let tenantId = "";
  let numberId = "";
  const wabaId = kind === "pglite" ? "302290129348001" : "402290129348001";
  const body = (over: Record<string, unknown> = {}) => ({
    name: "day1_acting",
    title: "Day 1 (acting)",
    content: "{{first_name}}, {{instructor_name}} ждёт вас!",
    delayDays: 1,
    segment: "acting",
    active: true,
    ...over,
  });

  beforeAll(async () => {
    t = await createTestDb(kind);
    current.db = t.db;
    graph = await startFakeGraph();
    restoreEnv = setEnvForTests({ ENCRYPTION_KEY: encryptionKey, GRAPH_API_BASE: graph.url, GRAPH_API_VERSION: "v24.0" });
    tenantId = (await insertTenant(t.db, { name: "Templates API" })).id;
    numberId = (
      await createNumber(
        t.db,
        { encryptionKey, appUrl: "http://x" },
        {
          tenantId,
          input: numberFormSchema.parse({
            provider: "cloud",
            label: "Sales",
            phoneE164: "+15550788001",
            phoneNumberId: `${wabaId}5`,
            wabaId,
            accessToken: TOKEN,
            appSecret: "s",
          }),
        },
      )
    ).id;
    graph.addMessageTemplates(wabaId, TOKEN, [{ name: "day1_reminder", language: "ru", components: [{ type: "BODY", text: "{{1}}, {{2}} ждёт вас" }] }]);
    key = (await createApiKey(t.db, { tenantId, name: "k", createdBy: null })).secret;
    otherKey = (await createApiKey(t.db, { tenantId: (await insertTenant(t.db, { name: "Other" })).id, name: "k", createdBy: null })).secret;
  });
  afterAll(async () => {
    restoreEnv();
    await graph.close();
    await t.cleanup();
  });

  const create = (b: unknown, token = key) => call(list.POST, { method: "POST", token, body: b });
  const get = (id: string, token = key) => call(one.GET, { token, params: { id } });
  const patch = (id: string, b: unknown) => call(one.PATCH, { method: "PATCH", token: key, params: { id }, body: b });

  it("refuses a key that is not valid", async () => {
    expect(await call(list.GET, { token: "ck_nope" })).toMatchObject({ status: 401, json: { error: { code: "unauthorized" } } });
    expect(await call(variables.PUT, { method: "PUT", token: "ck_nope", body: { segments: {} } })).toMatchObject({ status: 401 });
  });

  it("sets per-segment values, then creates a template (201) with the variables it uses", async () => {
    const bad = await call(variables.PUT, { method: "PUT", token: key, body: { segments: { acting: { first_name: "x" } } } });
    expect(bad).toMatchObject({
      status: 422,
      json: { error: { code: "unprocessable", details: { fieldErrors: { segments: [expect.stringContaining("built-in variable")] } } } },
    });
    const put = await call(variables.PUT, {
      method: "PUT",
      token: key,
      body: { segments: { acting: { instructor_name: "Казбек Меретуков" }, oratory: { instructor_name: "Ольга Штерц" } } },
    });
    expect(put).toMatchObject({ status: 200, json: { variables: ["instructor_name"], segments: { acting: { instructor_name: "Казбек Меретуков" } } } });
    expect((await call(variables.GET, { token: key })).json.builtin.map((b: { name: string }) => b.name)).toEqual([
      "name",
      "first_name",
      "phone",
      "course",
      "segment",
    ]);

    const res = await create(body());
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      id: expect.any(String),
      name: "day1_acting",
      delayDays: 1,
      delayHours: 0,
      segment: "acting",
      active: true,
      stopOnReply: true,
      metaTemplate: null,
      revision: 1,
      variables: ["first_name", "instructor_name"],
      unknownVariables: [],
    });
    expect(await get(res.json.id)).toMatchObject({ status: 200, json: { id: res.json.id, revision: 1 } });
    expect(await get(res.json.id, otherKey)).toMatchObject({ status: 404 });
    expect(await get("not-a-uuid")).toMatchObject({ status: 404 });
  });

  it("answers 409 on a name clash and 422 with reasons for a bad body", async () => {
    await create(body({ name: "clash" }));
    expect(await create(body({ name: "clash" }))).toMatchObject({
      status: 409,
      json: { error: { code: "name_taken", details: { fieldErrors: { name: [expect.any(String)] } } } },
    });
    expect(await create({ ...body({ name: "x1" }), course: "acting" })).toMatchObject({
      status: 422,
      json: { error: { details: { formErrors: ["Unknown field: course"] } } },
    });
    const invalid = await create(body({ name: "Day 1", delayHours: 30, content: "" }));
    expect(invalid.status).toBe(422);
    expect(Object.keys(invalid.json.error.details.fieldErrors).sort()).toEqual(["content", "delayHours", "name"]);
    const unbound = await create(
      body({ name: "x2", metaTemplate: { name: "day1_reminder", language: "ru", parameters: [{ key: "1", variable: "teacher" }] } }),
    );
    expect(unbound).toMatchObject({ status: 422, json: { error: { code: "unknown_variable" } } });
    expect(await create("{nope")).toMatchObject({ status: 400, json: { error: { code: "bad_request" } } });
  });

  it("patches into revisions, lists them, and restores one", async () => {
    const { json: created } = await create(body({ name: "day3", content: "v1", segment: null, delayDays: 3 }));
    expect(await patch(created.id, { content: "v2 {{promo}}", delayHours: 2 })).toMatchObject({
      status: 200,
      json: { revision: 2, content: "v2 {{promo}}", unknownVariables: ["promo"] },
    });
    expect(await patch(created.id, { delay_days: 4 })).toMatchObject({
      status: 422,
      json: { error: { details: { formErrors: ["Unknown field: delay_days"] } } },
    });
    expect(await patch(created.id, { delayDays: -1 })).toMatchObject({
      status: 422,
      json: { error: { details: { fieldErrors: { delayDays: ["Days cannot be negative"] } } } },
    });

    const history = await call(revisions.GET, { token: key, params: { id: created.id }, url: "http://t/api/v1/templates/x/revisions?limit=1" });
    expect(history).toMatchObject({
      status: 200,
      json: { rows: [{ revision: 2, snapshot: { content: "v2 {{promo}}", delayHours: 2 }, createdBy: null, restoredFrom: null }] },
    });
    expect(history.json.nextCursor).toEqual(expect.any(String));

    const restored = await call(restore.POST, { method: "POST", token: key, params: { id: created.id, revision: "1" } });
    expect(restored).toMatchObject({ status: 200, json: { revision: 3, content: "v1", delayHours: 0 } });
  });

  it("switches stopping on a reply off and on (a revision each), and refuses a value that is not a boolean", async () => {
    const { json: created } = await create(body({ name: "keeps_going", stopOnReply: false }));
    expect(created).toMatchObject({ stopOnReply: false, revision: 1 });
    expect(await patch(created.id, { stopOnReply: "no" })).toMatchObject({
      status: 422,
      json: { error: { details: { fieldErrors: { stopOnReply: ["stopOnReply is true or false"] } } } },
    });
    expect(await patch(created.id, { stopOnReply: true })).toMatchObject({ status: 200, json: { stopOnReply: true, revision: 2 } });
    expect(await patch(created.id, { stopOnReply: true })).toMatchObject({ status: 200, json: { stopOnReply: true, revision: 2 } });
    expect(await get(created.id)).toMatchObject({ status: 200, json: { stopOnReply: true } });
    const restored = await call(restore.POST, { method: "POST", token: key, params: { id: created.id, revision: "1" } });
    expect(restored).toMatchObject({ status: 200, json: { revision: 3, stopOnReply: false } });
    expect(await call(one.DELETE, { method: "DELETE", token: key, params: { id: created.id } })).toEqual({ status: 204, json: null }); // out of the lists below
    expect(await call(restore.POST, { method: "POST", token: key, params: { id: created.id, revision: "9" } })).toMatchObject({ status: 404 });
    expect(await call(restore.POST, { method: "POST", token: key, params: { id: created.id, revision: "one" } })).toMatchObject({ status: 404 });
    expect(await call(restore.POST, { method: "POST", token: otherKey, params: { id: created.id, revision: "1" } })).toMatchObject({ status: 404 });
  });

  it("lists in schedule order with filters", async () => {
    const names = async (query = "") =>
      (await call(list.GET, { token: key, url: `http://t/api/v1/templates${query}` })).json.rows.map((r: { name: string }) => r.name);
    expect(await names()).toEqual(["clash", "day1_acting", "day3"]);
    expect(await names("?segment=acting")).toEqual(["clash", "day1_acting"]);
    expect(await names("?active=false")).toEqual([]);
    expect(await call(list.GET, { token: key, url: "http://t/api/v1/templates?active=maybe" })).toMatchObject({ status: 422 });
    expect((await call(list.GET, { token: otherKey })).json.rows).toEqual([]);
  });

  it("refuses to delete a template a drip message waits on (409), then deletes it (204)", async () => {
    const { json: created } = await create(body({ name: "to_delete" }));
    const [lead] = await t.db.insert(leads).values({ tenantId, name: "Ivan", phone: "+79001112233" }).returning();
    await t.db.insert(outboundMessages).values({
      tenantId,
      leadId: lead!.id,
      phone: lead!.phone,
      templateId: created.id,
      templateName: "to_delete",
      scheduledAt: new Date(),
      status: "sending",
    });
    const refused = await call(one.DELETE, { method: "DELETE", token: key, params: { id: created.id } });
    expect(refused).toMatchObject({ status: 409, json: { error: { code: "template_in_use", message: expect.stringContaining("Deactivate it instead") } } });
    await t.db.delete(outboundMessages).where(eq(outboundMessages.templateId, created.id));
    expect(await call(one.DELETE, { method: "DELETE", token: key, params: { id: created.id } })).toEqual({ status: 204, json: null });
    expect(await get(created.id)).toMatchObject({ status: 404 });
  });

  it("reads a number's approved Meta templates and binds one", async () => {
    const res = await call(metaTemplates.GET, { token: key, params: { id: numberId } });
    expect(res).toMatchObject({
      status: 200,
      json: { numberId, wabaId, templates: [{ name: "day1_reminder", language: "ru", parameters: ["1", "2"], unsupported: null }] },
    });
    expect(await call(metaTemplates.GET, { token: otherKey, params: { id: numberId } })).toMatchObject({ status: 404 });

    const binding = {
      name: "day1_reminder",
      language: "ru",
      parameters: [
        { key: "1", variable: "first_name" },
        { key: "2", variable: "instructor_name" },
      ],
    };
    const bound = await create(body({ name: "bound", metaTemplate: binding }));
    expect(bound).toMatchObject({ status: 201, json: { metaTemplate: binding } });
    // a variable a binding fills cannot disappear
    const removed = await call(variables.PUT, { method: "PUT", token: key, body: { segments: {} } });
    expect(removed).toMatchObject({ status: 409, json: { error: { code: "variable_in_use" } } });
  });
});
