// The inbox's chat reads and writes: pages of chats (newest activity first, every filter on a chats index) with
// what a row shows joined in one query, one chat by its id or a conversation's, assignment and read marks.
// A chat's messages are read in chat-transcript.ts.
import { type SQL, type SQLWrapper, and, desc, eq, gt, isNull, or, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "../client";
import { chats, conversations, type PROVIDERS, subscribers, users, whatsappNumbers } from "../schema";

type Provider = (typeof PROVIDERS)[number];
import { beforeCursor, type Cursor } from "./keyset";

export type ChatListQuery = {
  tenantId: string;
  numberId?: string;
  /** a user id: chats assigned to them; null: unassigned chats */
  assignedUserId?: string | null;
  unread?: boolean;
  /** chats whose window is open at this time */
  windowOpenAt?: Date;
  adId?: string;
  search?: { kind: "phone"; digits: string } | { kind: "name"; text: string } | null;
  cursor?: Cursor;
  limit: number;
};

const adConversations = alias(conversations, "ad_conversations");
const WINDOW_MS = 24 * 60 * 60 * 1000;
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

const rowColumns = {
  chat: {
    id: chats.id,
    latestConversationId: chats.latestConversationId,
    lastMessageAt: chats.lastMessageAt,
    lastMessageId: chats.lastMessageId,
    lastMessageDirection: chats.lastMessageDirection,
    lastMessageType: chats.lastMessageType,
    lastMessagePreview: chats.lastMessagePreview,
    lastInboundAt: chats.lastInboundAt,
    windowExpiresAt: chats.windowExpiresAt,
    unreadCount: chats.unreadCount,
    assignedAt: chats.assignedAt,
    demo: chats.demo,
  },
  subscriber: { id: subscribers.id, profileName: subscribers.profileName, waPhone: subscribers.waPhone },
  number: { id: whatsappNumbers.id, label: whatsappNumbers.label, provider: whatsappNumbers.provider },
  // the id first: drizzle decides a left-joined object is null by its first column
  assignee: { id: users.id, name: users.name },
  ad: {
    conversationId: adConversations.id,
    adId: adConversations.adId,
    adName: adConversations.adName,
    campaignName: adConversations.campaignName,
    headline: adConversations.headline,
    ctwaClid: adConversations.ctwaClid,
  },
};

export type ChatListRow = {
  chat: {
    id: string;
    latestConversationId: string | null;
    lastMessageAt: Date;
    lastMessageId: string | null;
    lastMessageDirection: "inbound" | "outbound" | null;
    lastMessageType: string | null;
    lastMessagePreview: string | null;
    lastInboundAt: Date | null;
    windowExpiresAt: Date | null;
    unreadCount: number;
    assignedAt: Date | null;
    demo: boolean;
  };
  subscriber: { id: string; profileName: string | null; waPhone: string | null };
  number: { id: string; label: string; provider: Provider };
  assignee: { id: string; name: string } | null;
  ad: {
    conversationId: string;
    adId: string | null;
    adName: string | null;
    campaignName: string | null;
    headline: string | null;
    ctwaClid: string | null;
  } | null;
};

function selectRows(db: Db, where: SQL) {
  return db
    .select(rowColumns)
    .from(chats)
    .innerJoin(subscribers, eq(subscribers.id, chats.subscriberId))
    .innerJoin(whatsappNumbers, eq(whatsappNumbers.id, chats.numberId))
    .leftJoin(users, eq(users.id, chats.assignedUserId))
    .leftJoin(adConversations, eq(adConversations.id, chats.adConversationId))
    .where(where);
}

/** The WHERE of a chat page: each filter is a prefix or the predicate of one of the chats indexes (db/schema.ts). */
export function chatListWhere(q: Omit<ChatListQuery, "cursor" | "limit">): SQL {
  const conds: (SQL | undefined)[] = [eq(chats.tenantId, q.tenantId)];
  if (q.numberId) conds.push(eq(chats.numberId, q.numberId));
  if (q.assignedUserId === null) conds.push(isNull(chats.assignedUserId));
  else if (q.assignedUserId) conds.push(eq(chats.assignedUserId, q.assignedUserId));
  if (q.unread) conds.push(gt(chats.unreadCount, 0));
  if (q.adId) conds.push(and(eq(chats.adId, q.adId), sql`${chats.adId} is not null`));
  if (q.windowOpenAt) {
    // a window lasts 24 h from the last inbound message, so an open one has activity in the last 24 h: the
    // bound ends the index range instead of reading every older chat to test its window
    conds.push(gt(chats.windowExpiresAt, q.windowOpenAt), gt(chats.lastMessageAt, new Date(q.windowOpenAt.getTime() - WINDOW_MS)));
  }
  if (q.search) conds.push(searchCondition(q.tenantId, q.search));
  return and(...conds)!;
}

/** How many of the newest chats (after the cursor, under the other filters) a search walks at most. */
export const SEARCH_WALK = 3000;

/** The search's condition on subscribers (both ways below use it). */
function searchCondition(tenantId: string, search: NonNullable<ChatListQuery["search"]>): SQL {
  if (search.kind === "phone") {
    // the subscriber's tenant too: the phone prefix indexes lead with it (a name goes through the trigram indexes)
    return and(
      eq(subscribers.tenantId, tenantId),
      or(sql`${subscribers.waPhone} like ${`+${search.digits}%`}`, sql`${subscribers.waId} like ${`${search.digits}%`}`),
    )!;
  }
  const pattern = `%${likeEscape(search.text)}%`;
  return or(sql`${subscribers.profileName} ilike ${pattern}`, sql`${subscribers.username} ilike ${pattern}`)!;
}

/**
 * One page of chats, newest activity first (last message time desc, id desc); `limit + 1` rows for toPage.
 * A search first walks the newest SEARCH_WALK chats after the cursor on the list's own index and stops at the
 * page's last match: a name is tested on the chat's own search_name (nameWalkQuery), a phone prefix on the chat's
 * subscriber, read by key (phoneWalkQuery). A common name or prefix ("Maria", a country code) fills its page within a
 * few hundred or thousand chats. A search the walk does not fill a page with reads the matching people from the
 * subscribers' own indexes and then their chats (chatPageQuery): quick exactly when they are few. Whichever way
 * answers, the page is the same: a walk's matches are newer than every chat it did not read.
 */
export async function listChatPage(db: Db, q: ChatListQuery, { walk = SEARCH_WALK }: { walk?: number } = {}): Promise<ChatListRow[]> {
  if (q.search) {
    const walked = (
      q.search.kind === "name" ? await nameWalkQuery(db, { ...q, search: q.search }, walk) : await phoneWalkQuery(db, { ...q, search: q.search }, walk)
    ) as ChatListRow[];
    if (walked.length > q.limit) return walked;
  }
  return (await chatPageQuery(db, q)) as ChatListRow[];
}

/** The newest `walk` chats after the cursor under the list's other filters, in list order (the list's own index). */
function newestChats(db: Db, q: ChatListQuery, walk: number) {
  return db
    .select({ id: chats.id, subscriberId: chats.subscriberId, lastMessageAt: chats.lastMessageAt, searchName: chats.searchName })
    .from(chats)
    .where(and(chatListWhere({ ...q, search: null }), beforeCursor(chats.lastMessageAt, chats.id, q.cursor)))
    .orderBy(desc(chats.lastMessageAt), desc(chats.id))
    .limit(walk)
    .as("newest");
}

/** The page's chats by key, once a walk found their ids (`= any(array(…))`: the hits first, then each chat by its key). */
function rowsOfHits(db: Db, q: ChatListQuery, hits: SQLWrapper) {
  return selectRows(db, and(eq(chats.tenantId, q.tenantId), sql`${chats.id} = any(array(${hits}))`)!)
    .orderBy(desc(chats.lastMessageAt), desc(chats.id))
    .limit(q.limit + 1);
}

/**
 * A name search's page among the newest `walk` chats after the cursor, tested on the chat's own search_name: the
 * list's index is read in order and the walk stops at the page's `limit + 1`-th match (at most `walk` chats); only
 * those chats are then read with what a row shows.
 */
export function nameWalkQuery(db: Db, q: ChatListQuery & { search: { kind: "name"; text: string } }, walk = SEARCH_WALK) {
  const newest = newestChats(db, q, walk);
  const hits = db
    .select({ id: newest.id })
    .from(newest)
    .where(sql`${newest.searchName} ilike ${`%${likeEscape(q.search.text)}%`}`)
    .orderBy(desc(newest.lastMessageAt), desc(newest.id))
    .limit(q.limit + 1);
  return rowsOfHits(db, q, hits);
}

/** A phone search's page among the newest `walk` chats after the cursor: each chat's subscriber read by key and tested, stopping at the page's last match. */
export function phoneWalkQuery(db: Db, q: ChatListQuery & { search: { kind: "phone"; digits: string } }, walk = SEARCH_WALK) {
  const newest = newestChats(db, q, walk);
  const hits = db
    .select({ id: newest.id })
    .from(newest)
    .innerJoin(subscribers, and(eq(subscribers.id, newest.subscriberId), searchCondition(q.tenantId, q.search)))
    .orderBy(desc(newest.lastMessageAt), desc(newest.id))
    .limit(q.limit + 1);
  return rowsOfHits(db, q, hits);
}

/** The statement of a chat page (its plan is checked in inbox.pg.test.ts). */
export function chatPageQuery(db: Db, q: ChatListQuery) {
  const where = and(chatListWhere(q), beforeCursor(chats.lastMessageAt, chats.id, q.cursor))!;
  // A search reads the matching subscribers first (trigram or phone prefix index), then their chats, and sorts
  // those: ordering by an expression keeps the planner from walking the list index hoping to meet a rare name
  // early, as the subscriber list does (`+ interval '0 s'` changes no value, only the plan).
  const at = q.search ? sql`(${chats.lastMessageAt} + interval '0 seconds')` : sql`${chats.lastMessageAt}`;
  return selectRows(db, where)
    .orderBy(sql`${at} desc`, desc(chats.id))
    .limit(q.limit + 1);
}

/** One chat of the workspace by its id, or by the id of one of its conversations (its subscriber and number). */
export async function getChatRow(db: Db, { tenantId, id }: { tenantId: string; id: string }): Promise<ChatListRow | null> {
  // one IN over both candidate ids (the id itself, the chat of the conversation with that id): an OR of the id and a
  // subquery cannot use an index, so at scale it read every chat (bench:inbox, a reply's first statement)
  const candidates = sql`select ${id}::uuid union all select ch.id from ${chats} ch join ${conversations} c
    on c.subscriber_id = ch.subscriber_id and c.number_id = ch.number_id where c.id = ${id}::uuid and c.tenant_id = ${tenantId} and ch.tenant_id = ${tenantId}`;
  const rows = (await selectRows(db, and(eq(chats.tenantId, tenantId), sql`${chats.id} in (${candidates})`)!)
    .orderBy(sql`${chats.id} = ${id} desc`)
    .limit(1)) as ChatListRow[];
  return rows[0] ?? null;
}

/** A chat's keys, tenant-scoped. */
export async function getChatKeys(db: Db, { tenantId, id }: { tenantId: string; id: string }) {
  const [row] = await db
    .select({ id: chats.id, subscriberId: chats.subscriberId, numberId: chats.numberId, assignedUserId: chats.assignedUserId })
    .from(chats)
    .where(and(eq(chats.tenantId, tenantId), eq(chats.id, id)));
  return row ?? null;
}

/** Assigns a chat (null: unassigns); `onlyIfUnassigned` makes it a take that loses to a concurrent one. Returns whether it changed. */
export async function setChatAssignee(
  db: Db,
  { tenantId, id, userId, now, onlyIfUnassigned }: { tenantId: string; id: string; userId: string | null; now: Date; onlyIfUnassigned?: boolean },
): Promise<boolean> {
  const rows = await db
    .update(chats)
    .set({ assignedUserId: userId, assignedAt: userId ? now : null, updatedAt: now })
    .where(and(eq(chats.tenantId, tenantId), eq(chats.id, id), onlyIfUnassigned ? isNull(chats.assignedUserId) : undefined))
    .returning({ id: chats.id });
  return rows.length > 0;
}

/** Whether any chat of the workspace is assigned to this user (one probe of chats_tenant_assigned_last_message_idx). */
export async function hasChatsAssignedTo(db: Db, { tenantId, userId }: { tenantId: string; userId: string }): Promise<boolean> {
  const rows = await db
    .select({ id: chats.id })
    .from(chats)
    .where(and(eq(chats.tenantId, tenantId), eq(chats.assignedUserId, userId)))
    .limit(1);
  return rows.length > 0;
}

/** Marks a chat read: unread 0, read mark now. */
export async function markChatRead(db: Db, { tenantId, id, now }: { tenantId: string; id: string; now: Date }): Promise<void> {
  await db
    .update(chats)
    .set({ unreadCount: 0, lastReadAt: now, updatedAt: now })
    .where(and(eq(chats.tenantId, tenantId), eq(chats.id, id)));
}
