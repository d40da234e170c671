// The subscriber list for the console, the API and the export: filters → one keyset page.
import type { Db } from "@/db/client";
import { type SubscriberListQuery, type SubscriberListRow, listSubscriberPage } from "@/db/queries/subscriber-list";
import { dayEnd, dayStart } from "@/lib/query-params";
import { SCORE_BANDS } from "./lifecycle-score";
import { type SubscriberFilters, decodeListCursor, encodeListCursor, parseSubscriberSearch } from "./list-filters";
import { subscriberJson } from "./serialize";

/** The database query for a set of filters (dates are whole UTC days, `to` inclusive). */
export function toListQuery(tenantId: string, f: SubscriberFilters, now: Date): Omit<SubscriberListQuery, "cursor" | "limit"> {
  return {
    tenantId,
    now,
    sort: f.sort,
    search: parseSubscriberSearch(f.q),
    waPhone: f.waPhone,
    userId: f.userId,
    numberId: f.number,
    status: f.status,
    lifecycle: f.lifecycle,
    source: f.source,
    campaignId: f.campaign,
    adId: f.ad,
    hasClickId: f.clickId === undefined ? undefined : f.clickId === "yes",
    firstSeenFrom: f.from ? dayStart(f.from) : undefined,
    firstSeenBefore: f.to ? dayEnd(f.to) : undefined,
    window: f.window,
    score: f.score ? { atLeast: SCORE_BANDS[f.score].atLeast, below: SCORE_BANDS[f.score].below } : undefined,
  };
}

export type SubscriberListPage = { rows: SubscriberListRow[]; nextCursor: string | null };

export async function listSubscribers(
  db: Db,
  { tenantId, filters, cursor, limit, now }: { tenantId: string; filters: SubscriberFilters; cursor?: string; limit: number; now: Date },
): Promise<SubscriberListPage> {
  const query = toListQuery(tenantId, filters, now);
  const rows = await listSubscriberPage(db, { ...query, cursor: cursor ? decodeListCursor(cursor) : undefined, limit });
  if (rows.length <= limit) return { rows, nextCursor: null };
  const page = rows.slice(0, limit);
  const last = page[page.length - 1]!.subscriber;
  return { rows: page, nextCursor: encodeListCursor({ at: filters.sort === "first_seen" ? last.firstSeenAt : last.lastInboundAt, id: last.id }) };
}

/** A list row as the API returns it: the seeds/000 subscriber plus a summary of the first touch. */
export function subscriberListJson({ subscriber, firstTouch }: SubscriberListRow) {
  return { ...subscriberJson(subscriber), firstTouch };
}
