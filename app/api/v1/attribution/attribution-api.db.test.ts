// GET /api/v1/attribution through its route handler on the demo data: a campaign or an ad narrows the JSON and
// the CSV download to their names; an id that is not one is a 422.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import { insertTenant } from "@/db/queries";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { createApiKey } from "@/lib/api-keys";
import { loadDemoData } from "@/lib/demo/demo-data";

const current: { db?: Db } = {};
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<typeof ClientModule>()), getDb: async () => current.db! }));
const route = await import("./route");

const ORATORY = "120210553870433391";
const ORATORY_AD = "120210553870433405";

describe.each(testDrivers)("/api/v1/attribution (%s)", (kind) => {
  let t: TestDb;
  let key = "";
  const get = (query: string) => route.GET(new Request(`http://t/api/v1/attribution?${query}`, { headers: { authorization: `Bearer ${key}` } }), {} as never);

  beforeAll(async () => {
    t = await createTestDb(kind);
    current.db = t.db;
    const tenantId = (await insertTenant(t.db, { name: "Attribution API" })).id;
    await loadDemoData(t.db, { tenantId, now: new Date(), encryptionKey: Buffer.alloc(32, 3).toString("base64") });
    key = (await createApiKey(t.db, { tenantId, name: "test", createdBy: null })).secret;
  });
  afterAll(() => t.cleanup());

  it("narrows the report to one campaign, and its CSV to that campaign's names", async () => {
    const all = await (await get("")).json();
    expect(all.campaigns.length).toBe(3);
    const res = await get(`campaign=${ORATORY}`);
    expect(res.status).toBe(200);
    const one = await res.json();
    expect(one).toMatchObject({ campaign: ORATORY, ad: null });
    expect(one.campaigns.map((c: { name: string }) => c.name)).toEqual(["Ораторское искусство | CTWA | РФ"]);
    expect(one.total.conversations).toBeLessThan(all.total.conversations);
    const csv = await (await get(`campaign=${ORATORY}&format=csv`)).text();
    expect(csv).toContain("Видео — Ольга о страхе сцены");
    expect(csv).not.toContain("Актёрское мастерство");
  });

  it("narrows it to one ad", async () => {
    const one = await (await get(`ad=${ORATORY_AD}`)).json();
    expect(one.campaigns[0].adsets[0].ads.map((a: { id: string }) => a.id)).toEqual([ORATORY_AD]);
  });

  it("refuses an id that is not one", async () => {
    const res = await get("ad=%27%20or%201%3D1");
    expect(res.status).toBe(422);
  });
});
