import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertTenant } from "@/db/queries";
import { ads, conversations, conversions, outboundMessages, subscribers, whatsappNumbers } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { getDashboard, getDashboardReport, resolveDashboardRange } from "./dashboard";

const now = new Date("2026-06-15T10:00:00Z");
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);

describe.each(testDrivers)("dashboard (%s)", (kind) => {
  let t: TestDb;
  let tenantId: string;
  let otherId: string;

  beforeAll(async () => {
    t = await createTestDb(kind);
    tenantId = (await insertTenant(t.db, { name: "Counts" })).id;
    otherId = (await insertTenant(t.db, { name: "Noise" })).id;
    for (const tid of [tenantId, otherId]) {
      const [number] = await t.db
        .insert(whatsappNumbers)
        .values({ tenantId: tid, label: "Main", phoneE164: "+79001234567", provider: "cloud", verifyToken: `vt-${tid}`, phoneNumberId: `pn-${tid}` })
        .returning();
      const subs = await t.db
        .insert(subscribers)
        .values([1, 2, 3].map((i) => ({ tenantId: tid, waPhone: `+7900000000${i}`, firstSeenAt: daysAgo(20) })))
        .returning();
      const convo = (subscriberId: string, startedAt: Date, sourceType: string | null) => ({
        tenantId: tid,
        subscriberId,
        numberId: number!.id,
        startedAt,
        lastMessageAt: startedAt,
        windowExpiresAt: new Date(startedAt.getTime() + 86_400_000),
        sourceType,
      });
      await t.db.insert(conversations).values([
        convo(subs[0]!.id, daysAgo(1), "ad"),
        convo(subs[1]!.id, daysAgo(2), "ad"),
        convo(subs[2]!.id, daysAgo(3), null),
        convo(subs[0]!.id, daysAgo(6.9), "post"),
        convo(subs[1]!.id, daysAgo(10), "ad"), // outside 7 days, inside 14
        convo(subs[2]!.id, daysAgo(30), "ad"), // outside both
      ]);
      await t.db.insert(outboundMessages).values(
        (["pending", "pending", "failed", "sent"] as const).map((status) => ({
          tenantId: tid,
          phone: "+79000000001",
          templateName: "welcome",
          scheduledAt: now,
          status,
        })),
      );
      await t.db.insert(conversions).values(
        (["sent", "sent", "queued", "rejected"] as const).map((status, i) => ({
          tenantId: tid,
          eventId: `e${i}`,
          eventName: "Purchase",
          eventTime: now,
          requestHash: "h",
          status,
        })),
      );
    }
  });
  afterAll(() => t.cleanup());

  it("counts only this tenant's rows, with the 7-day window and ad share", async () => {
    const d = await getDashboard(t.db, { tenantId, now });
    expect(d.counts).toEqual({
      numbers: 1,
      activeNumbers: 1,
      subscribers: 3,
      conversations7d: 4,
      adConversations7d: 2,
      queuePending: 2,
      queueFailed: 1,
      conversionsSent: 2,
      conversionsFailed: 1,
    });
    expect(d.adShare).toBe(0.5);
  });

  it("returns 14 zero-filled days ending today, split by source", async () => {
    const { series } = await getDashboard(t.db, { tenantId, now });
    expect(series).toHaveLength(14);
    expect(series.at(-1)?.day).toBe("2026-06-15");
    expect(series.reduce((n, d) => n + d.ad, 0)).toBe(3);
    expect(series.reduce((n, d) => n + d.organic, 0)).toBe(2);
    expect(series.find((d) => d.day === "2026-06-14")).toEqual({ day: "2026-06-14", ad: 1, organic: 0 });
  });

  it("has no share when there were no conversations", async () => {
    const empty = (await insertTenant(t.db, { name: "Empty" })).id;
    const d = await getDashboard(t.db, { tenantId: empty, now });
    expect(d.adShare).toBeNull();
    expect(d.counts.subscribers).toBe(0);
  });
});

describe.each(testDrivers)("dashboard report (%s)", (kind) => {
  let t: TestDb;
  let tenantId: string;
  const range = resolveDashboardRange({ days: 7 }, now); // 2026-06-09 … 2026-06-15, against 2026-06-02 … 2026-06-08
  const at = (iso: string) => new Date(iso);

  beforeAll(async () => {
    t = await createTestDb(kind);
    tenantId = (await insertTenant(t.db, { name: "Report" })).id;
    const otherId = (await insertTenant(t.db, { name: "Noise" })).id;
    await t.db.insert(ads).values([
      { tenantId, adId: "a1", adName: "Reel 1", campaignId: "c1", campaignName: "Spring", status: "enriched" },
      { tenantId, adId: "a2", adName: "Reel 2", campaignId: "c1", campaignName: "Spring", status: "enriched" },
      { tenantId, adId: "a3", adName: "Story", campaignId: "c2", campaignName: "Summer", status: "enriched" },
    ]);
    const seed = async (tid: string) => {
      const [number] = await t.db
        .insert(whatsappNumbers)
        .values({ tenantId: tid, label: "Main", phoneE164: "+79001234567", provider: "cloud", verifyToken: `vt-r-${tid}`, phoneNumberId: `pn-r-${tid}` })
        .returning();
      const [sub] = await t.db
        .insert(subscribers)
        .values({ tenantId: tid, waPhone: "+79000000009", firstSeenAt: daysAgo(40) })
        .returning();
      const convo = (startedAt: Date, sourceType: string | null, adId: string | null = null) => ({
        tenantId: tid,
        subscriberId: sub!.id,
        numberId: number!.id,
        startedAt,
        lastMessageAt: startedAt,
        windowExpiresAt: new Date(startedAt.getTime() + 86_400_000),
        sourceType,
        adId,
      });
      return t.db
        .insert(conversations)
        .values([
          // this period: 10 conversations, 7 from ads
          convo(at("2026-06-15T08:00:00Z"), "ad", "a1"),
          convo(at("2026-06-14T08:00:00Z"), "ad", "a1"),
          convo(at("2026-06-09T00:00:00Z"), "ad", "a1"),
          convo(at("2026-06-12T08:00:00Z"), "ad", "a2"),
          convo(at("2026-06-12T09:00:00Z"), "ad", "a3"),
          convo(at("2026-06-13T09:00:00Z"), "ad", "a3"),
          convo(at("2026-06-13T10:00:00Z"), "ad", "a4"), // an ad Meta has not named yet
          convo(at("2026-06-10T10:00:00Z"), null),
          convo(at("2026-06-11T10:00:00Z"), null),
          convo(at("2026-06-11T11:00:00Z"), "post"),
          // the previous period: 4, 1 from an ad
          convo(at("2026-06-08T23:59:59Z"), "ad", "a1"),
          convo(at("2026-06-02T00:00:00Z"), null),
          convo(at("2026-06-03T00:00:00Z"), null),
          convo(at("2026-06-05T00:00:00Z"), null),
          // before both
          convo(at("2026-06-01T23:59:59Z"), "ad", "a1"),
        ])
        .returning();
    };
    const rows = await seed(tenantId);
    const noise = await seed(otherId);
    const conversion = (tid: string, i: number, conversationId: string, createdAt: Date, extra: Partial<typeof conversions.$inferInsert> = {}) => ({
      tenantId: tid,
      eventId: `r${i}`,
      eventName: "Purchase",
      eventTime: createdAt,
      requestHash: "h",
      status: "sent" as const,
      conversationId,
      createdAt,
      ...extra,
    });
    const id = (i: number) => rows[i]!.id;
    await t.db.insert(conversions).values([
      conversion(tenantId, 1, id(4), at("2026-06-13T12:00:00Z"), { value: "500", currency: "RUB" }),
      conversion(tenantId, 2, id(5), at("2026-06-14T12:00:00Z"), { value: "300", currency: "RUB" }),
      conversion(tenantId, 3, id(0), at("2026-06-15T09:00:00Z"), { value: "100", currency: "RUB" }),
      conversion(tenantId, 4, id(1), at("2026-06-14T09:00:00Z"), { eventName: "LeadSubmitted" }),
      conversion(tenantId, 5, id(3), at("2026-06-12T12:00:00Z"), { value: "50", currency: "USD" }),
      conversion(tenantId, 6, id(3), at("2026-06-12T13:00:00Z"), { value: "1000", currency: "RUB", status: "failed" }), // never reached Meta
      conversion(tenantId, 7, id(4), at("2026-06-13T13:00:00Z"), { value: "999", currency: "RUB", testCode: "TEST1" }), // a test event
      conversion(tenantId, 8, id(10), at("2026-06-05T12:00:00Z"), { value: "450", currency: "RUB" }), // the previous period
      conversion(otherId, 9, noise[4]!.id, at("2026-06-13T12:00:00Z"), { value: "7000", currency: "RUB" }),
    ]);
  });
  afterAll(() => t.cleanup());

  it("compares each figure with the previous period of the same length", async () => {
    const d = await getDashboardReport(t.db, { tenantId, range });
    expect(d.range).toMatchObject({ from: "2026-06-09", to: "2026-06-15", days: 7, previousFrom: "2026-06-02", previousTo: "2026-06-08" });
    expect(d.conversations).toEqual({ current: 10, previous: 4, change: 1.5 });
    expect(d.adConversations).toEqual({ current: 7, previous: 1, change: 6 });
    expect(d.adShare.current).toBeCloseTo(0.7);
    expect(d.adShare.previous).toBeCloseTo(0.25);
    expect(d.adShare.change).toBeCloseTo(0.45);
    // failed deliveries and test events are left out, as is another workspace's sale
    expect(d.conversions).toEqual({ current: 5, previous: 1, change: 4 });
    expect(d.revenue).toEqual([
      { currency: "RUB", current: 900, previous: 450, change: 1 },
      { currency: "USD", current: 50, previous: 0, change: null },
    ]);
    expect(d.mainCurrency).toBe("RUB");
  });

  it("ranks campaigns and ads by conversations and by revenue in the main currency", async () => {
    const { top } = await getDashboardReport(t.db, { tenantId, range });
    expect(top.campaignsByConversations.map((c) => [c.name, c.conversations, c.ads])).toEqual([
      ["Spring", 4, 2],
      ["Summer", 2, 1],
      [null, 1, 1],
    ]);
    expect(top.campaignsByRevenue.map((c) => [c.name, c.revenue])).toEqual([
      ["Summer", 800],
      ["Spring", 100],
    ]);
    expect(top.adsByConversations.slice(0, 2).map((a) => [a.name, a.conversations])).toEqual([
      ["Reel 1", 3],
      ["Story", 2],
    ]);
    expect(top.adsByConversations.find((a) => a.adId === "a4")).toMatchObject({ name: null, campaignId: null, conversations: 1 });
    expect(top.adsByRevenue.map((a) => [a.adId, a.revenue])).toEqual([
      ["a3", 800],
      ["a1", 100],
    ]);
  });

  it("draws every day of the range, ad vs the rest", async () => {
    const { series } = await getDashboardReport(t.db, { tenantId, range });
    expect(series.map((d) => d.day)).toEqual(["2026-06-09", "2026-06-10", "2026-06-11", "2026-06-12", "2026-06-13", "2026-06-14", "2026-06-15"]);
    expect(series.find((d) => d.day === "2026-06-11")).toEqual({ day: "2026-06-11", ad: 0, organic: 2 });
    expect(series.reduce((n, d) => n + d.ad, 0)).toBe(7);
  });

  it("has nothing to compare with for an empty workspace", async () => {
    const empty = (await insertTenant(t.db, { name: "Empty report" })).id;
    const d = await getDashboardReport(t.db, { tenantId: empty, range });
    expect(d.conversations).toEqual({ current: 0, previous: 0, change: null });
    expect(d.adShare).toEqual({ current: null, previous: null, change: null });
    expect(d.revenue).toEqual([]);
    expect(d.mainCurrency).toBeNull();
    expect(Object.values(d.top).every((list) => list.length === 0)).toBe(true);
    expect(d.series).toHaveLength(7);
  });
});
