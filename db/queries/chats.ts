// chats: the inbox's rows, one per (tenant, subscriber, number). Derived from messages and conversations and
// kept in the same transaction that stores messages: ingestion applies a batch in one statement
// (upsertChatsForMessages), and a rebuild recomputes chats from what messages remain (the 0016 backfill, demo data).
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { rowsOf } from "../migrations-info";
import { toRecordsetJson } from "./messages";

/** A message just stored, as a chat sees it. */
export type ChatMessage = {
  subscriberId: string;
  numberId?: string | null;
  conversationId?: string | null;
  id: string;
  direction: "inbound" | "outbound";
  type: string;
  textPreview?: string | null;
  providerTimestamp: Date;
  /** counts as unread: an inbound message a person wrote now (not history, not a system notice) */
  unread: boolean;
  demo?: boolean;
};

const CHUNK = 500;
const PREVIEW_CHARS = 200; // as messages.text_preview
export const CHAT_PREVIEW_CHARS = PREVIEW_CHARS;
const INBOUND = `direction = 'inbound' and type <> 'system'`; // what subscribers.last_inbound_at counts
const FROM_AD = `(c.ctwa_clid is not null or c.source_type = 'ad')`;

const RECORD_COLUMNS = sql.raw(`tenant_id uuid, subscriber_id uuid, number_id uuid, conversation_id uuid, id uuid, direction text,
  type text, text_preview text, provider_timestamp timestamptz, unread boolean, demo boolean`);

// the group's latest conversation (by start, then id) among those its messages belong to; `where` narrows it to ad ones
const latestConversation = (from: string, where = "true") => `select distinct on (x.tenant_id, x.subscriber_id, x.number_id)
    x.tenant_id, x.subscriber_id, x.number_id, c.id, c.started_at, c.window_expires_at, c.ad_id
  from ${from} x join conversations c on c.id = x.conversation_id
  where ${where}
  order by x.tenant_id, x.subscriber_id, x.number_id, c.started_at desc, c.id desc`;

// the newer of the stored conversation and the new one (by start, then id); read only when they differ
const newerConversation = (column: string) => `(excluded.${column} is not null and (ch.${column} is null or ch.${column} = excluded.${column}
    or (select row(c.started_at, c.id) from conversations c where c.id = excluded.${column})
      > (select row(c.started_at, c.id) from conversations c where c.id = ch.${column})))`;
const newerMessage = `(excluded.last_message_at > ch.last_message_at
    or (excluded.last_message_at = ch.last_message_at and excluded.last_message_id > coalesce(ch.last_message_id, '00000000-0000-0000-0000-000000000000')))`;
const keepNewer = (column: string, newer: string) => `${column} = case when ${newer} then excluded.${column} else ch.${column} end`;

const UPSERT = sql.raw(`
  insert into chats as ch (tenant_id, subscriber_id, number_id, latest_conversation_id, window_expires_at, last_message_at, last_message_id,
    last_message_direction, last_message_type, last_message_preview, last_inbound_at, unread_count, ad_conversation_id, ad_id, demo, created_at, updated_at)
  select g.tenant_id, g.subscriber_id, g.number_id, lc.id, lc.window_expires_at, lm.provider_timestamp, lm.id,
    lm.direction, lm.type, left(lm.text_preview, ${PREVIEW_CHARS}), g.last_inbound_at, g.unread, ac.id, ac.ad_id, g.demo, g.at, g.at
  from g join lm using (tenant_id, subscriber_id, number_id)
    left join lc using (tenant_id, subscriber_id, number_id)
    left join ac using (tenant_id, subscriber_id, number_id)
  order by g.subscriber_id, g.number_id
  on conflict (tenant_id, subscriber_id, number_id) do update set
    unread_count = ch.unread_count + excluded.unread_count,
    ${["last_message_at", "last_message_id", "last_message_direction", "last_message_type", "last_message_preview"].map((c) => keepNewer(c, newerMessage)).join(",\n    ")},
    last_inbound_at = greatest(ch.last_inbound_at, excluded.last_inbound_at),
    window_expires_at = case when ch.latest_conversation_id = excluded.latest_conversation_id then greatest(ch.window_expires_at, excluded.window_expires_at)
      when ${newerConversation("latest_conversation_id")} then excluded.window_expires_at else ch.window_expires_at end,
    ${keepNewer("latest_conversation_id", newerConversation("latest_conversation_id"))},
    ${keepNewer("ad_id", newerConversation("ad_conversation_id"))},
    ${keepNewer("ad_conversation_id", newerConversation("ad_conversation_id"))},
    demo = ch.demo and excluded.demo,
    updated_at = excluded.updated_at`);

// the latest of the group's conversations (xc: each conversation its new messages belong to, read once)
const latestOfXc = (
  where: string,
) => `select distinct on (tenant_id, subscriber_id, number_id) tenant_id, subscriber_id, number_id, id, started_at, window_expires_at, ad_id
  from xc where ${where} order by tenant_id, subscriber_id, number_id, started_at desc, id desc`;

/**
 * Applies messages just stored to their chats, one statement per batch: a chat is created for a new (subscriber,
 * number); unread grows by the inbound messages marked `unread`; the last message, the latest conversation (with
 * its window) and the latest ad conversation move only forward (provider time then id; start then id), so a late
 * message counts as unread without moving the chat back. A chat stays demo only while all its messages are.
 * A conversation belongs to one number (lib/whatsapp/ingest-inbound), so a message touches only its own chat.
 * Messages without a number are skipped. Call it in the transaction that stored the messages, once per message.
 */
export async function upsertChatsForMessages(db: Db, { tenantId, rows, now }: { tenantId: string; rows: ChatMessage[]; now: Date }): Promise<void> {
  const withNumber = rows.filter((r) => r.numberId);
  for (let i = 0; i < withNumber.length; i += CHUNK) {
    const json = toRecordsetJson(
      withNumber.slice(i, i + CHUNK).map((r) => ({
        tenant_id: tenantId,
        subscriber_id: r.subscriberId,
        number_id: r.numberId,
        conversation_id: r.conversationId ?? null,
        id: r.id,
        direction: r.direction,
        type: r.type,
        text_preview: r.textPreview ?? null,
        provider_timestamp: r.providerTimestamp,
        unread: r.unread,
        demo: r.demo ?? false,
      })),
    );
    await db.execute(sql`
      with x as (select * from jsonb_to_recordset(${json}::jsonb) as x(${RECORD_COLUMNS})),
      g as (
        select tenant_id, subscriber_id, number_id, ${now.toISOString()}::timestamptz as at,
          (count(*) filter (where unread))::int as unread, max(provider_timestamp) filter (where ${sql.raw(INBOUND)}) as last_inbound_at, bool_and(demo) as demo
        from x group by tenant_id, subscriber_id, number_id),
      lm as (
        select distinct on (tenant_id, subscriber_id, number_id) tenant_id, subscriber_id, number_id, id, provider_timestamp, direction, type, text_preview
        from x order by tenant_id, subscriber_id, number_id, provider_timestamp desc, id desc),
      xc as materialized (
        select distinct x.tenant_id, x.subscriber_id, x.number_id, c.id, c.started_at, c.window_expires_at, c.ad_id, ${sql.raw(FROM_AD)} as from_ad
        from x join conversations c on c.id = x.conversation_id),
      lc as (${sql.raw(latestOfXc("true"))}),
      ac as (${sql.raw(latestOfXc("from_ad"))})
      ${UPSERT}`);
  }
}

// Chats recomputed from messages: one per (tenant, subscriber, number) with messages on a number. Unread is 0 for
// a new chat (history counts as read) and kept on an existing one, like its assignment and read mark.
const REBUILD_HEAD = `with m as materialized (
  select id, tenant_id, subscriber_id, number_id, conversation_id, direction, type, text_preview, provider_timestamp, demo
  from messages where number_id is not null`;
const REBUILD_TAIL = `),
g as (
  select tenant_id, subscriber_id, number_id, max(provider_timestamp) filter (where ${INBOUND}) as last_inbound_at, bool_and(demo) as demo
  from m group by tenant_id, subscriber_id, number_id),
lm as (
  select distinct on (tenant_id, subscriber_id, number_id) tenant_id, subscriber_id, number_id, id, provider_timestamp, direction, type, text_preview
  from m order by tenant_id, subscriber_id, number_id, provider_timestamp desc, id desc),
lc as (${latestConversation("m")}),
ac as (${latestConversation("m", FROM_AD)})
insert into chats (tenant_id, subscriber_id, number_id, latest_conversation_id, window_expires_at, last_message_at, last_message_id,
  last_message_direction, last_message_type, last_message_preview, last_inbound_at, ad_conversation_id, ad_id, demo)
select g.tenant_id, g.subscriber_id, g.number_id, lc.id, lc.window_expires_at, lm.provider_timestamp, lm.id,
  lm.direction, lm.type, left(lm.text_preview, ${PREVIEW_CHARS}), g.last_inbound_at, ac.id, ac.ad_id, g.demo
from g join lm using (tenant_id, subscriber_id, number_id)
  left join lc using (tenant_id, subscriber_id, number_id)
  left join ac using (tenant_id, subscriber_id, number_id)
on conflict (tenant_id, subscriber_id, number_id) do update set
  latest_conversation_id = excluded.latest_conversation_id, window_expires_at = excluded.window_expires_at,
  last_message_at = excluded.last_message_at, last_message_id = excluded.last_message_id, last_message_direction = excluded.last_message_direction,
  last_message_type = excluded.last_message_type, last_message_preview = excluded.last_message_preview, last_inbound_at = excluded.last_inbound_at,
  ad_conversation_id = excluded.ad_conversation_id, ad_id = excluded.ad_id, demo = excluded.demo, updated_at = now()`;

/** The statement of migration 0016 that fills chats from every message there is (db/migrations test checks they match). */
export const CHATS_BACKFILL_SQL = REBUILD_HEAD + REBUILD_TAIL;

/**
 * Recomputes the chats of these subscribers from their messages as they are now: chats with no message left go,
 * the others are rebuilt (unread, read mark and assignment of an existing chat are kept). For demo loads and removals.
 */
export async function rebuildChats(db: Db, { tenantId, subscriberIds }: { tenantId: string; subscriberIds: string[] }): Promise<void> {
  for (let i = 0; i < subscriberIds.length; i += CHUNK) {
    const ids = toRecordsetJson(subscriberIds.slice(i, i + CHUNK));
    const these = sql`in (select jsonb_array_elements_text(${ids}::jsonb)::uuid)`;
    await db.execute(sql`
      delete from chats ch where ch.tenant_id = ${tenantId} and ch.subscriber_id ${these}
        and not exists (select 1 from messages m where m.subscriber_id = ch.subscriber_id and m.number_id = ch.number_id)`);
    await db.execute(sql`${sql.raw(REBUILD_HEAD)} and tenant_id = ${tenantId} and subscriber_id ${these}${sql.raw(REBUILD_TAIL)}`);
  }
}

/** The latest conversation and its window of these chats (subscriber, number), read by chats_subscriber_number_key. */
export async function getChatWindows(
  db: Db,
  { tenantId, chats }: { tenantId: string; chats: { subscriberId: string; numberId: string }[] },
): Promise<{ subscriberId: string; numberId: string; latestConversationId: string | null; windowExpiresAt: Date | null }[]> {
  if (chats.length === 0) return [];
  const json = toRecordsetJson(chats.map((c) => ({ subscriber_id: c.subscriberId, number_id: c.numberId })));
  const rows = rowsOf<{ subscriber_id: string; number_id: string; latest_conversation_id: string | null; window_expires_at: string | Date | null }>(
    await db.execute(sql`
      select ch.subscriber_id, ch.number_id, ch.latest_conversation_id, ch.window_expires_at
      from jsonb_to_recordset(${json}::jsonb) as x(subscriber_id uuid, number_id uuid)
        join chats ch on ch.subscriber_id = x.subscriber_id and ch.number_id = x.number_id and ch.tenant_id = ${tenantId}::uuid`),
  );
  return rows.map((r) => ({
    subscriberId: r.subscriber_id,
    numberId: r.number_id,
    latestConversationId: r.latest_conversation_id,
    windowExpiresAt: r.window_expires_at === null ? null : new Date(r.window_expires_at),
  }));
}
