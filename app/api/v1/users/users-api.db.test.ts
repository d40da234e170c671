// /api/v1/users: the real handlers on a test database, called with an API key (an admin without a user).
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

const users = await import("./route");
const user = await import("./[id]/route");

type Handler = (req: Request, ctx: never) => Promise<Response>;
const call = (handler: Handler, opts: { method?: string; token: string; id?: string; body?: unknown }) =>
  handler(
    new Request(`http://test.local/api/v1/users${opts.id ? `/${opts.id}` : ""}`, {
      method: opts.method ?? "GET",
      headers: { authorization: `Bearer ${opts.token}`, "content-type": "application/json" },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    }),
    { params: Promise.resolve(opts.id ? { id: opts.id } : {}) } as never,
  );

type User = { id: string; tenantId: string; email: string; name: string; role: string; lastLoginAt: string | null; createdAt: string };

describe.each(testDrivers)("/api/v1/users (%s)", (kind) => {
  let t: TestDb;
  let tenantId = "";
  let token = "";
  let adminId = "";

  beforeAll(async () => {
    t = await createTestDb(kind);
    current.db = t.db;
    tenantId = (await insertTenant(t.db, { name: "People" })).id;
    token = (await createApiKey(t.db, { tenantId, name: "Admin", createdBy: null })).secret;
    adminId = (await createUser(t.db, { tenantId, input: { name: "Only Admin", email: "admin@example.com", role: "admin", password: "0123456789" } })).id;
  });
  afterAll(() => t.cleanup());

  it("creates, reads, lists, changes and removes a member", async () => {
    const res = await call(users.POST, {
      method: "POST",
      token,
      body: { name: "Ana Lima", email: "  Ana@Example.com ", role: "manager", password: "a-long-passphrase" },
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as User;
    expect(created).toMatchObject({ tenantId, email: "ana@example.com", name: "Ana Lima", role: "manager", lastLoginAt: null });
    expect(JSON.stringify(created)).not.toContain("password");

    expect(await (await call(user.GET, { token, id: created.id })).json()).toEqual(created);
    const { rows } = (await (await call(users.GET, { token })).json()) as { rows: User[] };
    expect(rows.map((r) => r.id)).toEqual([created.id, adminId]);

    const changed = await call(user.PATCH, { method: "PATCH", token, id: created.id, body: { role: "marketer", name: "Ana L." } });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ id: created.id, role: "marketer", name: "Ana L." });

    const removed = await call(user.DELETE, { method: "DELETE", token, id: created.id });
    expect(removed.status).toBe(204);
    expect(await removed.text()).toBe("");
    expect((await call(user.GET, { token, id: created.id })).status).toBe(404);
  });

  it("refuses a taken email (409) and keeps the last admin (409)", async () => {
    const taken = await call(users.POST, {
      method: "POST",
      token,
      body: { name: "Again", email: "admin@example.com", role: "marketer", password: "0123456789" },
    });
    expect(taken.status).toBe(409);
    expect(await taken.json()).toMatchObject({ error: { code: "conflict", details: { fieldErrors: { email: [expect.any(String)] } } } });
    expect((await call(user.PATCH, { method: "PATCH", token, id: adminId, body: { role: "manager" } })).status).toBe(409);
    expect((await call(user.DELETE, { method: "DELETE", token, id: adminId })).status).toBe(409);
  });

  it("answers 405 with Allow for methods the paths do not have", async () => {
    const res = await call(users.DELETE, { method: "DELETE", token });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, POST, HEAD");
    const put = await call(user.PUT, { method: "PUT", token, id: adminId, body: { name: "x" } });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, PATCH, DELETE, HEAD");
  });
});
