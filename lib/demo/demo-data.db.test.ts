import { and, asc, count, eq, isNotNull, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { ads, chats, conversations, conversions, leads, messages, outboundMessages, subscribers, templates, tenants } from "@/db/schema";
import { countDemoRows, countDemoTableRows } from "@/db/queries/demo";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { attributionReport } from "@/lib/subscribers/attribution";
import { listSubscribers } from "@/lib/subscribers/list";
import { subscriberFiltersSchema } from "@/lib/subscribers/list-filters";
import { type DemoSummary, loadDemoData } from "./demo-data";

const encryptionKey = Buffer.alloc(32, 7).toString("base64");
const now = new Date("2025-11-03T09:30:00.000Z");

const countRows = (db: Db, tenantId: string) => countDemoTableRows(db, tenantId, { demoOnly: false });

async function newTenant(db: Db, name: string): Promise<string> {
  const [tenant] = await db.insert(tenants).values({ name }).returning();
  if (!tenant) throw new Error("tenant not created");
  return tenant.id;
}

describe.each(testDrivers)("loadDemoData (%s)", (kind) => {
  let t: TestDb;
  let tenantId: string;
  let summary: DemoSummary;

  beforeAll(async () => {
    t = await createTestDb(kind);
    tenantId = await newTenant(t.db, "Test");
    summary = await loadDemoData(t.db, { tenantId, now, encryptionKey });
  });
  afterAll(() => t.cleanup());

  it("reports the rows it wrote", async () => {
    const { skipped, ...counts } = summary;
    expect(skipped).toBe(false);
    expect(await countRows(t.db, tenantId)).toEqual(counts);
    expect(counts.subscribers).toBeGreaterThanOrEqual(250);
    expect(counts.numbers).toBe(3);
    expect(counts.webhookEvents).toBeGreaterThan(0);
    expect(counts.conversions).toBeGreaterThan(0);
  });

  it("marks every row it writes as demo", async () => {
    expect(await countDemoRows(t.db, tenantId)).toEqual(await countRows(t.db, tenantId));
  });

  it("marks the tenant as loaded and sets the segment variables", async () => {
    const [tenant] = await t.db.select().from(tenants).where(eq(tenants.id, tenantId));
    expect(tenant?.demoLoadedAt?.getTime()).toBe(now.getTime());
    expect(tenant?.segmentVariables.acting?.instructor_name).toBe("Казбек Меретуков");
    expect(tenant?.segmentVariables.oratory?.course_name).toBe("Ораторское искусство");
  });

  it("attributes some conversations to ads and leaves others organic", async () => {
    const [withClid] = await t.db
      .select({ n: count() })
      .from(conversations)
      .where(and(eq(conversations.tenantId, tenantId), isNotNull(conversations.ctwaClid)));
    const [withoutClid] = await t.db
      .select({ n: count() })
      .from(conversations)
      .where(and(eq(conversations.tenantId, tenantId), isNull(conversations.ctwaClid)));
    expect(withClid?.n).toBeGreaterThan(0);
    expect(withoutClid?.n).toBeGreaterThan(0);
  });

  it("caches every ad its conversations came from, named as the enrichment job leaves it", async () => {
    const cached = await t.db.select().from(ads).where(eq(ads.tenantId, tenantId));
    const adConversations = await t.db
      .select()
      .from(conversations)
      .where(and(eq(conversations.tenantId, tenantId), eq(conversations.sourceType, "ad")));
    expect(cached.length).toBe(8);
    expect(new Set(adConversations.map((c) => c.adId))).toEqual(new Set(cached.map((a) => a.adId)));
    const byAd = new Map(cached.map((a) => [a.adId, a]));
    for (const a of cached) {
      expect(a).toMatchObject({ status: "enriched", error: null, adName: expect.any(String), adsetName: expect.any(String), campaignName: expect.any(String) });
      const first = adConversations.filter((c) => c.adId === a.adId).sort((x, y) => x.startedAt.getTime() - y.startedAt.getTime())[0];
      expect(a.firstSeenAt).toEqual(first?.startedAt);
      expect(a.numberId).toBe(first?.numberId);
    }
    for (const c of adConversations) {
      const a = byAd.get(c.adId ?? "");
      expect(c.adId).toBe(c.sourceId);
      expect(c).toMatchObject({
        campaignId: a?.campaignId,
        campaignName: a?.campaignName,
        adsetName: a?.adsetName,
        adName: a?.adName,
        enrichedAt: a?.enrichedAt,
        enrichmentError: null,
      });
    }
  });

  it("keeps first and last touch as ingestion does: referral conversations only", async () => {
    const subs = await t.db.select().from(subscribers).where(eq(subscribers.tenantId, tenantId));
    const convs = await t.db.select().from(conversations).where(eq(conversations.tenantId, tenantId)).orderBy(asc(conversations.startedAt));
    let organic = 0;
    for (const s of subs) {
      const referred = convs.filter((c) => c.subscriberId === s.id && c.sourceType !== null);
      const first = referred[0];
      if (!first) organic += 1;
      expect(s, s.id).toMatchObject({
        firstTouchConversationId: first?.id ?? null,
        lastTouchConversationId: referred.at(-1)?.id ?? null,
        firstTouchSource: first?.sourceType ?? null,
        firstTouchAdId: first?.adId ?? null,
        firstTouchCampaignId: first?.campaignId ?? null,
        hasClickId: referred.some((c) => c.ctwaClid !== null),
      });
    }
    expect(organic).toBeGreaterThan(0);
  });

  it("groups the attribution report under named campaigns, ad sets and ads, with conversions on their ads", async () => {
    const report = await attributionReport(t.db, { tenantId, from: "2025-09-01", to: "2025-11-03" });
    expect(report.campaigns.map((c) => c.name).sort()).toEqual(
      ["Ораторское искусство | CTWA | РФ", "Ретаргетинг | Instagram | все курсы", "Актёрское мастерство | CTWA | Москва"].sort(),
    );
    for (const c of report.campaigns) {
      for (const s of c.adsets) {
        expect(s.name).toEqual(expect.any(String));
        for (const a of s.ads) expect(a.name).toEqual(expect.any(String));
      }
    }
    const [attributed] = await t.db
      .select({ n: count() })
      .from(conversions)
      .where(and(eq(conversions.tenantId, tenantId), isNotNull(conversions.conversationId)));
    const failed = (
      await t.db
        .select()
        .from(conversions)
        .where(and(eq(conversions.tenantId, tenantId), eq(conversions.status, "failed")))
    ).length;
    expect(Object.values(report.total.events).reduce((a, b) => a + b, 0)).toBe((attributed?.n ?? 0) - failed);
  });

  it("finds the ad-attributed subscribers by Source = Ad click, campaign and ad", async () => {
    const list = (raw: Record<string, string>) => listSubscribers(t.db, { tenantId, filters: subscriberFiltersSchema.parse(raw), limit: 500, now });
    const byAd = await list({ source: "ad" });
    expect(byAd.rows.length).toBeGreaterThan(50);
    expect(byAd.rows.every((r) => r.firstTouch?.sourceType === "ad" && r.firstTouch.campaignName)).toBe(true);
    const campaignId = byAd.rows[0]?.subscriber.firstTouchCampaignId ?? "";
    const byCampaign = await list({ campaign: campaignId });
    expect(byCampaign.rows.length).toBe(byAd.rows.filter((r) => r.subscriber.firstTouchCampaignId === campaignId).length);
    const adId = byAd.rows[0]?.firstTouch?.adId ?? "";
    expect((await list({ ad: adId })).rows.every((r) => r.firstTouch?.adId === adId)).toBe(true);
    expect((await list({ source: "organic" })).rows.length).toBeGreaterThan(0);
  });

  it("creates every drip template of seed 003 with its delay and segment", async () => {
    const rows = await t.db.select().from(templates).where(eq(templates.tenantId, tenantId));
    const byName = new Map(rows.map((r) => [r.name, r]));
    const expected: [string, number, string | null][] = [
      ["welcome", 0, null],
      ["day1_acting", 1, "acting"],
      ["day1_oratory", 1, "oratory"],
      ["day3", 3, null],
      ["day7", 7, null],
      ["day5_case", 5, "oratory"],
    ];
    for (const [name, delayDays, segment] of expected) {
      expect(byName.get(name), name).toMatchObject({ delayDays, segment });
    }
    expect(byName.get("day5_case")?.active).toBe(false);
    expect(byName.get("day7")?.metaTemplate?.name).toBe("course_last_call");
  });

  it("queues exactly one row per enrolled lead and matching active template", async () => {
    const allTemplates = await t.db.select().from(templates).where(eq(templates.tenantId, tenantId));
    const enrolled = await t.db
      .select()
      .from(leads)
      .where(and(eq(leads.tenantId, tenantId), isNotNull(leads.enrolledAt)));
    const queue = await t.db.select().from(outboundMessages).where(eq(outboundMessages.tenantId, tenantId));
    expect(enrolled.length).toBeGreaterThan(0);
    for (const lead of enrolled) {
      const want = allTemplates
        .filter((tpl) => tpl.active && (tpl.segment === null || tpl.segment === lead.segment))
        .map((tpl) => tpl.id)
        .sort();
      const got = queue
        .filter((q) => q.leadId === lead.id)
        .map((q) => q.templateId)
        .sort();
      expect(got).toEqual(want);
    }
    expect(queue.every((q) => enrolled.some((l) => l.id === q.leadId))).toBe(true);
  });

  it("gives the queue a mix of statuses", async () => {
    const rows = await t.db.selectDistinct({ status: outboundMessages.status }).from(outboundMessages).where(eq(outboundMessages.tenantId, tenantId));
    const statuses = rows.map((r) => r.status);
    expect(statuses).toEqual(expect.arrayContaining(["pending", "sent", "failed"]));
    expect(new Set(statuses).size).toBeGreaterThanOrEqual(3);
  });

  it("leaves what a real drip send leaves: one outbound message per sent row of a known subscriber, on its chat and counters", async () => {
    const sent = await t.db
      .select()
      .from(outboundMessages)
      .where(and(eq(outboundMessages.tenantId, tenantId), eq(outboundMessages.status, "sent"), isNotNull(outboundMessages.subscriberId)));
    expect(sent.length).toBeGreaterThan(0);
    const outbound = await t.db
      .select()
      .from(messages)
      .where(and(eq(messages.tenantId, tenantId), eq(messages.direction, "outbound")));
    for (const o of sent) {
      const m = outbound.filter((x) => x.wamid === o.providerMessageId);
      expect(m, o.id).toHaveLength(1);
      expect(m[0]).toMatchObject({ subscriberId: o.subscriberId, numberId: o.numberId, textPreview: o.renderedText, sentAt: o.sentAt, demo: true });
      expect(m[0]!.payload).toMatchObject({ drip_outbound_id: o.id, drip_template_name: o.templateName });
      expect(m[0]!.status).toBe(o.readAt ? "read" : o.deliveredAt ? "delivered" : "sent");
    }
    expect(outbound.filter((m) => m.payload?.drip_outbound_id)).toHaveLength(sent.length);
    const subs = await t.db.select().from(subscribers).where(eq(subscribers.tenantId, tenantId));
    for (const s of subs) {
      const own = outbound.filter((m) => m.subscriberId === s.id);
      expect(s.outboundCount, s.id).toBe(own.length);
      const last = own.reduce<(typeof own)[number] | null>((a, m) => (!a || m.providerTimestamp >= a.providerTimestamp ? m : a), null);
      expect(s.lastOutboundAt, s.id).toEqual(last?.providerTimestamp ?? null);
    }
    const lastIds = new Set((await t.db.select({ id: chats.lastMessageId }).from(chats).where(eq(chats.tenantId, tenantId))).map((c) => c.id));
    expect(outbound.some((m) => m.payload?.drip_outbound_id && lastIds.has(m.id))).toBe(true);
  });

  it("keeps each subscriber's inbound counter equal to its inbound messages", async () => {
    const counts = await t.db
      .select({ subscriberId: messages.subscriberId, n: count() })
      .from(messages)
      .where(and(eq(messages.tenantId, tenantId), eq(messages.direction, "inbound")))
      .groupBy(messages.subscriberId);
    const byId = new Map(counts.map((c) => [c.subscriberId, c.n]));
    const subs = await t.db.select({ id: subscribers.id, inboundCount: subscribers.inboundCount }).from(subscribers).where(eq(subscribers.tenantId, tenantId));
    for (const s of subs) expect(s.inboundCount, s.id).toBe(byId.get(s.id) ?? 0);
  });

  it("skips a second load and writes nothing", async () => {
    const before = await countRows(t.db, tenantId);
    const again = await loadDemoData(t.db, { tenantId, now: new Date(now.getTime() + 60_000), encryptionKey });
    expect(again.skipped).toBe(true);
    expect(again.subscribers).toBe(0);
    expect(await countRows(t.db, tenantId)).toEqual(before);
  });

  it("loads into a second tenant without unique collisions", async () => {
    const other = await newTenant(t.db, "Second");
    const result = await loadDemoData(t.db, { tenantId: other, now, encryptionKey });
    expect(result.skipped).toBe(false);
    const { skipped: _skipped, ...counts } = result;
    expect(await countRows(t.db, other)).toEqual(counts);
    expect(counts).toEqual(await countRows(t.db, tenantId));
  });
});
