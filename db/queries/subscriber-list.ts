// The subscriber list: every filter of the console in one query, keyset-paginated in either sort order.
// Each selective filter has an index in list order (schema.ts), so a page reads about `limit` rows.
import { type SQL, and, eq, gte, isNotNull, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import type { Db } from "../client";
import { rowsOf } from "../migrations-info";
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
  /** how many rows of the list a name search walks before it reads its matches from the trigram indexes (tests make it small) */
  nameWalkRows?: number;
};

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** A name search: the text anywhere in the profile name or the username, in any case, its % _ \\ literal. */
function nameMatch(text: string): SQL {
  const pattern = `%${likeEscape(text)}%`;
  return or(sql`${subscribers.profileName} ilike ${pattern}`, sql`${subscribers.username} ilike ${pattern}`)!;
}

/** The WHERE of a list query, without the cursor or the sort. */
export function subscriberListWhere(q: Omit<SubscriberListQuery, "sort" | "cursor" | "limit">): SQL {
  const s = subscribers;
  const conds: (SQL | undefined)[] = [eq(s.tenantId, q.tenantId)];
  if (q.search?.kind === "phone") {
    conds.push(or(sql`${s.waPhone} like ${`+${q.search.digits}%`}`, sql`${s.waId} like ${`${q.search.digits}%`}`));
  } else if (q.search?.kind === "name") {
    conds.push(nameMatch(q.search.text));
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
 * How many rows of the list a name search walks in list order, testing the name on each, before it reads its
 * matches from the trigram indexes instead. A name that 1 in 100 of the listed subscribers carry fills a page within
 * the walk (50 "Priya"s are ~2,200 rows of the list, however many there are and however deep the page); a rarer one
 * has few enough matches (under ~10,000 in a million) for the trigram indexes to fetch and sort them all. Their
 * cost grows with the matches, the walk's with their scarcity: a page costs at most about this walk plus that read.
 */
export const NAME_WALK_ROWS = 5_000;

/**
 * One stretch of the list in index order: the list's WHERE and the stretch's part of it, the cursor, the columns it is
 * sorted by, and the list's rows that follow it (by last inbound, the undated ones follow the dated ones).
 */
type Stretch = { where: SQL; part?: SQL; after?: SQL; keys: PgColumn[]; then?: SQL };

const descending = (columns: (PgColumn | SQL)[]) =>
  sql.join(
    columns.map((c) => sql`${c} desc nulls last`),
    sql`, `,
  );

/**
 * `want` rows of a stretch. Without a name search: one read of the stretch's index. With one: a walk first (the
 * stretch's rows in index order from the cursor, at most `walkRows`, the name tested on each); if the walk ends
 * before the page is full, the rest are the matches after its last row (and in the rows that follow the stretch),
 * read through the trigram indexes and sorted. `final`: the rows that follow the stretch were read too.
 */
async function readStretch(db: Db, stretch: Stretch, name: SQL | null, want: number, walkRows: number): Promise<{ rows: SubscriberListRow[]; final: boolean }> {
  const s = subscribers;
  const order = descending(stretch.keys);
  const where = and(stretch.where, stretch.part, stretch.after)!;
  if (!name) return { rows: await selectPage(db, where, order, want), final: false };
  // the walk: its matches keep their index order through the outer query (no sort), which stops at the page's last one
  const columns = stretch.keys.map((c, i) => sql`${c} as ${sql.identifier(`k${i}`)}`);
  const walked = descending(stretch.keys.map((_, i) => sql`w.${sql.identifier(`k${i}`)}`));
  const hits = rowsOf<{ id: string }>(
    await db.execute(sql`select w.id from (
        select ${s.id} as id, ${sql.join(columns, sql`, `)}, ${name} as hit from ${s} where ${where} order by ${order} limit ${walkRows}
      ) w where w.hit order by ${walked} limit ${want}`),
  ).map((r) => r.id);
  if (hits.length >= want) return { rows: await pageOf(db, stretch.where, hits), final: false };
  // The rest: matches after the walk's last row (none if the stretch ended first), their ids sorted by an expression,
  // which keeps the planner from walking the list index again in the hope of meeting matches early: for a rare name
  // that means reading most of the table (`+ interval '0 seconds'` changes no value, only the plan).
  const keys = sql.join(stretch.keys, sql`, `);
  const last = sql`(select ${keys} from ${s} where ${where} order by ${order} offset ${walkRows - 1} limit 1)`;
  const beyond = and(stretch.part, sql`(${keys}) < ${last}`)!;
  const sortKeys = stretch.keys.map((c) => (c === s.id ? c : sql`(${c} + interval '0 seconds')`));
  const rest = await db
    .select({ id: s.id })
    .from(s)
    .where(and(stretch.where, name, stretch.then ? or(beyond, stretch.then) : beyond))
    .orderBy(descending(sortKeys))
    .limit(want - hits.length);
  return { rows: await pageOf(db, stretch.where, [...hits, ...rest.map((r) => r.id)]), final: true };
}

/** The list rows of these subscribers (ids in list order), in that order. */
async function pageOf(db: Db, where: SQL, ids: string[]): Promise<SubscriberListRow[]> {
  if (!ids.length) return [];
  const rows = await selectPage(db, and(where, sql`${subscribers.id} = any(${`{${ids.join(",")}}`}::uuid[])`)!, sql`${subscribers.id}`, ids.length);
  const byId = new Map(rows.map((r) => [r.subscriber.id, r]));
  return ids.flatMap((id) => byId.get(id) ?? []); // (one deleted since is left out)
}

/**
 * One page (`limit + 1` rows, so the caller knows whether there is a next page). By last inbound,
 * subscribers who never wrote (Gupshup opt-ins) come after everyone else: the page is read from the
 * dated rows first, then, if it is not full, from the undated ones, each in index order.
 */
export async function listSubscriberPage(db: Db, q: SubscriberListQuery): Promise<SubscriberListRow[]> {
  const s = subscribers;
  const name = q.search?.kind === "name" ? nameMatch(q.search.text) : null;
  const where = subscriberListWhere({ ...q, search: name ? null : q.search });
  const want = q.limit + 1;
  const walkRows = q.nameWalkRows ?? NAME_WALK_ROWS;
  if (q.sort === "first_seen") {
    const after = q.cursor?.at ? sql`(${s.firstSeenAt}, ${s.id}) < (${q.cursor.at.toISOString()}::timestamptz, ${q.cursor.id}::uuid)` : undefined;
    return (await readStretch(db, { where, after, keys: [s.firstSeenAt, s.id] }, name, want, walkRows)).rows;
  }
  const rows: SubscriberListRow[] = [];
  if (!q.cursor || q.cursor.at) {
    const after = q.cursor?.at ? sql`(${s.lastInboundAt}, ${s.id}) < (${q.cursor.at.toISOString()}::timestamptz, ${q.cursor.id}::uuid)` : undefined;
    const dated = { where, part: isNotNull(s.lastInboundAt), after, keys: [s.lastInboundAt, s.id], then: isNull(s.lastInboundAt) };
    const read = await readStretch(db, dated, name, want, walkRows);
    rows.push(...read.rows);
    if (read.final) return rows;
  }
  if (rows.length < want) {
    const after = q.cursor && !q.cursor.at ? lt(s.id, q.cursor.id) : undefined;
    const undated = { where, part: isNull(s.lastInboundAt), after, keys: [s.id] }; // the undated few (~1 %)
    rows.push(...(await readStretch(db, undated, name, want - rows.length, walkRows)).rows);
  }
  return rows;
}
