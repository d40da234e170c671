// GET /api/v1/dashboard: the real handler on a test database (the figures themselves: lib/dashboard.db.test.ts).
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

const { GET, POST } = await import("./route");
const call = (handler: typeof GET, token: string, method = "GET") =>
  handler(new Request("http://test.local/api/v1/dashboard", { method, headers: { authorization: `Bearer ${token}` } }), undefined as never);

describe.each(testDrivers)("GET /api/v1/dashboard (%s)", (kind) => {
  let t: TestDb;
  let token = "";

  beforeAll(async () => {
    t = await createTestDb(kind);
    current.db = t.db;
    const tenantId = (await insertTenant(t.db, { name: "Empty" })).id;
    token = (await createApiKey(t.db, { tenantId, name: "Admin", createdBy: null })).secret;
  });
  afterAll(() => t.cleanup());

  it("answers the counts, a null ad share without conversations, 14 days and an ISO time", async () => {
    const before = Date.now();
    const res = await call(GET, token);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { counts: Record<string, number>; adShare: number | null; series: { day: string }[]; generatedAt: string };
    expect(Object.values(body.counts).every((n) => n === 0)).toBe(true);
    expect(body.adShare).toBeNull();
    expect(body.series).toHaveLength(14);
    expect(body.series.at(-1)?.day).toBe(new Date().toISOString().slice(0, 10));
    expect(body.generatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(Date.parse(body.generatedAt)).toBeGreaterThanOrEqual(before - 1);
  });

  it("answers 405 for POST", async () => {
    const res = await call(POST, token, "POST");
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD");
  });
});
