// The leads API through its route handlers: the website form's POST (201, 200 for a repeated externalRef,
// helpful 422s), the list with queue counts and filters, one lead with its drip messages, and the PATCH
// that records the call (isTarget: true enrolls) or stops the campaign; another tenant's key sees nothing.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import { insertNumber, insertTenant } from "@/db/queries";
import { leads, outboundMessages, subscribers, templates } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { createApiKey } from "@/lib/api-keys";

const current: { db?: Db } = {};
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<typeof ClientModule>()), getDb: async () => current.db! }));
const collection = await import("./route");
const one = await import("./[id]/route");

type Handler = (req: Request, ctx: never) => Promise<Response>;
const call = async (handler: Handler, opts: { token?: string; url?: string; method?: string; body?: unknown; id?: string }) => {
  const res = await handler(
    new Request(opts.url ?? "http://t/api/v1/leads", {
      method: opts.method ?? "GET",
      headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), "content-type": "application/json" },
      body: opts.body === undefined ? undefined : typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body),
    }),
    { params: Promise.resolve({ id: opts.id ?? "" }) } as never,
  );
  return { status: res.status, json: await res.json() };
};

describe.each(testDrivers)("/api/v1/leads (%s)", (kind) => {
  let t: TestDb;
  let key = "";
  let otherKey = "";
  let tenantId = "";
  let numberId = "";
  let subscriberId = "";

  beforeAll(async () => {
    t = await createTestDb(kind);
    current.db = t.db;
    tenantId = (await insertTenant(t.db, { name: "Leads API" })).id;
    numberId = (await insertNumber(t.db, { tenantId, label: "Sales", phoneE164: "+15550783881", provider: "cloud", verifyToken: `leads-api-${kind}` })).id;
    const [sub] = await t.db.insert(subscribers).values({ tenantId, waPhone: "+79001234567", profileName: "Anna K", firstSeenAt: new Date() }).returning();
    subscriberId = sub!.id;
    await t.db.insert(templates).values([
      { tenantId, name: "welcome", title: "Welcome", content: "Hi {{name}}!", delayDays: 0 },
      { tenantId, name: "day1_acting", title: "Acting, day 1", content: "Day 1", delayDays: 1, segment: "acting" },
      { tenantId, name: "day3", title: "A student's story", content: "Day 3", delayDays: 3 },
    ]);
    key = (await createApiKey(t.db, { tenantId, name: "website", createdBy: null })).secret;
    otherKey = (await createApiKey(t.db, { tenantId: (await insertTenant(t.db, { name: "Other" })).id, name: "k", createdBy: null })).secret;
  });
  afterAll(() => t.cleanup());

  const post = (body: unknown, token = key) => call(collection.POST, { method: "POST", token, body });
  const list = (query = "", token = key) => call(collection.GET, { token, url: `http://t/api/v1/leads${query}` });
  const detail = (id: string, token = key) => call(one.GET, { token, id, url: `http://t/api/v1/leads/${id}` });
  const patch = (id: string, body: unknown, token = key) => call(one.PATCH, { method: "PATCH", token, id, body, url: `http://t/api/v1/leads/${id}` });

  let annaId = "";

  it("takes the website form's lead: 201 with the lead, its default number and its subscriber", async () => {
    const res = await post({ name: "Anna", phone: "+7 900 123-45-67", segment: "acting", source: "website", externalRef: "form-100481" });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({
      id: expect.any(String),
      name: "Anna",
      phone: "+79001234567",
      segment: "acting",
      source: "website",
      externalRef: "form-100481",
      callStatus: "not_called",
      isTarget: null,
      campaignActive: false,
      enrolledAt: null,
      numberId,
      subscriberId,
      assignedUserId: null,
      lastWhatsappSentAt: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      duplicate: false,
    });
    annaId = res.json.id;
  });

  it("answers 200 with the first lead when the form sends the same externalRef again", async () => {
    const res = await post({ name: "Anna again", phone: "+79001234567", externalRef: "form-100481" });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: annaId, name: "Anna", duplicate: true });
    expect(await t.db.select().from(leads).where(eq(leads.externalRef, "form-100481"))).toHaveLength(1);
  });

  it("refuses bad requests with a message that names the field", async () => {
    expect(await post({ name: "Boris", phone: "12345" })).toMatchObject({
      status: 422,
      json: {
        error: {
          code: "invalid_request",
          message: "phone: Not a valid phone number: include the country code, e.g. +7 900 123-45-67",
          details: { fieldErrors: { phone: [expect.any(String)] } },
        },
      },
    });
    expect(await post({ name: "Boris", phone: "+79001112233", course: "acting" })).toMatchObject({
      status: 422,
      json: { error: { message: "Unknown field: course" } },
    });
    expect(await post({ name: "Boris", phone: "+79001112233", numberId: "3f8b1c2e-5a4d-4e6f-9b7a-1c2d3e4f5a6b" })).toMatchObject({
      status: 404,
      json: { error: { code: "number_not_found" } },
    });
    expect(await post("{nope")).toMatchObject({ status: 400, json: { error: { code: "bad_request" } } });
    expect(await post({ name: "Boris", phone: "+79001112233" }, "ct_live_not-a-key")).toMatchObject({ status: 401, json: { error: { code: "unauthorized" } } });
    expect(await t.db.select().from(leads).where(eq(leads.name, "Boris"))).toHaveLength(0);
  });

  it("records Called → Yes with PATCH: the lead is enrolled and its messages are queued", async () => {
    const res = await patch(annaId, { callStatus: "called", isTarget: true });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      id: annaId,
      callStatus: "called",
      isTarget: true,
      campaignActive: true,
      enrolledAt: expect.any(String),
      queued: 3,
      cancelled: 0,
    });
    expect(res.json.number).toEqual({ id: numberId, label: "Sales", phoneE164: "+15550783881", provider: "cloud", active: true });
    expect(res.json.subscriber).toMatchObject({ id: subscriberId, profileName: "Anna K" });
    expect(res.json.messages.map((m: { templateName: string; status: string }) => [m.templateName, m.status])).toEqual([
      ["welcome", "pending"],
      ["day1_acting", "pending"],
      ["day3", "pending"],
    ]);
    const enrolledAt = Date.parse(res.json.enrolledAt);
    expect(Date.parse(res.json.messages[1].scheduledAt) - enrolledAt).toBe(86_400_000);

    const again = await detail(annaId);
    expect(again.status).toBe(200);
    expect(again.json).not.toHaveProperty("queued");
    expect(again.json.messages).toHaveLength(3);
  });

  it("refuses campaignActive: true and says to set isTarget instead", async () => {
    expect(await patch(annaId, { campaignActive: true })).toMatchObject({
      status: 422,
      json: { error: { code: "campaign_needs_target", message: expect.stringContaining("set isTarget: true") } },
    });
    expect(await patch(annaId, {})).toMatchObject({ status: 422, json: { error: { message: "Send callStatus, isTarget or campaignActive" } } });
  });

  it("lists leads with their queue counts and filters", async () => {
    const bob = await post({ name: "Bob", phone: "+79001110001", segment: "oratory" });
    await patch(bob.json.id, { callStatus: "no_answer" });
    const all = await list();
    expect(all.status).toBe(200);
    expect(all.json.rows.map((r: { name: string; callStatus: string; queue: unknown }) => [r.name, r.callStatus, r.queue])).toEqual([
      ["Bob", "no_answer", { pending: 0, sent: 0, failed: 0, cancelled: 0, skipped: 0 }],
      ["Anna", "called", { pending: 3, sent: 0, failed: 0, cancelled: 0, skipped: 0 }],
    ]);
    expect(all.json.rows[1]).toMatchObject({ numberLabel: "Sales", isTarget: true });
    expect((await list("?isTarget=yes")).json.rows.map((r: { name: string }) => r.name)).toEqual(["Anna"]);
    expect((await list("?callStatus=no_answer&campaignActive=false")).json.rows.map((r: { name: string }) => r.name)).toEqual(["Bob"]);
    expect((await list("?q=1110001")).json.rows.map((r: { name: string }) => r.name)).toEqual(["Bob"]);
    const first = await list("?limit=1");
    expect(first.json.rows.map((r: { name: string }) => r.name)).toEqual(["Bob"]);
    expect((await list(`?limit=1&cursor=${first.json.nextCursor}`)).json).toMatchObject({ rows: [{ name: "Anna" }], nextCursor: null });
    expect(await list("?isTarget=maybe")).toMatchObject({ status: 422, json: { error: { code: "unprocessable" } } });
  });

  it("stops the campaign with campaignActive: false: pending messages are cancelled", async () => {
    const res = await patch(annaId, { campaignActive: false });
    expect(res).toMatchObject({ status: 200, json: { campaignActive: false, isTarget: true, queued: 0, cancelled: 3 } });
    expect(res.json.messages.map((m: { status: string; errorCode: string }) => [m.status, m.errorCode])).toEqual(
      Array(3).fill(["cancelled", "campaign_stopped"]),
    );
    const rows = await t.db.select().from(outboundMessages).where(eq(outboundMessages.leadId, annaId));
    expect(rows.every((r) => r.status === "cancelled")).toBe(true);
  });

  it("hides leads from another tenant's key, and a malformed id is a 404", async () => {
    expect(await detail(annaId, otherKey)).toMatchObject({ status: 404, json: { error: { code: "not_found" } } });
    expect(await patch(annaId, { isTarget: true }, otherKey)).toMatchObject({ status: 404 });
    expect((await list("", otherKey)).json.rows).toEqual([]);
    expect(await detail("not-a-uuid")).toMatchObject({ status: 404 });
  });
});
