// The home dashboard: the workspace's counts (GET /api/v1/dashboard) and the report of a date range beside
// the previous period of the same length (the console's Dashboard page).
import { z } from "zod";
import type { Db } from "@/db/client";
import {
  type DailyConversations,
  getAdActivity,
  getDailyConversations,
  getDashboardCounts,
  getPeriodConversations,
  getPeriodConversions,
  type PeriodConversionRow,
} from "@/db/queries/stats";
import { dayEnd, dayStart, utcDaySchema } from "@/lib/query-params";
import { optionalParam } from "@/lib/subscribers/list-filters";

export type Dashboard = Awaited<ReturnType<typeof getDashboard>>;

/** Counts for the home dashboard plus a 14-day series (every day present, zero-filled). */
export async function getDashboard(db: Db, { tenantId, now }: { tenantId: string; now: Date }) {
  const since7 = new Date(now.getTime() - 7 * 86_400_000);
  const startOfToday = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const since14 = new Date(startOfToday - 13 * 86_400_000);
  const counts = await getDashboardCounts(db, { tenantId, since: since7 });
  const daily = await getDailyConversations(db, { tenantId, since: since14 });
  const byDay = new Map(daily.map((d) => [d.day, d]));
  const series: DailyConversations[] = Array.from({ length: 14 }, (_, i) => {
    const day = new Date(since14.getTime() + i * 86_400_000).toISOString().slice(0, 10);
    return byDay.get(day) ?? { day, ad: 0, organic: 0 };
  });
  const adShare = counts.conversations7d > 0 ? counts.adConversations7d / counts.conversations7d : null;
  return { counts, adShare, series, generatedAt: now.toISOString() };
}

const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export const DASHBOARD_PRESETS = [7, 30, 90] as const;
const DEFAULT_DAYS = 30;
const TOP = 5;

/** The dashboard's URL: a preset (`days`: 7, 30 or 90) or a custom range (`from`/`to`, whole UTC days, at most a year). */
export const dashboardParamsSchema = z
  .object({
    days: optionalParam(z.enum(["7", "30", "90"], { error: "Choose 7, 30 or 90 days" }).transform(Number)),
    from: optionalParam(utcDaySchema),
    to: optionalParam(utcDaySchema),
  })
  .refine((p) => !p.from || !p.to || p.from <= p.to, { message: "The start date is after the end date", path: ["to"] })
  .refine((p) => !p.from || !p.to || Date.parse(p.to) - Date.parse(p.from) < 366 * DAY_MS, { message: "Choose at most a year", path: ["from"] });
export type DashboardParams = z.output<typeof dashboardParamsSchema>;

export type DashboardRange = {
  from: string; // first UTC day, inclusive
  to: string; // last UTC day, inclusive
  days: number;
  preset: number | null; // 7, 30 or 90 when the range is one of the presets
  previousFrom: string;
  previousTo: string;
};

/**
 * The period shown and the one it is compared with: the same number of days just before. A custom range
 * needs `from` (`to` defaults to today); otherwise a preset ending today (30 days by default).
 */
export function resolveDashboardRange(p: DashboardParams, now: Date): DashboardRange {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const custom = p.from !== undefined;
  const customFrom = Date.parse(`${p.from}T00:00:00Z`);
  const toMs = custom && p.to ? Date.parse(`${p.to}T00:00:00Z`) : custom ? Math.max(today, customFrom) : today;
  // at most a year (a `from` alone, long ago, is cut to the last 366 days up to `to`)
  const fromMs = custom ? Math.max(customFrom, toMs - 365 * DAY_MS) : toMs - ((p.days ?? DEFAULT_DAYS) - 1) * DAY_MS;
  const days = Math.round((toMs - fromMs) / DAY_MS) + 1;
  const preset = !custom || (toMs === today && (DASHBOARD_PRESETS as readonly number[]).includes(days)) ? days : null;
  return { from: isoDay(fromMs), to: isoDay(toMs), days, preset, previousFrom: isoDay(fromMs - days * DAY_MS), previousTo: isoDay(fromMs - DAY_MS) };
}

/** A figure of the period beside the previous period's; `change` is relative (0.25 = +25 %), null when there is nothing to compare with. */
export type Compared = { current: number; previous: number; change: number | null };
const compare = (current: number, previous: number): Compared => ({ current, previous, change: previous > 0 ? (current - previous) / previous : null });

export type RankedAd = { adId: string; name: string | null; campaignId: string | null; campaignName: string | null; conversations: number; revenue: number };
export type RankedCampaign = { campaignId: string | null; name: string | null; ads: number; conversations: number; revenue: number };

const byConversations = <T extends { conversations: number; revenue: number }>(a: T, b: T) => b.conversations - a.conversations || b.revenue - a.revenue;
const byRevenue = <T extends { conversations: number; revenue: number }>(a: T, b: T) => b.revenue - a.revenue || b.conversations - a.conversations;
const round2 = (v: number) => Math.round(v * 100) / 100;

/**
 * The dashboard for a range: conversations, the ad-attributed share, conversions and revenue (per currency),
 * each beside the previous period of the same length; top campaigns and ads by conversations and by revenue
 * (revenue ranked in the range's main currency: the one with the most revenue-bearing conversions, as amounts
 * in different currencies do not add up); conversations per day, ad vs organic, every day present.
 */
export async function getDashboardReport(db: Db, { tenantId, range }: { tenantId: string; range: DashboardRange }) {
  const pair = { tenantId, previousFrom: dayStart(range.previousFrom), from: dayStart(range.from), to: dayEnd(range.to) };
  const [convos, conversionRows, activity, daily] = await Promise.all([
    getPeriodConversations(db, pair),
    getPeriodConversions(db, pair),
    getAdActivity(db, { tenantId, from: pair.from, to: pair.to }),
    getDailyConversations(db, { tenantId, since: pair.from, until: pair.to }),
  ]);
  const sum = (period: "current" | "previous", pick: (r: PeriodConversionRow) => number) =>
    conversionRows.filter((r) => r.period === period).reduce((n, r) => n + pick(r), 0);
  const currencies = [...new Set(conversionRows.flatMap((r) => (r.currency ? [r.currency] : [])))];
  const valued = (c: string, period: "current" | "previous") => conversionRows.find((r) => r.currency === c && r.period === period);
  const revenue = currencies
    .map((currency) => ({ currency, ...compare(round2(valued(currency, "current")?.value ?? 0), round2(valued(currency, "previous")?.value ?? 0)) }))
    .sort((a, b) => (valued(b.currency, "current")?.conversions ?? 0) - (valued(a.currency, "current")?.conversions ?? 0) || b.current - a.current);
  const mainCurrency = revenue.find((r) => r.current > 0)?.currency ?? null;

  const ads: RankedAd[] = activity.map((a) => ({
    adId: a.adId,
    name: a.adName,
    campaignId: a.campaignId,
    campaignName: a.campaignName,
    conversations: a.conversations,
    revenue: mainCurrency ? round2(a.revenue[mainCurrency]?.value ?? 0) : 0,
  }));
  const campaignMap = new Map<string, RankedCampaign>();
  for (const a of ads) {
    const key = a.campaignId ?? "";
    const c = campaignMap.get(key) ?? { campaignId: a.campaignId, name: a.campaignName, ads: 0, conversations: 0, revenue: 0 };
    c.ads += 1;
    c.conversations += a.conversations;
    c.revenue = round2(c.revenue + a.revenue);
    c.name ??= a.campaignName;
    campaignMap.set(key, c);
  }
  const campaigns = [...campaignMap.values()];
  const byDay = new Map(daily.map((d) => [d.day, d]));
  const series: DailyConversations[] = Array.from({ length: range.days }, (_, i) => {
    const day = isoDay(pair.from.getTime() + i * DAY_MS);
    return byDay.get(day) ?? { day, ad: 0, organic: 0 };
  });
  const share = (p: { total: number; ad: number }) => (p.total > 0 ? p.ad / p.total : null);
  const shareNow = share(convos.current);
  const sharePrev = share(convos.previous);
  return {
    range,
    conversations: compare(convos.current.total, convos.previous.total),
    adConversations: compare(convos.current.ad, convos.previous.ad),
    // the share's change is in percentage points (0.05 = +5 points), as a relative change of a share misleads
    adShare: { current: shareNow, previous: sharePrev, change: shareNow !== null && sharePrev !== null ? shareNow - sharePrev : null },
    conversions: compare(
      sum("current", (r) => r.conversions),
      sum("previous", (r) => r.conversions),
    ),
    revenue,
    mainCurrency,
    top: {
      campaignsByConversations: campaigns
        .filter((c) => c.conversations > 0)
        .sort(byConversations)
        .slice(0, TOP),
      campaignsByRevenue: campaigns
        .filter((c) => c.revenue > 0)
        .sort(byRevenue)
        .slice(0, TOP),
      adsByConversations: ads
        .filter((a) => a.conversations > 0)
        .sort(byConversations)
        .slice(0, TOP),
      adsByRevenue: ads
        .filter((a) => a.revenue > 0)
        .sort(byRevenue)
        .slice(0, TOP),
    },
    series,
  };
}
export type DashboardReport = Awaited<ReturnType<typeof getDashboardReport>>;

/** The Dashboard page: the workspace's counts right now and the report of the range. */
export async function getDashboardView(db: Db, { tenantId, range, now }: { tenantId: string; range: DashboardRange; now: Date }) {
  const [counts, report] = await Promise.all([
    getDashboardCounts(db, { tenantId, since: new Date(now.getTime() - 7 * DAY_MS) }),
    getDashboardReport(db, { tenantId, range }),
  ]);
  return { counts, report };
}
