// /api/v1/webhook-endpoints, /webhook-deliveries/{id}/resend and /webhook-event-types through their route handlers
// on both drivers: the secret is answered at creation and rotation and never again; a loopback or plain-http URL is
// a 422 webhook_url_refused; another workspace's endpoint and delivery are 404; keyset pages of deliveries and
// attempts; a manager's session is refused (admin only), an admin's session is served.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import { insertTenant, insertUser } from "@/db/queries";
import { OUTGOING_EVENT_TYPES, outgoingEvents, webhookDeliveries, webhookDeliveryAttempts } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { createApiKey } from "@/lib/api-keys";
import { setEnvForTests } from "@/lib/env";
import { type Browser, CONSOLE_APP, consoleBrowsers, type RequestState } from "@/test/console-browser";

const current: RequestState & { db?: Db } = { headers: new Headers(), set: [] };
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<typeof ClientModule>()), getDb: async () => current.db! }));
vi.mock("next/headers", async (importOriginal) => ({ ...(await importOriginal<object>()), headers: async () => current.headers }));

const list = await import("./route");
const one = await import("./[id]/route");
const rotate = await import("./[id]/rotate-secret/route");
const deliveries = await import("./[id]/deliveries/route");
const attempts = await import("./[id]/attempts/route");
const resend = await import("../webhook-deliveries/[id]/resend/route");
const eventTypes = await import("../webhook-event-types/route");

const AUTH_SECRET = "webhook-endpoints-api-auth-secret-0123456789";
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const { call } = consoleBrowsers<Json>(current, AUTH_SECRET);
// a public address written as an IP: saving it needs no DNS
const URL_OK = "https://93.184.216.34/hooks/clicktrail";

describe.each(testDrivers)("/api/v1/webhook-endpoints (%s)", (kind) => {
  let t: TestDb;
  let restoreEnv = () => {};
  let tenantId = "";
  let admin = "";
  let otherAdmin = "";
  const as: Record<"admin" | "manager", Browser> = { admin: { uid: "" }, manager: { uid: "" } };

  beforeAll(async () => {
    t = await createTestDb(kind);
    current.db = t.db;
    restoreEnv = setEnvForTests({ APP_URL: CONSOLE_APP, AUTH_SECRET, ENCRYPTION_KEY: Buffer.alloc(32, 53).toString("base64") });
    tenantId = (await insertTenant(t.db, { name: "Hooks API" })).id;
    admin = (await createApiKey(t.db, { tenantId, name: "Admin", createdBy: null })).secret;
    const other = (await insertTenant(t.db, { name: "Other" })).id;
    otherAdmin = (await createApiKey(t.db, { tenantId: other, name: "Theirs", createdBy: null })).secret;
    for (const role of ["admin", "manager"] as const) {
      as[role] = { uid: (await insertUser(t.db, { tenantId, role, email: `${role}-wh-${kind}@example.com`, name: role, passwordHash: "x" })).id };
    }
  });
  afterAll(async () => {
    restoreEnv();
    await t.cleanup();
  });

  const create = (body: unknown, bearer = admin) => call(list.POST, null, { method: "POST", bearer, body });

  it("answers the secret once at creation; lists and reads never carry it", async () => {
    const created = await create({ url: URL_OK, description: "CRM", eventTypes: ["conversion.sent", "lead.created"] });
    expect(created.status).toBe(201);
    const secret = created.json.secret as string;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(created.json).toMatchObject({ url: URL_OK, eventTypes: ["lead.created", "conversion.sent"], enabled: true, status: "healthy" });
    expect(created.json.secretHint).toBe(`•••• ${secret.slice(-4)}`);
    const got = await call(one.GET, null, { bearer: admin, id: created.json.id });
    const listed = await call(list.GET, null, { bearer: admin });
    for (const answer of [got, listed]) {
      expect(answer.status).toBe(200);
      expect(JSON.stringify(answer.json)).not.toContain(secret.slice(6, 30));
      expect(JSON.stringify(answer.json)).not.toMatch(/secretEnc|"secret"/);
    }
    expect(listed.json.rows.map((r: Json) => r.id)).toEqual([created.json.id]);
  });

  it("refuses a loopback, private or plain-http URL with 422 webhook_url_refused on the url field", async () => {
    for (const url of ["https://127.0.0.1/hook", "https://10.0.0.7/hook", "http://93.184.216.34/hook", "https://user:pw@93.184.216.34/hook"]) {
      const r = await create({ url, eventTypes: ["*"] });
      expect(r.status, url).toBe(422);
      expect(r.json.error).toMatchObject({ code: "webhook_url_refused", details: { fieldErrors: { url: [expect.stringContaining("Webhook URL refused")] } } });
    }
    const r = await create({ url: URL_OK, eventTypes: [] });
    expect(r.status).toBe(422);
    expect(r.json.error.details.fieldErrors.eventTypes).toBeDefined();
  });

  it("updates, switches off and on, rotates (the new secret once) and deletes; another workspace's endpoint is 404", async () => {
    const { json: created } = await create({ url: URL_OK, eventTypes: ["*"] });
    const id = created.id as string;
    const patched = await call(one.PATCH, null, { method: "PATCH", bearer: admin, id, body: { description: "Billing", enabled: false } });
    expect(patched).toMatchObject({ status: 200, json: { description: "Billing", enabled: false, status: "off", eventTypes: ["*"] } });
    expect((await call(one.PATCH, null, { method: "PATCH", bearer: admin, id, body: { enabled: true } })).json.status).toBe("healthy");
    expect((await call(one.PATCH, null, { method: "PATCH", bearer: admin, id, body: {} })).status).toBe(422);

    const rotated = await call(rotate.POST, null, { method: "POST", bearer: admin, id });
    expect(rotated.status).toBe(200);
    expect(rotated.json.secret).toMatch(/^whsec_/);
    expect(rotated.json.secret).not.toBe(created.secret);
    expect(rotated.json.previousSecretExpiresAt).toEqual(expect.any(String));
    expect(JSON.stringify((await call(one.GET, null, { bearer: admin, id })).json)).not.toContain(rotated.json.secret.slice(6, 30));

    for (const [handler, method] of [
      [one.GET, "GET"],
      [one.PATCH, "PATCH"],
      [one.DELETE, "DELETE"],
      [rotate.POST, "POST"],
      [deliveries.GET, "GET"],
      [attempts.GET, "GET"],
    ] as const) {
      const r = await call(handler, null, { method, bearer: otherAdmin, id, body: method === "PATCH" ? { enabled: false } : undefined });
      expect(r.status, method).toBe(404);
      expect(r.json.error.code).toBe("not_found");
    }
    expect((await call(one.DELETE, null, { method: "DELETE", bearer: admin, id })).status).toBe(204);
    expect((await call(one.GET, null, { bearer: admin, id })).status).toBe(404);
  });

  it("pages deliveries and attempts by cursor, and resends a delivery (another workspace's is 404)", async () => {
    const { json: endpoint } = await create({ url: URL_OK, eventTypes: ["lead.created"] });
    const base = Date.parse("2026-12-07T10:00:00.000Z");
    const events = await t.db
      .insert(outgoingEvents)
      .values(
        [0, 1, 2].map((i) => ({
          tenantId,
          type: "lead.created" as const,
          sourceKey: `api-${i}`,
          data: {},
          occurredAt: new Date(base + i),
          createdAt: new Date(base + i),
        })),
      )
      .returning();
    const rows = await t.db
      .insert(webhookDeliveries)
      .values(
        events.map((e, i) => ({ tenantId, endpointId: endpoint.id, eventId: e.id, orderKey: e.id, status: "failed" as const, createdAt: new Date(base + i) })),
      )
      .returning();
    await t.db
      .insert(webhookDeliveryAttempts)
      .values(
        rows.map((d, i) => ({ tenantId, deliveryId: d.id, endpointId: endpoint.id, attemptedAt: new Date(base + 1000 + i), statusCode: 503, latencyMs: 12 })),
      );

    const first = await call(deliveries.GET, null, { bearer: admin, id: endpoint.id, query: { limit: "2" } });
    expect(first.status).toBe(200);
    expect(first.json.rows.map((r: Json) => r.eventId)).toEqual([events[2]!.id, events[1]!.id]);
    const next = await call(deliveries.GET, null, { bearer: admin, id: endpoint.id, query: { limit: "2", cursor: first.json.nextCursor } });
    expect(next.json).toEqual({ rows: [expect.objectContaining({ eventId: events[0]!.id, eventType: "lead.created", status: "failed" })], nextCursor: null });
    const tries = await call(attempts.GET, null, { bearer: admin, id: endpoint.id, query: { limit: "5" } });
    expect(tries.json.rows.map((r: Json) => [r.deliveryId, r.statusCode])).toEqual(rows.map((d) => [d.id, 503]).reverse());
    expect((await call(deliveries.GET, null, { bearer: admin, id: endpoint.id, query: { cursor: "bogus" } })).json.error.code).toBe("invalid_cursor");

    const resent = await call(resend.POST, null, { method: "POST", bearer: admin, id: rows[0]!.id });
    expect(resent).toMatchObject({ status: 202, json: { id: rows[0]!.id, status: "pending" } });
    expect((await call(resend.POST, null, { method: "POST", bearer: otherAdmin, id: rows[1]!.id })).status).toBe(404);
    expect((await call(resend.POST, null, { method: "POST", bearer: admin, id: "not-a-uuid" })).status).toBe(404);
  });

  it("lists every event type with a description", async () => {
    const r = await call(eventTypes.GET, null, { bearer: admin });
    expect(r.status).toBe(200);
    expect(r.json.rows.map((x: Json) => x.type)).toEqual([...OUTGOING_EVENT_TYPES]);
    expect(r.json.rows.every((x: Json) => x.description.length > 10)).toBe(true);
  });

  it("serves an admin's session and refuses a manager's (admin only)", async () => {
    expect((await call(list.GET, as.admin)).status).toBe(200);
    const refused = await call(list.POST, as.manager, { method: "POST", body: { url: URL_OK, eventTypes: ["*"] } });
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe("forbidden");
    expect((await call(eventTypes.GET, as.manager)).status).toBe(403);
  });
});
