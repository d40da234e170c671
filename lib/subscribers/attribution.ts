// The attribution report (/attribution and its CSV): for a date range, conversations started from ads
// per campaign → ad set → ad, unique subscribers, conversions per event name, value per currency and
// the conversion rate; plus conversations per day by source for the chart. A campaign or ad filter
// narrows all of it (table, chart and CSV) to that campaign's or ad's conversations.
import { z } from "zod";
import type { Db } from "@/db/client";
import { type AdConversionRow, type AdReportRow, conversationsPerDay, conversionsByAd, reportByAd } from "@/db/queries/attribution";
import { csvCell } from "./export";
import { metaIdSchema, optionalParam } from "./list-filters";
import { dayEnd, dayStart, utcDaySchema } from "@/lib/query-params";

const DAY_MS = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

export const attributionParamsSchema = z
  .object({ from: utcDaySchema.optional(), to: utcDaySchema.optional(), campaign: optionalParam(metaIdSchema), ad: optionalParam(metaIdSchema) })
  .refine((p) => !p.from || !p.to || p.from <= p.to, { message: "The start date is after the end date", path: ["to"] })
  .refine((p) => !p.from || !p.to || Date.parse(p.to) - Date.parse(p.from) <= 366 * DAY_MS, { message: "Choose at most a year", path: ["from"] });

/** `format` of GET /api/v1/attribution: the JSON report (default) or its CSV download. */
export const attributionFormatSchema = z.object({ format: z.enum(["json", "csv"]).default("json") });

/** The range as whole UTC days, `to` inclusive; the default is the last 30 days up to today. */
export function resolveRange(p: z.output<typeof attributionParamsSchema>, now: Date) {
  const to = p.to ?? isoDay(now);
  const from = p.from ?? isoDay(new Date(Date.parse(`${to}T00:00:00Z`) - 29 * DAY_MS));
  return { from, to, start: dayStart(from), end: dayEnd(to) };
}

export type Totals = {
  conversations: number;
  subscribers: number;
  converted: number;
  rate: number; // converted ÷ conversations
  events: Record<string, number>;
  value: Record<string, number>; // per currency
};
export type AdLine = { id: string; name: string | null; headline: string | null; thumbnailUrl: string | null; totals: Totals };
export type AdsetLine = { id: string | null; name: string | null; totals: Totals; ads: AdLine[] };
export type CampaignLine = { id: string | null; name: string | null; totals: Totals; adsets: AdsetLine[] };
export type DayPoint = { day: string; ad: number; post: number; organic: number; other: number };

function totalsOf(row: AdReportRow | undefined, conversions: AdConversionRow[]): Totals {
  const events: Record<string, number> = {};
  const value: Record<string, number> = {};
  for (const c of conversions) {
    events[c.eventName] = (events[c.eventName] ?? 0) + c.count;
    if (c.currency) value[c.currency] = Math.round(((value[c.currency] ?? 0) + c.value) * 100) / 100;
  }
  const conversations = row?.conversations ?? 0;
  const converted = row?.converted ?? 0;
  return { conversations, subscribers: row?.subscribers ?? 0, converted, rate: conversations > 0 ? converted / conversations : 0, events, value };
}

export type AttributionQuery = { tenantId: string; from: string; to: string; campaign?: string; ad?: string };

export async function attributionReport(db: Db, { tenantId, from, to, campaign, ad }: AttributionQuery) {
  const range = { tenantId, from: dayStart(from), to: dayEnd(to), campaignId: campaign, adId: ad };
  const [rows, conversions, perDay] = await Promise.all([reportByAd(db, range), conversionsByAd(db, range), conversationsPerDay(db, range)]);
  const adsByKey = new Map<string, string>(); // ad id → "campaign|adset" it was rolled up under
  const convOf = (pick: (adKey: string) => boolean) => conversions.filter((c) => pick(adsByKey.get(c.adId) ?? ""));
  for (const r of rows) if (r.level === "ad" && r.adId) adsByKey.set(r.adId, `${r.campaignId ?? ""}|${r.adsetId ?? ""}`);

  const campaigns: CampaignLine[] = rows
    .filter((r) => r.level === "campaign")
    .map((c) => ({
      id: c.campaignId,
      name: c.campaignName,
      totals: totalsOf(
        c,
        convOf((k) => k.split("|")[0] === (c.campaignId ?? "")),
      ),
      adsets: rows
        .filter((s) => s.level === "adset" && s.campaignId === c.campaignId)
        .map((s) => ({
          id: s.adsetId,
          name: s.adsetName,
          totals: totalsOf(
            s,
            convOf((k) => k === `${c.campaignId ?? ""}|${s.adsetId ?? ""}`),
          ),
          ads: rows
            .filter((a) => a.level === "ad" && a.campaignId === c.campaignId && a.adsetId === s.adsetId && a.adId)
            .map((a) => ({
              id: a.adId!,
              name: a.adName,
              headline: a.headline,
              thumbnailUrl: a.thumbnailUrl,
              totals: totalsOf(
                a,
                conversions.filter((v) => v.adId === a.adId),
              ),
            })),
        })),
    }));
  const total = totalsOf(
    rows.find((r) => r.level === "total"),
    conversions,
  );
  const days = new Map<string, DayPoint>();
  for (let t = range.from.getTime(); t < range.to.getTime(); t += DAY_MS)
    days.set(isoDay(new Date(t)), { day: isoDay(new Date(t)), ad: 0, post: 0, organic: 0, other: 0 });
  for (const p of perDay) {
    const point = days.get(p.day);
    if (point) point[p.source] += p.conversations;
  }
  const eventNames = [...new Set(conversions.map((c) => c.eventName))].sort();
  const currencies = [...new Set(conversions.flatMap((c) => (c.currency ? [c.currency] : [])))].sort();
  return { from, to, campaign: campaign ?? null, ad: ad ?? null, campaigns, total, daily: [...days.values()], eventNames, currencies };
}
export type AttributionReport = Awaited<ReturnType<typeof attributionReport>>;

/** The report as CSV lines: one row per ad, ad set and campaign (level column), then the total. */
export function attributionCsv(report: AttributionReport): string {
  const head = [
    "level",
    "campaign_id",
    "campaign",
    "adset_id",
    "adset",
    "ad_id",
    "ad",
    "conversations",
    "unique_subscribers",
    "converted",
    "conversion_rate",
    ...report.eventNames.map((e) => `events_${e}`),
    ...report.currencies.map((c) => `value_${c}`),
  ];
  const line = (level: string, ids: (string | null)[], t: Totals) =>
    [
      level,
      ...ids,
      t.conversations,
      t.subscribers,
      t.converted,
      t.rate.toFixed(4),
      ...report.eventNames.map((e) => t.events[e] ?? 0),
      ...report.currencies.map((c) => t.value[c] ?? 0),
    ]
      .map(csvCell)
      .join(",");
  const out = [head.join(",")];
  for (const c of report.campaigns) {
    out.push(line("campaign", [c.id, c.name, null, null, null, null], c.totals));
    for (const s of c.adsets) {
      out.push(line("adset", [c.id, c.name, s.id, s.name, null, null], s.totals));
      for (const a of s.ads) out.push(line("ad", [c.id, c.name, s.id, s.name, a.id, a.name ?? a.headline], a.totals));
    }
  }
  out.push(line("total", [null, null, null, null, null, null], report.total));
  return `${out.join("\r\n")}\r\n`;
}
