// The editor's preview offers leads the template reaches: the newest of each segment, on both drivers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertTenant } from "@/db/queries";
import { leads } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { loadPreviewContext } from "./preview";
import { previewLeadsFor } from "./preview-variables";

const day = (d: number) => new Date(Date.UTC(2031, 5, d, 9));

describe.each(testDrivers)("preview leads (%s)", (kind) => {
  let t: TestDb;
  let tenantId = "";

  beforeAll(async () => {
    t = await createTestDb(kind);
    tenantId = (await insertTenant(t.db, { name: "Drama school" })).id;
    const other = (await insertTenant(t.db, { name: "Other" })).id;
    const lead = (name: string, segment: string | null, d: number, phone: string, tenant = tenantId) => ({
      tenantId: tenant,
      name,
      segment,
      phone,
      createdAt: day(d),
    });
    await t.db.insert(leads).values([
      // many recent leads of one segment must not push the others' out
      ...Array.from({ length: 12 }, (_, i) => lead(`Vocal ${i}`, "vocal", 20 + i, `+7900100${String(i).padStart(4, "0")}`)),
      lead("Anna Petrova", "acting", 3, "+79001112233"),
      lead("Anna Petrova", "acting", 5, "+79004445566"),
      lead("No segment", null, 4, "+79007778899"),
      lead("Theirs", "acting", 30, "+79009990000", other),
    ]);
  });
  afterAll(() => t.cleanup());

  it("keeps the newest leads of every segment, its own tenant's only, newest first", async () => {
    const { leads: rows } = await loadPreviewContext(t.db, { tenantId, perSegment: 3 });
    expect(rows.map((l) => l.name)).toEqual(["Vocal 11", "Vocal 10", "Vocal 9", "Anna Petrova", "No segment", "Anna Petrova"]);
    expect(rows.find((l) => l.phone === "+79004445566")).toMatchObject({ segment: "acting", createdAt: day(5).toISOString(), sample: false });
  });

  it("offers a segment's template only that segment's leads, and an all-segments template every lead", async () => {
    const { leads: rows } = await loadPreviewContext(t.db, { tenantId });
    expect(previewLeadsFor(rows, "acting").map((l) => l.phone)).toEqual(["+79004445566", "+79001112233"]);
    expect(previewLeadsFor(rows, "dance")).toEqual([]);
    expect(previewLeadsFor(rows, null, 50)).toHaveLength(8 + 2 + 1);
  });
});
