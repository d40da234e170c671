// The attribution report: conversations started in a date range, per campaign → ad set → ad, with the
// conversions attributed to them; and conversations per day by source for the chart. Both read the
// range from conversations_tenant_started_idx.
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { rowsOf } from "../migrations-info";

/** `to` exclusive; `campaignId` / `adId` narrow the report to one campaign (by the ads cache) or one ad. */
export type AttributionRange = { tenantId: string; from: Date; to: Date; campaignId?: string; adId?: string };

/** The range's conversations of one ad, or of the ads the cache files under one campaign (ads_tenant_campaign_idx). */
function adScope({ tenantId, campaignId, adId }: AttributionRange) {
  return sql`${adId ? sql` and c.ad_id = ${adId}` : sql``}${
    campaignId ? sql` and c.ad_id in (select a2.ad_id from ads a2 where a2.tenant_id = ${tenantId} and a2.campaign_id = ${campaignId})` : sql``
  }`;
}

export type ReportLevel = "ad" | "adset" | "campaign" | "total";

export type AdReportRow = {
  level: ReportLevel;
  campaignId: string | null;
  campaignName: string | null;
  adsetId: string | null;
  adsetName: string | null;
  adId: string | null;
  adName: string | null;
  headline: string | null;
  thumbnailUrl: string | null; // Meta's thumbnail_url (video) or image_url (photo) of the creative, as last sent
  conversations: number;
  subscribers: number; // distinct at each level (one person clicking two ads of a campaign counts once there)
  converted: number; // conversations with at least one conversion (failed deliveries excluded)
};

const LEVELS: Record<number, ReportLevel> = { 0: "ad", 1: "adset", 3: "campaign", 7: "total" };

/**
 * Ad conversations of the range, rolled up ad → ad set → campaign → total in one pass (GROUPING SETS). The
 * range is read by an index-only scan (conversations_tenant_started_report_idx); the hierarchy and the names
 * come from the small `ads` cache, the headline from one conversation per ad and the creative's picture from its
 * latest conversation that carried one (conversations_tenant_ad_started_idx, read backwards: Meta's links expire).
 */
export async function reportByAd(db: Db, range: AttributionRange): Promise<AdReportRow[]> {
  const { tenantId, from, to } = range;
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      with converted as (
        select distinct conversation_id from conversions where tenant_id = ${tenantId} and conversation_id is not null and status <> 'failed'
      ), ranged as (
        select c.id, c.subscriber_id, c.ad_id, a.campaign_id, a.adset_id
        from conversations c
        left join ads a on a.tenant_id = c.tenant_id and a.ad_id = c.ad_id
        where c.tenant_id = ${tenantId} and c.started_at >= ${from.toISOString()}::timestamptz and c.started_at < ${to.toISOString()}::timestamptz
          and c.ad_id is not null${adScope(range)}
      )
      select grouping(r.campaign_id, r.adset_id, r.ad_id)::int as g, r.campaign_id, r.adset_id, r.ad_id, count(*)::int as conversations,
        count(distinct r.subscriber_id)::int as subscribers, count(k.conversation_id)::int as converted
      from ranged r
      left join converted k on k.conversation_id = r.id
      group by grouping sets ((r.campaign_id, r.adset_id, r.ad_id), (r.campaign_id, r.adset_id), (r.campaign_id), ())
      order by count(*) desc, r.ad_id`),
  );
  const adIds = [...new Set(rows.flatMap((r) => (typeof r.ad_id === "string" ? [r.ad_id] : [])))];
  const names =
    adIds.length === 0
      ? []
      : rowsOf<Record<string, string | null>>(
          await db.execute(sql`
      select a.ad_id, a.ad_name, a.adset_name, a.campaign_name,
        (select c.headline from conversations c where c.tenant_id = a.tenant_id and c.ad_id = a.ad_id and c.headline is not null limit 1) as headline,
        (select coalesce(c.thumbnail_url, c.image_url) from conversations c
          where c.tenant_id = a.tenant_id and c.ad_id = a.ad_id and coalesce(c.thumbnail_url, c.image_url) is not null
          order by c.started_at desc limit 1) as thumbnail_url
      from ads a
      where a.tenant_id = ${tenantId} and a.ad_id = any(array(select jsonb_array_elements_text(${JSON.stringify(adIds)}::jsonb)))`),
        );
  const byAd = new Map(names.map((n) => [n.ad_id as string, n]));
  const campaignName = new Map<string, string>();
  const adsetName = new Map<string, string>();
  for (const r of rows) {
    const n = typeof r.ad_id === "string" ? byAd.get(r.ad_id) : undefined;
    if (n?.campaign_name && typeof r.campaign_id === "string") campaignName.set(r.campaign_id, n.campaign_name);
    if (n?.adset_name && typeof r.adset_id === "string") adsetName.set(r.adset_id, n.adset_name);
  }
  return rows.map((r) => {
    const campaignId = (r.campaign_id as string | null) ?? null;
    const adsetId = (r.adset_id as string | null) ?? null;
    const adId = (r.ad_id as string | null) ?? null;
    const n = adId ? byAd.get(adId) : undefined;
    return {
      level: LEVELS[Number(r.g)] ?? "ad",
      campaignId,
      campaignName: campaignId ? (campaignName.get(campaignId) ?? null) : null,
      adsetId,
      adsetName: adsetId ? (adsetName.get(adsetId) ?? null) : null,
      adId,
      adName: n?.ad_name ?? null,
      headline: n?.headline ?? null,
      thumbnailUrl: n?.thumbnail_url ?? null,
      conversations: Number(r.conversations),
      subscribers: Number(r.subscribers),
      converted: Number(r.converted),
    };
  });
}

export type AdConversionRow = { adId: string; eventName: string; currency: string | null; count: number; value: number };

/** Conversions of the range's ad conversations, per ad, event name and currency (failed deliveries excluded). */
export async function conversionsByAd(db: Db, range: AttributionRange): Promise<AdConversionRow[]> {
  const { tenantId, from, to } = range;
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select c.ad_id, v.event_name, v.currency, count(*)::int as n, coalesce(sum(v.value), 0)::float8 as value
      from conversations c
      join conversions v on v.conversation_id = c.id and v.tenant_id = c.tenant_id
      where c.tenant_id = ${tenantId} and c.started_at >= ${from.toISOString()}::timestamptz and c.started_at < ${to.toISOString()}::timestamptz
        and c.ad_id is not null and v.status <> 'failed'${adScope(range)}
      group by c.ad_id, v.event_name, v.currency`),
  );
  return rows.map((r) => ({
    adId: r.ad_id as string,
    eventName: r.event_name as string,
    currency: (r.currency as string | null) ?? null,
    count: Number(r.n),
    value: Number(r.value),
  }));
}

export type DailySourceRow = { day: string; source: "ad" | "post" | "organic" | "other"; conversations: number };

/** Conversations started per UTC day and source (ad click, post, organic, other referrals). */
export async function conversationsPerDay(db: Db, range: AttributionRange): Promise<DailySourceRow[]> {
  const { tenantId, from, to } = range;
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select to_char(date_trunc('day', c.started_at at time zone 'UTC'), 'YYYY-MM-DD') as day,
        case when c.source_type is null then 'organic' when c.source_type in ('ad', 'post') then c.source_type else 'other' end as source,
        count(*)::int as n
      from conversations c
      where c.tenant_id = ${tenantId} and c.started_at >= ${from.toISOString()}::timestamptz and c.started_at < ${to.toISOString()}::timestamptz${adScope(range)}
      group by 1, 2
      order by 1, 2`),
  );
  return rows.map((r) => ({ day: r.day as string, source: r.source as DailySourceRow["source"], conversations: Number(r.n) }));
}

export type ConversationAd = {
  adId: string;
  adName: string | null;
  adsetName: string | null;
  campaignId: string | null;
  campaignName: string | null;
  headline: string | null;
  thumbnailUrl: string | null;
};

/** The ad of one conversation (a conversion's detail): names from the conversation, else from the ads cache. Null without an ad. */
export async function getConversationAd(db: Db, { tenantId, conversationId }: { tenantId: string; conversationId: string }): Promise<ConversationAd | null> {
  const [row] = rowsOf<Record<string, string | null>>(
    await db.execute(sql`
      select c.ad_id, coalesce(c.ad_name, a.ad_name) as ad_name, coalesce(c.adset_name, a.adset_name) as adset_name,
        coalesce(c.campaign_id, a.campaign_id) as campaign_id, coalesce(c.campaign_name, a.campaign_name) as campaign_name,
        c.headline, coalesce(c.thumbnail_url, c.image_url) as thumbnail_url
      from conversations c
      left join ads a on a.tenant_id = c.tenant_id and a.ad_id = c.ad_id
      where c.tenant_id = ${tenantId} and c.id = ${conversationId} and c.ad_id is not null`),
  );
  if (!row?.ad_id) return null;
  return {
    adId: row.ad_id,
    adName: row.ad_name ?? null,
    adsetName: row.adset_name ?? null,
    campaignId: row.campaign_id ?? null,
    campaignName: row.campaign_name ?? null,
    headline: row.headline ?? null,
    thumbnailUrl: row.thumbnail_url ?? null,
  };
}
