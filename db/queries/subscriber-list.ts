// The subscriber list: every filter of the console in one query, keyset-paginated in either sort order.
// Each selective filter has an index in list order (schema.ts), so a page reads about `limit` rows.
import { type SQL, and, eq, gte, isNotNull, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import type { Db } from "../client";
import { conversations, subscribers } from "../schema";
import type { SubscriberRow } from "./subscribers";

export type SubscriberListQuery = {
  tenantId: string;
  search?: { kind: "phone"; digits: string } | { kind: "name"; text: string } | null;
  waPhone?: string;
  userId?: string;
  numberId?: string;
  status?: string;
  lifecycle?: string;
  source?: "ad" | "post" | "organic";
  campaignId?: string;
  adId?: string;
  hasClickId?: boolean;
  firstSeenFrom?: Date; // inclusive
  firstSeenBefore?: Date; // exclusive
  window?: "open" | "closed";
  /** the lifecycle score from `atLeast` (inclusive) to `below` (exclusive); with no `atLeast`, a score not known yet counts as 0 */
  score?: { atLeast?: number; below?: number };
  sort: "last_inbound" | "first_seen";
  cursor?: { at: Date | null; id: string };
  limit: number;
  now: Date;
};

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The WHERE of a list query, without the cursor or the sort. */
export function subscriberListWhere(q: Omit<SubscriberListQuery, "sort" | "cursor" | "limit">): SQL {
  const s = subscribers;
  const conds: (SQL | undefined)[] = [eq(s.tenantId, q.tenantId)];
  if (q.search?.kind === "phone") {
    conds.push(or(sql`${s.waPhone} like ${`+${q.search.digits}%`}`, sql`${s.waId} like ${`${q.search.digits}%`}`));
  } else if (q.search?.kind === "name") {
    const pattern = `%${likeEscape(q.search.text)}%`;
    conds.push(or(sql`${s.profileName} ilike ${pattern}`, sql`${s.username} ilike ${pattern}`));
  }
  if (q.waPhone) conds.push(eq(s.waPhone, q.waPhone));
  if (q.userId) conds.push(eq(s.userId, q.userId));
  if (q.numberId) conds.push(eq(s.numberId, q.numberId));
  if (q.status) conds.push(eq(s.status, q.status as never));
  if (q.lifecycle) conds.push(eq(s.lifecycleState, q.lifecycle as never));
  if (q.source === "organic") conds.push(isNull(s.firstTouchConversationId));
  else if (q.source) conds.push(eq(s.firstTouchSource, q.source));
  if (q.campaignId) conds.push(eq(s.firstTouchCampaignId, q.campaignId));
  if (q.adId) conds.push(eq(s.firstTouchAdId, q.adId));
  if (q.hasClickId !== undefined) conds.push(eq(s.hasClickId, q.hasClickId));
  if (q.firstSeenFrom) conds.push(gte(s.firstSeenAt, q.firstSeenFrom));
  if (q.firstSeenBefore) conds.push(lt(s.firstSeenAt, q.firstSeenBefore));
  if (q.window === "open") conds.push(sql`${s.conversationExpiresAt} > ${q.now.toISOString()}::timestamptz`);
  if (q.window === "closed") conds.push(or(isNull(s.conversationExpiresAt), lte(s.conversationExpiresAt, q.now)));
  if (q.score) conds.push(...scoreConditions(q.score));
  return and(...conds)!;
}

/**
 * The score bounds as literals, not parameters: the planner proves a partial index's predicate only from constants
 * (subscribers_tenant_score_last_inbound_idx holds scores of 30 and up, so `>= 30` or `>= 60` reads it in list order).
 */
function scoreConditions({ atLeast, below }: { atLeast?: number; below?: number }): SQL[] {
  const literal = (n: number) => {
    if (!Number.isInteger(n)) throw new Error(`A score bound must be a whole number: ${n}`);
    return sql.raw(String(n));
  };
  const s = subscribers;
  const conds: SQL[] = [];
  if (atLeast !== undefined) conds.push(sql`${s.lifecycleScore} >= ${literal(atLeast)}`);
  if (below !== undefined)
    conds.push(atLeast === undefined ? sql`coalesce(${s.lifecycleScore}, 0) < ${literal(below)}` : sql`${s.lifecycleScore} < ${literal(below)}`);
  return conds;
}

// the id first: drizzle decides a left-joined object is null by its first column, which must never be null
const firstTouchColumns = {
  id: conversations.id,
  sourceType: conversations.sourceType,
  headline: conversations.headline,
  adId: conversations.adId,
  adName: conversations.adName,
  campaignName: conversations.campaignName,
  ctwaClid: conversations.ctwaClid,
  utmCampaign: conversations.utmCampaign,
  mediaType: conversations.mediaType,
  thumbnailUrl: conversations.thumbnailUrl,
  imageUrl: conversations.imageUrl,
};

export type FirstTouchSummary = { [K in keyof typeof firstTouchColumns]: string | null } & { id: string };
export type SubscriberListRow = { subscriber: SubscriberRow; firstTouch: FirstTouchSummary | null };

function selectPage(db: Db, where: SQL, order: SQL, limit: number) {
  return db
    .select({ subscriber: subscribers, firstTouch: firstTouchColumns })
    .from(subscribers)
    .leftJoin(conversations, eq(conversations.id, subscribers.firstTouchConversationId))
    .where(where)
    .orderBy(order)
    .limit(limit) as unknown as Promise<SubscriberListRow[]>;
}

/**
 * One page (`limit + 1` rows, so the caller knows whether there is a next page). By last inbound,
 * subscribers who never wrote (Gupshup opt-ins) come after everyone else: the page is read from the
 * dated rows first, then, if it is not full, from the undated ones, each in index order.
 */
export async function listSubscriberPage(db: Db, q: SubscriberListQuery): Promise<SubscriberListRow[]> {
  const s = subscribers;
  const where = subscriberListWhere(q);
  const want = q.limit + 1;
  // A name search reads its matches through the trigram indexes and sorts them: ordering by an expression
  // keeps the planner from walking the list index in the hope of meeting matches early, which for a rare
  // name means reading most of the table. (`+ interval '0 s'` changes no value, only the plan.)
  const byName = q.search?.kind === "name";
  const key = (column: PgColumn) => (byName ? sql`(${column} + interval '0 seconds')` : sql`${column}`);
  if (q.sort === "first_seen") {
    const after = q.cursor?.at ? sql`(${s.firstSeenAt}, ${s.id}) < (${q.cursor.at.toISOString()}::timestamptz, ${q.cursor.id}::uuid)` : undefined;
    return selectPage(db, and(where, after)!, sql`${key(s.firstSeenAt)} desc nulls last, ${s.id} desc nulls last`, want);
  }
  const rows: SubscriberListRow[] = [];
  if (!q.cursor || q.cursor.at) {
    const after = q.cursor?.at ? sql`(${s.lastInboundAt}, ${s.id}) < (${q.cursor.at.toISOString()}::timestamptz, ${q.cursor.id}::uuid)` : undefined;
    rows.push(
      ...(await selectPage(db, and(where, isNotNull(s.lastInboundAt), after)!, sql`${key(s.lastInboundAt)} desc nulls last, ${s.id} desc nulls last`, want)),
    );
  }
  if (rows.length < want) {
    const after = q.cursor && !q.cursor.at ? lt(s.id, q.cursor.id) : undefined;
    rows.push(...(await selectPage(db, and(where, isNull(s.lastInboundAt), after)!, sql`${s.id} desc nulls last`, want - rows.length))); // the undated few (~1 %)
  }
  return rows;
}
