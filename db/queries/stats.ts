import { sql } from "drizzle-orm";
import { rowsOf } from "../migrations-info";
import type { Db } from "../client";
import { conversations, conversions, outboundMessages, subscribers, whatsappNumbers } from "../schema";
import { isOutboundFailure } from "./drip";

export type DashboardCounts = {
  numbers: number;
  activeNumbers: number;
  subscribers: number;
  conversations7d: number;
  adConversations7d: number;
  queuePending: number;
  queueFailed: number;
  conversionsSent: number;
  conversionsFailed: number;
};

// raw sql params are not mapped by column type: pass timestamps as ISO strings (postgres.js
// refuses a Date there; PGlite would accept it, which is why both drivers run the tests)
/** All dashboard counts in one round trip; each sub-select uses a (tenant_id, …) index. */
export async function getDashboardCounts(db: Db, { tenantId, since }: { tenantId: string; since: Date }): Promise<DashboardCounts> {
  const [row] = rowsOf<Record<keyof DashboardCounts, number | string>>(
    await db.execute(sql`
      select
        (select count(*) from ${whatsappNumbers} where ${whatsappNumbers.tenantId} = ${tenantId}) as "numbers",
        (select count(*) from ${whatsappNumbers} where ${whatsappNumbers.tenantId} = ${tenantId} and ${whatsappNumbers.active}) as "activeNumbers",
        (select count(*) from ${subscribers} where ${subscribers.tenantId} = ${tenantId}) as "subscribers",
        c.total as "conversations7d",
        c.ad as "adConversations7d",
        (select count(*) from ${outboundMessages} where ${outboundMessages.tenantId} = ${tenantId} and ${outboundMessages.status} = 'pending') as "queuePending",
        (select count(*) from ${outboundMessages} where ${outboundMessages.tenantId} = ${tenantId} and ${isOutboundFailure()}) as "queueFailed",
        (select count(*) from ${conversions} where ${conversions.tenantId} = ${tenantId} and ${conversions.status} = 'sent') as "conversionsSent",
        (select count(*) from ${conversions} where ${conversions.tenantId} = ${tenantId} and ${conversions.status} in ('failed', 'rejected')) as "conversionsFailed"
      from (
        select count(*) as total, count(*) filter (where ${conversations.sourceType} = 'ad') as ad
        from ${conversations}
        where ${conversations.tenantId} = ${tenantId} and ${conversations.startedAt} >= ${since.toISOString()}
      ) c
    `),
  );
  return Object.fromEntries(Object.entries(row ?? {}).map(([k, v]) => [k, Number(v)])) as DashboardCounts;
}

export type DailyConversations = { day: string; ad: number; organic: number };

/** Conversations started per day (UTC) from `since` (up to `until`, exclusive, when given), split ad vs everything else. */
export async function getDailyConversations(db: Db, { tenantId, since, until }: { tenantId: string; since: Date; until?: Date }) {
  return rowsOf<{ day: string; ad: number | string; organic: number | string }>(
    await db.execute(sql`
      select to_char(date_trunc('day', ${conversations.startedAt} at time zone 'UTC'), 'YYYY-MM-DD') as day,
             count(*) filter (where ${conversations.sourceType} = 'ad') as ad,
             count(*) filter (where ${conversations.sourceType} is distinct from 'ad') as organic
      from ${conversations}
      where ${conversations.tenantId} = ${tenantId} and ${conversations.startedAt} >= ${since.toISOString()}${
        until ? sql` and ${conversations.startedAt} < ${until.toISOString()}` : sql``
      }
      group by 1 order by 1
    `),
  ).map((r) => ({ day: r.day, ad: Number(r.ad), organic: Number(r.organic) }));
}

/** Two back-to-back periods: [previousFrom, from) and [from, to). */
export type PeriodPair = { tenantId: string; previousFrom: Date; from: Date; to: Date };

export type PeriodConversations = { current: { total: number; ad: number }; previous: { total: number; ad: number } };

/** Conversations started in each period, and how many of them from an ad: one index-only range scan (conversations_tenant_started_report_idx). */
export async function getPeriodConversations(db: Db, { tenantId, previousFrom, from, to }: PeriodPair): Promise<PeriodConversations> {
  const [row] = rowsOf<Record<string, number | string>>(
    await db.execute(sql`
      select count(*) filter (where c.started_at >= ${from.toISOString()}::timestamptz) as total,
        count(*) filter (where c.started_at >= ${from.toISOString()}::timestamptz and c.source_type = 'ad') as ad,
        count(*) filter (where c.started_at < ${from.toISOString()}::timestamptz) as prev_total,
        count(*) filter (where c.started_at < ${from.toISOString()}::timestamptz and c.source_type = 'ad') as prev_ad
      from ${conversations} c
      where c.tenant_id = ${tenantId} and c.started_at >= ${previousFrom.toISOString()}::timestamptz and c.started_at < ${to.toISOString()}::timestamptz
    `),
  );
  const n = (k: string) => Number(row?.[k] ?? 0);
  return { current: { total: n("total"), ad: n("ad") }, previous: { total: n("prev_total"), ad: n("prev_ad") } };
}

export type PeriodConversionRow = { period: "current" | "previous"; currency: string | null; conversions: number; value: number };

/**
 * Conversions received in each period per currency (a null currency: events without a value), test events and
 * failed deliveries left out, as in the attribution report. Reads conversions_tenant_created_idx by range.
 */
export async function getPeriodConversions(db: Db, { tenantId, previousFrom, from, to }: PeriodPair): Promise<PeriodConversionRow[]> {
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select (v.created_at >= ${from.toISOString()}::timestamptz) as is_current, v.currency, count(*)::int as n, coalesce(sum(v.value), 0)::float8 as value
      from ${conversions} v
      where v.tenant_id = ${tenantId} and v.created_at >= ${previousFrom.toISOString()}::timestamptz and v.created_at < ${to.toISOString()}::timestamptz
        and v.status <> 'failed' and v.test_code is null
      group by 1, 2
    `),
  );
  return rows.map((r) => ({
    period: r.is_current === true || r.is_current === "t" ? "current" : "previous",
    currency: (r.currency as string | null) ?? null,
    conversions: Number(r.n),
    value: Number(r.value),
  }));
}

export type AdActivityRow = {
  adId: string;
  adName: string | null;
  campaignId: string | null;
  campaignName: string | null;
  conversations: number;
  /** conversions received in the range for this ad's conversations, per currency ("" for events without a value) */
  revenue: Record<string, { conversions: number; value: number }>;
};

/**
 * Per ad, the conversations it started in [from, to) and the conversions received in [from, to) for its
 * conversations (credited to the ad of the conversation they were reported for), with names from the ads cache.
 * Conversations: conversations_tenant_started_report_idx; conversions: conversions_tenant_created_idx, then each
 * one's conversation by primary key; names: ads_tenant_ad_key.
 */
export async function getAdActivity(db: Db, { tenantId, from, to }: { tenantId: string; from: Date; to: Date }): Promise<AdActivityRow[]> {
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      with started as (
        select c.ad_id, count(*)::int as n
        from ${conversations} c
        where c.tenant_id = ${tenantId} and c.started_at >= ${from.toISOString()}::timestamptz and c.started_at < ${to.toISOString()}::timestamptz
          and c.ad_id is not null
        group by c.ad_id
      ), earned as (
        select c.ad_id, coalesce(v.currency, '') as currency, count(*)::int as n, coalesce(sum(v.value), 0)::float8 as value
        from ${conversions} v
        join ${conversations} c on c.id = v.conversation_id and c.tenant_id = v.tenant_id
        where v.tenant_id = ${tenantId} and v.created_at >= ${from.toISOString()}::timestamptz and v.created_at < ${to.toISOString()}::timestamptz
          and v.status <> 'failed' and v.test_code is null and c.ad_id is not null
        group by c.ad_id, 2
      ), touched as (
        select ad_id from started union select ad_id from earned
      )
      select t.ad_id, a.ad_name, a.campaign_id, a.campaign_name, coalesce(s.n, 0) as conversations,
        e.currency, coalesce(e.n, 0) as conversions, coalesce(e.value, 0) as value
      from touched t
      left join started s on s.ad_id = t.ad_id
      left join earned e on e.ad_id = t.ad_id
      left join ads a on a.tenant_id = ${tenantId} and a.ad_id = t.ad_id
    `),
  );
  const byAd = new Map<string, AdActivityRow>();
  for (const r of rows) {
    const adId = r.ad_id as string;
    let ad = byAd.get(adId);
    if (!ad) {
      ad = {
        adId,
        adName: (r.ad_name as string | null) ?? null,
        campaignId: (r.campaign_id as string | null) ?? null,
        campaignName: (r.campaign_name as string | null) ?? null,
        conversations: Number(r.conversations),
        revenue: {},
      };
      byAd.set(adId, ad);
    }
    if (typeof r.currency === "string") ad.revenue[r.currency] = { conversions: Number(r.conversions), value: Number(r.value) };
  }
  return [...byAd.values()];
}
