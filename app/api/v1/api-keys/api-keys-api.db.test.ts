// /api/v1/api-keys and /api/v1/me: the real handlers on a test database. The key is answered once, lists
// never carry it, and a revoked key (204, no body) stops working at once.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import { insertTenant } from "@/db/queries";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { createApiKey } from "@/lib/api-keys";

const current: { db?: Db } = {};
vi.mock("@/db/client", async (importOriginal) => ({
  ...(await importOriginal<typeof ClientModule>()),
  getDb: async () => current.db!,
}));

const keys = await import("./route");
const key = await import("./[id]/route");
const me = await import("../me/route");

type Handler = (req: Request, ctx: never) => Promise<Response>;
const call = (handler: Handler, opts: { method?: string; token: string; id?: string; body?: unknown; query?: string }) =>
  handler(
    new Request(`http://test.local/api/v1/api-keys${opts.id ? `/${opts.id}` : ""}${opts.query ?? ""}`, {
      method: opts.method ?? "GET",
      headers: { authorization: `Bearer ${opts.token}`, "content-type": "application/json" },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    }),
    { params: Promise.resolve(opts.id ? { id: opts.id } : {}) } as never,
  );

describe.each(testDrivers)("/api/v1/api-keys (%s)", (kind) => {
  let t: TestDb;
  let tenantId = "";
  let admin = "";

  beforeAll(async () => {
    t = await createTestDb(kind);
    current.db = t.db;
    tenantId = (await insertTenant(t.db, { name: "Keys & Co" })).id;
    admin = (await createApiKey(t.db, { tenantId, name: "Admin", createdBy: null })).secret;
  });
  afterAll(() => t.cleanup());

  it("answers the new key once, and lists keys without it", async () => {
    const res = await call(keys.POST, { method: "POST", token: admin, body: { name: "  CRM  " } });
    expect(res.status).toBe(201);
    const created = (await res.json()) as {
      id: string;
      name: string;
      prefix: string;
      secret: string;
      createdBy: string | null;
      lastUsedAt: string | null;
      revokedAt: string | null;
    };
    expect(created).toMatchObject({ name: "CRM", createdBy: null, lastUsedAt: null, revokedAt: null });
    expect(created.secret).toMatch(/^ck_/);
    expect(created.prefix).toBe(created.secret.slice(0, 11));

    const list = await call(keys.GET, { token: admin, query: "?limit=1" });
    expect(list.status).toBe(200);
    const page = (await list.json()) as { rows: Record<string, unknown>[]; nextCursor: string | null };
    expect(page.rows.map((r) => r.id)).toEqual([created.id]);
    expect(page.rows[0]).not.toHaveProperty("secret");
    expect(page.rows[0]).not.toHaveProperty("keyHash");
    const next = (await (await call(keys.GET, { token: admin, query: `?limit=1&cursor=${page.nextCursor}` })).json()) as {
      rows: { name: string }[];
      nextCursor: string | null;
    };
    expect(next).toMatchObject({ rows: [{ name: "Admin" }], nextCursor: null });

    const who = await call(me.GET, { token: created.secret });
    expect(await who.json()).toEqual({
      kind: "api_key",
      tenantId,
      apiKeyId: created.id,
      userId: null,
      role: "admin",
      tenant: { id: tenantId, name: "Keys & Co" },
    });
  });

  it("revokes with 204 and no body: the key stops working, stays listed as revoked, and a second revoke is 404", async () => {
    const { apiKey, secret } = await createApiKey(t.db, { tenantId, name: "Short-lived", createdBy: null });
    expect((await call(me.GET, { token: secret })).status).toBe(200);
    const res = await call(key.DELETE, { method: "DELETE", token: admin, id: apiKey.id });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect((await call(me.GET, { token: secret })).status).toBe(401);
    const { rows } = (await (await call(keys.GET, { token: admin })).json()) as { rows: { id: string; revokedAt: string | null }[] };
    expect(Number.isNaN(Date.parse(rows.find((r) => r.id === apiKey.id)?.revokedAt ?? ""))).toBe(false);
    expect((await call(key.DELETE, { method: "DELETE", token: admin, id: apiKey.id })).status).toBe(404);
  });

  it("answers 422 for a cursor it did not hand out, and for an empty name", async () => {
    const res = await call(keys.GET, { token: admin, query: "?cursor=bm90LWEtY3Vyc29y" });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ error: { code: "invalid_cursor" } });
    expect((await call(keys.POST, { method: "POST", token: admin, body: { name: " " } })).status).toBe(422);
  });

  it("answers 405 with Allow for methods the paths do not have", async () => {
    const put = await call(keys.PUT, { method: "PUT", token: admin, body: { name: "x" } });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, POST, HEAD");
    expect(await put.json()).toMatchObject({ error: { code: "method_not_allowed" } });
    const get = await call(key.GET, { token: admin, id: crypto.randomUUID() });
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("DELETE");
    const options = await call(key.OPTIONS, { method: "OPTIONS", token: admin, id: crypto.randomUUID() });
    expect(options.status).toBe(204);
    expect(options.headers.get("allow")).toBe("DELETE, OPTIONS");
  });
});
