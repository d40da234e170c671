// The attribution report on both drivers: roll-up per campaign → ad set → ad, distinct subscribers at each
// level, conversions per event and currency, the conversion rate, the per-day chart and the CSV.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertTenant } from "@/db/queries";
import { ads, conversations, conversions, subscribers } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { attributionCsv, attributionParamsSchema, attributionReport, resolveRange } from "./attribution";

const day = (d: number, h = 12) => new Date(Date.UTC(2030, 0, d, h));

describe.each(testDrivers)("attribution report (%s)", (kind) => {
  let t: TestDb;
  let tenantId = "";
  beforeAll(async () => {
    t = await createTestDb(kind);
    tenantId = (await insertTenant(t.db, { name: "Report" })).id;
    const other = (await insertTenant(t.db, { name: "Other" })).id;
    const sub = async (tenant: string, phone: string) =>
      (
        await t.db
          .insert(subscribers)
          .values({ tenantId: tenant, waPhone: phone, firstSeenAt: day(1) })
          .returning()
      )[0]!.id;
    const [ann, bob, cyd] = [await sub(tenantId, "+15550000001"), await sub(tenantId, "+15550000002"), await sub(tenantId, "+15550000003")];
    const conv = async (
      subscriberId: string,
      startedAt: Date,
      ad: { ad?: string; adset?: string; campaign?: string; source?: string | null } = {},
      tenant = tenantId,
    ) =>
      (
        await t.db
          .insert(conversations)
          .values({
            tenantId: tenant,
            subscriberId,
            startedAt,
            lastMessageAt: startedAt,
            windowExpiresAt: startedAt,
            sourceType: ad.source === undefined ? (ad.ad ? "ad" : null) : ad.source,
            adId: ad.ad ?? null,
            adsetId: ad.adset ?? null,
            campaignId: ad.campaign ?? null,
            campaignName: ad.campaign ? `Campaign ${ad.campaign}` : null,
            adsetName: ad.adset ? `Set ${ad.adset}` : null,
            adName: ad.ad ? `Ad ${ad.ad}` : null,
            headline: ad.ad ? `Headline ${ad.ad}` : null,
          })
          .returning()
      )[0]!.id;
    // the ads cache holds the hierarchy and the names (filled by enrichment)
    for (const [tenant, ad, adset, campaign] of [
      [tenantId, "1", "s1", "c1"],
      [tenantId, "2", "s1", "c1"],
      [tenantId, "3", "s2", "c2"],
      [other, "1", "s1", "c1"],
    ] as const) {
      await t.db.insert(ads).values({
        tenantId: tenant,
        adId: ad,
        adsetId: adset,
        campaignId: campaign,
        adName: `Ad ${ad}`,
        adsetName: `Set ${adset}`,
        campaignName: `Campaign ${campaign}`,
        status: "enriched",
      });
    }
    const a1 = { ad: "1", adset: "s1", campaign: "c1" };
    const a2 = { ad: "2", adset: "s1", campaign: "c1" };
    const a3 = { ad: "3", adset: "s2", campaign: "c2" };
    const annA1 = await conv(ann, day(2), a1);
    await conv(ann, day(3), a2); // Ann clicked two ads of campaign c1: one subscriber there
    const bobA1 = await conv(bob, day(3), a1);
    await conv(cyd, day(4), a3);
    await conv(cyd, day(4, 18), { source: "post" });
    await conv(bob, day(5)); // organic
    await conv(ann, day(20), a1); // outside the range
    const otherSub = await sub(other, "+15550000009");
    await conv(otherSub, day(2), a1, other); // another tenant
    const conversion = (conversationId: string, eventId: string, eventName: string, value: string | null, currency: string | null, status = "sent") =>
      t.db
        .insert(conversions)
        .values({ tenantId, conversationId, eventId, eventName, eventTime: day(6), requestHash: eventId, value, currency, status: status as never });
    await conversion(annA1, "e1", "Purchase", "100.50", "USD");
    await conversion(annA1, "e2", "LeadSubmitted", null, null);
    await conversion(bobA1, "e3", "Purchase", "20", "EUR");
    await conversion(bobA1, "e4", "Purchase", "999", "USD", "failed"); // failed deliveries do not count
  });
  afterAll(() => t.cleanup());

  it("rolls conversations up per ad, ad set and campaign with distinct subscribers and conversions", async () => {
    const r = await attributionReport(t.db, { tenantId, from: "2030-01-01", to: "2030-01-10" });
    expect(r.total).toMatchObject({
      conversations: 4,
      subscribers: 3,
      converted: 2,
      rate: 0.5,
      events: { Purchase: 2, LeadSubmitted: 1 },
      value: { USD: 100.5, EUR: 20 },
    });
    const c1 = r.campaigns.find((c) => c.id === "c1")!;
    expect(c1).toMatchObject({ name: "Campaign c1", totals: { conversations: 3, subscribers: 2, converted: 2 } });
    expect(c1.adsets).toHaveLength(1);
    const byAd = Object.fromEntries(c1.adsets[0]!.ads.map((a) => [a.id, a.totals]));
    expect(c1.adsets[0]!.ads.find((a) => a.id === "1")).toMatchObject({ name: "Ad 1", headline: "Headline 1" });
    expect(byAd["1"]).toMatchObject({
      conversations: 2,
      subscribers: 2,
      converted: 2,
      rate: 1,
      events: { Purchase: 2, LeadSubmitted: 1 },
      value: { USD: 100.5, EUR: 20 },
    });
    expect(byAd["2"]).toMatchObject({ conversations: 1, subscribers: 1, converted: 0, rate: 0, events: {}, value: {} });
    expect(r.campaigns.find((c) => c.id === "c2")!.totals).toMatchObject({ conversations: 1, subscribers: 1, converted: 0 });
    expect(r.eventNames).toEqual(["LeadSubmitted", "Purchase"]);
    expect(r.currencies).toEqual(["EUR", "USD"]);
  });

  it("charts every day of the range by source, zeros included", async () => {
    const r = await attributionReport(t.db, { tenantId, from: "2030-01-01", to: "2030-01-05" });
    expect(r.daily).toEqual([
      { day: "2030-01-01", ad: 0, post: 0, organic: 0, other: 0 },
      { day: "2030-01-02", ad: 1, post: 0, organic: 0, other: 0 },
      { day: "2030-01-03", ad: 2, post: 0, organic: 0, other: 0 },
      { day: "2030-01-04", ad: 1, post: 1, organic: 0, other: 0 },
      { day: "2030-01-05", ad: 0, post: 0, organic: 1, other: 0 },
    ]);
  });

  it("writes one CSV line per ad, ad set and campaign, then the total", async () => {
    const csv = attributionCsv(await attributionReport(t.db, { tenantId, from: "2030-01-01", to: "2030-01-10" }))
      .trimEnd()
      .split("\r\n");
    expect(csv[0]).toBe(
      "level,campaign_id,campaign,adset_id,adset,ad_id,ad,conversations,unique_subscribers,converted,conversion_rate,events_LeadSubmitted,events_Purchase,value_EUR,value_USD",
    );
    expect(csv).toContain("ad,c1,Campaign c1,s1,Set s1,1,Ad 1,2,2,2,1.0000,1,2,20,100.5");
    expect(csv.at(-1)).toBe("total,,,,,,,4,3,2,0.5000,1,2,20,100.5");
    expect(csv.filter((l) => l.startsWith("campaign,"))).toHaveLength(2);
  });

  it("narrows table, conversions and chart to one campaign (by the ads cache) or one ad", async () => {
    const c1 = await attributionReport(t.db, { tenantId, from: "2030-01-01", to: "2030-01-10", campaign: "c1" });
    expect(c1.campaigns.map((c) => c.id)).toEqual(["c1"]);
    expect(c1.total).toMatchObject({ conversations: 3, subscribers: 2, converted: 2, events: { Purchase: 2, LeadSubmitted: 1 } });
    expect(c1.daily.filter((d) => d.post + d.organic > 0)).toEqual([]);
    const ad2 = await attributionReport(t.db, { tenantId, from: "2030-01-01", to: "2030-01-10", ad: "2" });
    expect(ad2.total).toMatchObject({ conversations: 1, subscribers: 1, converted: 0, events: {} });
    expect(ad2.campaigns[0]?.adsets[0]?.ads.map((a) => a.id)).toEqual(["2"]);
    expect((await attributionReport(t.db, { tenantId, from: "2030-01-01", to: "2030-01-10", campaign: "c2", ad: "1" })).campaigns).toEqual([]);
    const csv = attributionCsv(await attributionReport(t.db, { tenantId, from: "2030-01-01", to: "2030-01-10", campaign: "c2" }));
    expect(csv).toContain("campaign,c2,Campaign c2,");
    expect(csv).not.toContain("Campaign c1");
  });

  it("takes a campaign and an ad id from the query and refuses other text", () => {
    expect(attributionParamsSchema.parse({ campaign: "120210553870420187", ad: "" })).toEqual({ campaign: "120210553870420187" });
    expect(attributionParamsSchema.safeParse({ ad: "1; drop table ads" }).success).toBe(false);
  });

  it("defaults to the last 30 days and refuses backwards or impossible ranges", () => {
    expect(resolveRange({}, new Date("2030-03-31T10:00:00Z"))).toMatchObject({ from: "2030-03-02", to: "2030-03-31" });
    expect(attributionParamsSchema.safeParse({ from: "2030-02-02", to: "2030-02-01" }).success).toBe(false);
    expect(attributionParamsSchema.safeParse({ from: "2030-02-31" }).success).toBe(false);
    expect(attributionParamsSchema.safeParse({ from: "2028-01-01", to: "2030-01-01" }).success).toBe(false);
  });
});
