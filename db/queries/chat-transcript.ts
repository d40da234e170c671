// A chat's transcript reads: its messages newest first (messages_subscriber_time_idx), the reactions and quoted
// messages the page needs, its conversations with their referral and the conversions recorded on them.
import { and, desc, eq, inArray, ne, sql } from "drizzle-orm";
import type { Db } from "../client";
import { conversations, conversions, messages, users } from "../schema";
import { beforeCursor, type Cursor, newestFirst } from "./keyset";

const transcriptColumns = {
  id: messages.id,
  conversationId: messages.conversationId,
  direction: messages.direction,
  wamid: messages.wamid,
  type: messages.type,
  textPreview: messages.textPreview,
  payload: messages.payload,
  status: messages.status,
  sentAt: messages.sentAt,
  deliveredAt: messages.deliveredAt,
  readAt: messages.readAt,
  failedAt: messages.failedAt,
  errorCode: messages.errorCode,
  errorTitle: messages.errorTitle,
  errorDetail: messages.errorDetail,
  providerTimestamp: messages.providerTimestamp,
  sentByUserId: messages.sentByUserId,
  sentByName: users.name,
};
export type TranscriptRow = {
  id: string;
  conversationId: string | null;
  direction: "inbound" | "outbound";
  wamid: string | null; // null while a reply is pending
  type: string;
  textPreview: string | null;
  payload: Record<string, unknown> | null;
  status: string;
  sentAt: Date | null;
  deliveredAt: Date | null;
  readAt: Date | null;
  failedAt: Date | null;
  errorCode: string | null;
  errorTitle: string | null;
  errorDetail: string | null;
  providerTimestamp: Date;
  sentByUserId: string | null;
  sentByName: string | null;
};

export type ChatKeys = { tenantId: string; subscriberId: string; numberId: string };
const ofChat = (k: ChatKeys) => and(eq(messages.subscriberId, k.subscriberId), eq(messages.numberId, k.numberId), eq(messages.tenantId, k.tenantId));

// newestFirst: messages_subscriber_time_idx is DESC NULLS LAST (drizzle's .desc()), which a plain `desc` cannot read in order
/**
 * A chat's messages newest first (provider time desc, id desc), reactions left out (they come with the
 * message they react to); `limit + 1` rows. Reads messages_subscriber_time_idx in order.
 */
export async function listTranscriptPage(db: Db, q: ChatKeys & { cursor?: Cursor; limit: number }): Promise<TranscriptRow[]> {
  return (await transcriptPageQuery(db, q)) as TranscriptRow[];
}

/** One message of the workspace as a transcript row (a reply just recorded, or retried). */
export async function getTranscriptRowById(
  db: Db,
  { tenantId, id }: { tenantId: string; id: string },
): Promise<(TranscriptRow & { subscriberId: string; numberId: string | null }) | null> {
  const rows = (await db
    .select({ ...transcriptColumns, subscriberId: messages.subscriberId, numberId: messages.numberId })
    .from(messages)
    .leftJoin(users, eq(users.id, messages.sentByUserId))
    .where(and(eq(messages.id, id), eq(messages.tenantId, tenantId)))) as (TranscriptRow & { subscriberId: string; numberId: string | null })[];
  return rows[0] ?? null;
}

/** The statement of a transcript page (its plan is checked in inbox.pg.test.ts). */
export function transcriptPageQuery(db: Db, q: ChatKeys & { cursor?: Cursor; limit: number }) {
  return db
    .select(transcriptColumns)
    .from(messages)
    .leftJoin(users, eq(users.id, messages.sentByUserId))
    .where(and(ofChat(q), ne(messages.type, "reaction"), beforeCursor(messages.providerTimestamp, messages.id, q.cursor)))
    .orderBy(...newestFirst(messages.providerTimestamp, messages.id))
    .limit(q.limit + 1);
}

/** The chat's reaction messages from `since` on (a reaction comes after the message it reacts to). */
export async function listChatReactions(db: Db, q: ChatKeys & { since: Date }): Promise<TranscriptRow[]> {
  return (await db
    .select(transcriptColumns)
    .from(messages)
    .leftJoin(users, eq(users.id, messages.sentByUserId))
    .where(and(ofChat(q), eq(messages.type, "reaction"), sql`${messages.providerTimestamp} >= ${q.since.toISOString()}::timestamptz`))
    .orderBy(messages.providerTimestamp, messages.id)) as TranscriptRow[];
}

/** Messages of the chat by provider id (what a reply quotes). */
export async function getChatMessagesByWamid(db: Db, q: ChatKeys & { wamids: string[] }) {
  if (q.wamids.length === 0) return [];
  return db
    .select({ id: messages.id, wamid: messages.wamid, textPreview: messages.textPreview, type: messages.type })
    .from(messages)
    .where(and(eq(messages.tenantId, q.tenantId), inArray(messages.wamid, q.wamids), eq(messages.subscriberId, q.subscriberId)));
}

/** Conversations by id, tenant-scoped, with their referral. */
export async function getConversationsByIds(db: Db, { tenantId, ids }: { tenantId: string; ids: string[] }) {
  if (ids.length === 0) return [];
  return db
    .select({
      id: conversations.id,
      startedAt: conversations.startedAt,
      windowExpiresAt: conversations.windowExpiresAt,
      sourceType: conversations.sourceType,
      sourceUrl: conversations.sourceUrl,
      headline: conversations.headline,
      body: conversations.body,
      imageUrl: conversations.imageUrl,
      thumbnailUrl: conversations.thumbnailUrl,
      ctwaClid: conversations.ctwaClid,
      adId: conversations.adId,
      adName: conversations.adName,
      campaignName: conversations.campaignName,
      referral: conversations.referral,
    })
    .from(conversations)
    .where(and(eq(conversations.tenantId, tenantId), inArray(conversations.id, ids)))
    .orderBy(desc(conversations.startedAt), desc(conversations.id));
}

/** Conversions recorded on these conversations of the subscriber (read through conversions_subscriber_time_idx). */
export async function listConversionsOfConversations(db: Db, { tenantId, subscriberId, ids }: { tenantId: string; subscriberId: string; ids: string[] }) {
  if (ids.length === 0) return [];
  return db
    .select({
      id: conversions.id,
      conversationId: conversions.conversationId,
      eventName: conversions.eventName,
      value: conversions.value,
      currency: conversions.currency,
      status: conversions.status,
      eventTime: conversions.eventTime,
    })
    .from(conversions)
    .where(and(eq(conversions.subscriberId, subscriberId), eq(conversions.tenantId, tenantId), inArray(conversions.conversationId, ids)))
    .orderBy(...newestFirst(conversions.eventTime, conversions.id));
}

/** The latest inbound message of a chat (its provider id, for a read receipt). */
export async function getLatestInboundMessage(db: Db, { tenantId, subscriberId, numberId }: { tenantId: string; subscriberId: string; numberId: string }) {
  const [row] = await db
    .select({ id: messages.id, wamid: messages.wamid })
    .from(messages)
    .where(
      and(
        eq(messages.tenantId, tenantId),
        eq(messages.subscriberId, subscriberId),
        eq(messages.numberId, numberId),
        eq(messages.direction, "inbound"),
        ne(messages.type, "system"),
      ),
    )
    .orderBy(...newestFirst(messages.providerTimestamp, messages.id))
    .limit(1);
  return row ?? null;
}
