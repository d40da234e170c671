// Route contract: the real handlers, called with Requests, on a test database (the one sanctioned
// mock: @/db/client hands out the test Db). Ids of another tenant answer 404, never data.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import { insertTenant } from "@/db/queries";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { createUser } from "@/lib/accounts/users";
import { createApiKey } from "@/lib/api-keys";

const current: { db?: Db } = {};
vi.mock("@/db/client", async (importOriginal) => ({
  ...(await importOriginal<typeof ClientModule>()),
  getDb: async () => current.db!,
}));

const users = await import("./users/route");
const user = await import("./users/[id]/route");
const keys = await import("./api-keys/route");
const key = await import("./api-keys/[id]/route");
const me = await import("./me/route");

const call = (handler: (req: Request, ctx: never) => Promise<Response>, opts: { method?: string; token?: string; id?: string; body?: unknown; url?: string }) =>
  handler(
    new Request(opts.url ?? "http://test.local/api/v1/x", {
      method: opts.method ?? "GET",
      headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), "content-type": "application/json" },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    }),
    { params: Promise.resolve({ id: opts.id ?? "" }) } as never,
  );

describe.each(testDrivers)("tenant isolation of /api/v1 (%s)", (kind) => {
  let t: TestDb;
  const a = { tenantId: "", key: "", userId: "", keyId: "" };
  const b = { tenantId: "", key: "", userId: "", keyId: "" };

  beforeAll(async () => {
    t = await createTestDb(kind);
    current.db = t.db;
    for (const [side, name] of [
      [a, "A"],
      [b, "B"],
    ] as const) {
      side.tenantId = (await insertTenant(t.db, { name: `Tenant ${name}` })).id;
      side.userId = (
        await createUser(t.db, {
          tenantId: side.tenantId,
          input: { name: `User ${name}`, email: `user-${name}@example.com`, role: "marketer", password: "0123456789" },
        })
      ).id;
      const created = await createApiKey(t.db, { tenantId: side.tenantId, name: `Key ${name}`, createdBy: null });
      side.key = created.secret;
      side.keyId = created.apiKey.id;
    }
  });
  afterAll(() => t.cleanup());

  // (no credentials at all falls through to the session lookup, which needs a real request
  // scope: e2e/api.spec.ts checks that against `next start`)
  it("answers 401 with the JSON error shape for an unknown key", async () => {
    const res = await call(users.GET, { token: "ck_not-a-key" });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: "unauthorized", message: expect.any(String) } });
  });

  it("lists only the caller's own users", async () => {
    const res = await call(users.GET, { token: a.key, url: "http://test.local/api/v1/users?limit=10" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { rows: { id: string; email: string }[] };
    expect(body.rows.map((r) => r.id)).toEqual([a.userId]);
    expect(JSON.stringify(body)).not.toContain("passwordHash");
  });

  it("answers 404 for another tenant's user on GET, PATCH and DELETE, and changes nothing", async () => {
    expect((await call(user.GET, { token: a.key, id: b.userId })).status).toBe(404);
    expect((await call(user.PATCH, { method: "PATCH", token: a.key, id: b.userId, body: { name: "Hijacked" } })).status).toBe(404);
    expect((await call(user.DELETE, { method: "DELETE", token: a.key, id: b.userId })).status).toBe(404);
    const own = await call(user.GET, { token: b.key, id: b.userId });
    expect(await own.json()).toMatchObject({ id: b.userId, name: "User B" });
  });

  it("answers 404 for another tenant's API key and keeps it working", async () => {
    expect((await call(key.DELETE, { method: "DELETE", token: a.key, id: b.keyId })).status).toBe(404);
    expect((await call(me.GET, { token: b.key })).status).toBe(200);
    const list = (await (await call(keys.GET, { token: a.key })).json()) as { rows: { id: string }[] };
    expect(list.rows.map((r) => r.id)).toEqual([a.keyId]);
  });

  it("answers 404 (not 500) for a malformed id", async () => {
    const res = await call(user.GET, { token: a.key, id: "1; drop table users" });
    expect(res.status).toBe(404);
  });

  it("validates bodies with field errors and refuses unknown fields", async () => {
    const res = await call(users.POST, { method: "POST", token: a.key, body: { name: "", email: "nope", role: "owner", password: "short" } });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { details: { fieldErrors: Record<string, string[]> } } };
    expect(Object.keys(body.error.details.fieldErrors).sort()).toEqual(["email", "name", "password", "role"]);
    expect((await call(user.PATCH, { method: "PATCH", token: a.key, id: a.userId, body: { tenantId: b.tenantId } })).status).toBe(422);
  });

  it("creates users and keys inside the caller's tenant only", async () => {
    const created = await call(users.POST, {
      method: "POST",
      token: a.key,
      body: { name: "New", email: "new-a@example.com", role: "manager", password: "0123456789" },
    });
    expect(created.status).toBe(201);
    const newKey = (await (await call(keys.POST, { method: "POST", token: a.key, body: { name: "CI" } })).json()) as { secret: string };
    const who = (await (await call(me.GET, { token: newKey.secret })).json()) as { tenantId: string };
    expect(who.tenantId).toBe(a.tenantId);
  });
});
