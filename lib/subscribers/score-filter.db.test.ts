// The subscriber list's score filter on both drivers: hot (60+), warm (30–59) and cold (under 30) select exactly
// the subscribers whose stored score is in the band, in list order and across pages; the CSV export takes the
// same filter and carries the score; the API documents it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertTenant } from "@/db/queries";
import { type NewSubscriber, subscribers } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { buildOpenApiDocument } from "@/lib/openapi/document";
import { exportSubscribersCsv } from "./export";
import { scoreBandOf } from "./lifecycle-score";
import { listSubscribers, toListQuery } from "./list";
import { subscriberFiltersSchema } from "./list-filters";

const DAY = 86_400_000;
const HOUR = 3_600_000;

describe("the score filter's values", () => {
  it("takes hot, warm and cold, and nothing else", () => {
    expect(["hot", "warm", "cold", ""].map((score) => subscriberFiltersSchema.safeParse({ score }).data?.score)).toEqual(["hot", "warm", "cold", undefined]);
    expect(subscriberFiltersSchema.safeParse({ score: "60" }).success).toBe(false);
  });

  it("gives the query the bands' bounds (the ones db/queries/list-plans.pg.test.ts plans)", () => {
    const bounds = (score: string) => toListQuery("t", subscriberFiltersSchema.parse({ score }), new Date()).score;
    expect([bounds("hot"), bounds("warm"), bounds("cold")]).toEqual([{ atLeast: 60 }, { atLeast: 30, below: 60 }, { below: 30 }]);
  });

  it("names the bands by their edges", () => {
    expect([null, 0, 29, 30, 59, 60, 100].map(scoreBandOf)).toEqual(["cold", "cold", "cold", "warm", "warm", "hot", "hot"]);
  });

  it("is documented on the list and the export", () => {
    const doc = buildOpenApiDocument({ appUrl: "https://clicktrail.example.com/" }) as unknown as {
      paths: Record<string, { get?: { parameters?: { name: string; description?: string }[] } }>;
    };
    for (const path of ["/api/v1/subscribers", "/api/v1/subscribers/export"]) {
      const score = doc.paths[path]?.get?.parameters?.find((p) => p.name === "score");
      expect(score?.description, path).toMatch(/hot.*60.*warm.*30–59.*cold/);
    }
  });
});

describe.each(testDrivers)("subscriber list by score (%s)", (kind) => {
  let t: TestDb;
  let tenantId = "";
  let otherTenantId = "";
  let seq = 0;
  beforeAll(async () => {
    t = await createTestDb(kind);
    tenantId = (await insertTenant(t.db, { name: "Bands" })).id;
    otherTenantId = (await insertTenant(t.db, { name: "Other" })).id;
    const real = Date.now();
    const at = (ago: number) => new Date(real - ago);
    // facts whose scores straddle the bands' edges (the trigger computes them)
    const people: Partial<NewSubscriber>[] = [
      { inboundCount: 15, lastInboundAt: at(HOUR), firstTouchSource: "ad", hasClickId: true }, // 20+20+15+20 = 75
      { inboundCount: 3, lastInboundAt: at(2 * HOUR), firstTouchSource: "ad", hasClickId: true }, // 20+10+15+20 = 65
      { inboundCount: 1, lastInboundAt: at(3 * HOUR), firstTouchSource: "ad" }, // 10+5+15+20 = 50
      { inboundCount: 1, lastInboundAt: at(4 * HOUR) }, // 5+15+20 = 40
      { inboundCount: 7, lastInboundAt: at(3 * DAY), firstTouchSource: "ad" }, // 10+15+12 = 37
      { inboundCount: 3, lastInboundAt: at(3 * DAY + HOUR) }, // 10+12 = 22
      { inboundCount: 1, lastInboundAt: at(10 * DAY) }, // 5+6 = 11
      { inboundCount: 15, lastInboundAt: at(1.5 * HOUR), status: "opted_out", firstTouchSource: "ad" }, // 0
      {}, // never wrote: 0
    ];
    for (const [i, p] of people.entries()) {
      await t.db.insert(subscribers).values({
        tenantId,
        waPhone: `+4917${String((seq += 1)).padStart(8, "0")}`,
        profileName: `P${i}`,
        firstSeenAt: at(20 * DAY),
        ...p,
      });
    }
    // another workspace's hot subscriber never shows
    await t.db.insert(subscribers).values({
      tenantId: otherTenantId,
      waPhone: "+4917999999999",
      firstSeenAt: at(DAY),
      inboundCount: 15,
      lastInboundAt: at(HOUR),
      firstTouchSource: "ad",
      hasClickId: true,
    });
  });
  afterAll(async () => {
    await t.cleanup();
  });

  /** Every row of the filtered list, walking its pages. */
  async function walk(score: string | undefined, limit = 2) {
    const filters = subscriberFiltersSchema.parse({ score });
    const rows: { name: string | null; score: number | null }[] = [];
    let cursor: string | undefined;
    do {
      const page = await listSubscribers(t.db, { tenantId, filters, cursor, limit, now: new Date() });
      rows.push(...page.rows.map((r) => ({ name: r.subscriber.profileName, score: r.subscriber.lifecycleScore })));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return rows;
  }

  it("stores the scores the facts give", async () => {
    expect((await walk(undefined, 50)).map((r) => r.score)).toEqual([75, 0, 65, 50, 40, 37, 22, 11, 0]);
  });

  it("selects each band in list order, across pages", async () => {
    expect(await walk("hot")).toEqual([
      { name: "P0", score: 75 },
      { name: "P1", score: 65 },
    ]);
    expect(await walk("warm")).toEqual([
      { name: "P2", score: 50 },
      { name: "P3", score: 40 },
      { name: "P4", score: 37 },
    ]);
    expect(await walk("cold")).toEqual([
      { name: "P7", score: 0 },
      { name: "P5", score: 22 },
      { name: "P6", score: 11 },
      { name: "P8", score: 0 },
    ]);
  });

  it("exports the band's rows with their scores", async () => {
    let csv = "";
    for await (const chunk of exportSubscribersCsv(t.db, { tenantId, filters: subscriberFiltersSchema.parse({ score: "warm" }), now: new Date() }))
      csv += chunk;
    const [head, ...lines] = csv.trimEnd().split("\r\n");
    const col = head!.split(",").indexOf("lifecycle_score");
    expect(col).toBeGreaterThan(0);
    expect(lines.map((l) => l.split(",")[col])).toEqual(["50", "40", "37"]);
  });
});
