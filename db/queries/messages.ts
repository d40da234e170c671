// messages: inbound and outbound, unique by (tenant, wamid). Delivery statuses also move the drip's
// outbound_messages rows (matched by provider_message_id) and note Meta's conversation id.
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { rowsOf } from "../migrations-info";
import { messages, type NewMessage } from "../schema";
import { takeFirstOrNull, newestFirst } from "./keyset";

export type MessageRow = typeof messages.$inferSelect;

const CHUNK = 500;

/**
 * Status order. Statuses never move backwards, and the order is total so the outcome does not depend on
 * arrival order: `failed` outranks sent/accepted (Meta: failed is terminal) but not delivered/read, which
 * prove delivery; a failure is still recorded in the error fields either way.
 */
export const MESSAGE_STATUS_RANK: Record<string, number> = { received: 0, accepted: 1, sent: 2, failed: 3, delivered: 4, read: 5, deleted: 6 };

/** MESSAGE_STATUS_RANK of a status column or expression, in SQL (unknown statuses rank 0). */
export const statusRankSql = (expr: string) =>
  `(case ${expr} ${Object.entries(MESSAGE_STATUS_RANK)
    .map(([s, r]) => `when '${s}' then ${r}`)
    .join(" ")} else 0 end)`;

/**
 * JSON text for a `jsonb_to_recordset` parameter: one parameter and one cached statement per batch instead of
 * thousands of bound values (several times faster for multi-row writes). Strings are made well-formed: a lone
 * surrogate (e.g. a preview cut inside an emoji) would make jsonb reject the whole batch.
 */
export function toRecordsetJson(rows: readonly unknown[]): string {
  const json = JSON.stringify(rows);
  // JSON.stringify escapes a lone surrogate as \udXXX (which jsonb refuses); only then take the slow path
  return LONE_SURROGATE_ESCAPE.test(json) ? JSON.stringify(rows, (_key, value: unknown) => (typeof value === "string" ? value.toWellFormed() : value)) : json;
}
const LONE_SURROGATE_ESCAPE = /\\ud[89a-f]/i;

/** The wamids of the list already stored in the tenant (one array parameter: one cached statement). */
export async function findExistingWamids(db: Db, { tenantId, wamids }: { tenantId: string; wamids: string[] }): Promise<Set<string>> {
  if (wamids.length === 0) return new Set();
  const rows = rowsOf<{ wamid: string }>(
    await db.execute(sql`
      select wamid from ${messages}
      where tenant_id = ${tenantId} and wamid = any(array(select jsonb_array_elements_text(${toRecordsetJson(wamids)}::jsonb)))`),
  );
  return new Set(rows.map((r) => r.wamid));
}

const MESSAGE_COLUMNS = sql.raw(`tenant_id uuid, subscriber_id uuid, conversation_id uuid, number_id uuid, direction text, wamid text, type text,
  text_preview text, payload jsonb, status text, sent_at timestamptz, delivered_at timestamptz, read_at timestamptz, provider_timestamp timestamptz`);

/** Inserts messages; a wamid already stored in the tenant is skipped. Returns the ids of those actually inserted, by wamid. */
/** A message that arrived from (or was reported by) a provider: it always carries the provider's id. */
export type ProviderMessage = NewMessage & { wamid: string };

export async function insertMessagesIgnoringDuplicates(db: Db, rows: ProviderMessage[]): Promise<Map<string, string>> {
  const inserted = new Map<string, string>();
  for (let i = 0; i < rows.length; i += CHUNK) {
    const json = toRecordsetJson(
      rows.slice(i, i + CHUNK).map((m) => ({
        tenant_id: m.tenantId,
        subscriber_id: m.subscriberId,
        conversation_id: m.conversationId,
        number_id: m.numberId,
        direction: m.direction,
        wamid: m.wamid,
        type: m.type,
        text_preview: m.textPreview,
        payload: m.payload,
        status: m.status,
        sent_at: m.sentAt,
        delivered_at: m.deliveredAt,
        read_at: m.readAt,
        provider_timestamp: m.providerTimestamp,
      })),
    );
    const result = rowsOf<{ id: string; wamid: string }>(
      await db.execute(sql`
        insert into ${messages} (tenant_id, subscriber_id, conversation_id, number_id, direction, wamid, type, text_preview, payload, status, sent_at, delivered_at, read_at, provider_timestamp)
        select tenant_id, subscriber_id, conversation_id, number_id, direction, wamid, type, text_preview, payload, status, sent_at, delivered_at, read_at, provider_timestamp
        from jsonb_to_recordset(${json}::jsonb) as x(${MESSAGE_COLUMNS})
        on conflict (tenant_id, wamid) do nothing
        returning id, wamid`),
    );
    for (const r of result) inserted.set(r.wamid, r.id);
  }
  return inserted;
}

/** What a batch of status events says about one message, under each id the events name for it. */
export type MessageStatusFacts = {
  key: number;
  ids: string[];
  status: string; // the highest-ranked status of the group
  sentAt: Date | null;
  deliveredAt: Date | null;
  readAt: Date | null;
  failedAt: Date | null;
  errorCode: string | null;
  errorTitle: string | null;
  errorDetail: string | null;
  metaConversationId: string | null;
  metaOrigin: string | null;
};

export type MatchedMessage = { id: string; subscriberId: string; conversationId: string | null; key: number };

const FACT_COLUMNS =
  sql.raw(`tenant_id uuid, k int, id text, status text, sent_at timestamptz, delivered_at timestamptz, read_at timestamptz, failed_at timestamptz,
  error_code text, error_title text, error_detail text, conv_id text, conv_origin text`);

/**
 * Applies status facts in one statement: messages (monotonic status, earliest sent/delivered/read times —
 * a read implies delivery —, the newest failure's code/title/detail), the drip's outbound_messages rows
 * (delivered/read times; `failed` with the provider's code while nothing proves delivery, `sent` again once
 * something does, in any arrival order), and Meta's
 * conversation id/origin on our conversation. Rows nothing would change are not written. Returns every
 * message the facts matched, changed or not.
 */
export async function applyMessageStatusFacts(
  db: Db,
  { tenantId, facts, now }: { tenantId: string; facts: MessageStatusFacts[]; now: Date },
): Promise<MatchedMessage[]> {
  if (facts.length === 0) return [];
  const json = toRecordsetJson(
    facts.flatMap((f) =>
      f.ids.map((id) => ({
        tenant_id: tenantId,
        k: f.key,
        id,
        status: f.status,
        sent_at: f.sentAt,
        delivered_at: f.deliveredAt,
        read_at: f.readAt,
        failed_at: f.failedAt,
        error_code: f.errorCode,
        error_title: f.errorTitle,
        error_detail: f.errorDetail,
        conv_id: f.metaConversationId,
        conv_origin: f.metaOrigin,
      })),
    ),
  );
  const at = now.toISOString();
  const moves = sql.raw(`${statusRankSql("x.status")} > ${statusRankSql("m.status")}`);
  const newFailure = sql.raw(`(x.failed_at is not null and x.failed_at >= coalesce(m.failed_at, '-infinity'))`);
  const outboundFailure = sql.raw(
    `(x.failed_at is not null and x.delivered_at is null and x.read_at is null and o.delivered_at is null and o.read_at is null and o.status in ('sending', 'sent'))`,
  );
  // delivered/read outrank failed whatever the order: a failed row the provider then reports delivered (it has the
  // provider's message id, so the send itself went through) is sent again, its failure superseded
  const outboundDelivered = sql.raw(`((x.delivered_at is not null or x.read_at is not null) and o.status = 'failed')`);
  // Meta's conversation id is rare since v24: only pay for that update when a status carries one
  const meta = facts.some((f) => f.metaConversationId)
    ? sql`, meta as (
        update conversations c set meta_conversation_id = s.conv_id, meta_origin = coalesce(c.meta_origin, s.conv_origin), updated_at = ${at}::timestamptz
        from (select distinct on (conversation_id) conversation_id, tenant_id, conv_id, conv_origin from x where conv_id is not null and conversation_id is not null) s
        where c.id = s.conversation_id and c.tenant_id = s.tenant_id and c.meta_conversation_id is distinct from coalesce(c.meta_conversation_id, s.conv_id)
        returning c.id)`
    : sql``;
  // Plans must stay linear even before the tables have statistics (a young, fast-growing database): the tenant
  // is matched as a join column carried in the facts (never a lone `tenant_id = $1` filter that, unestimated,
  // makes a tenant-wide scan look like one row and ends up as the outer side of a nested loop), and every
  // write after the (tenant_id, wamid) lookup goes by primary key.
  const rows = rowsOf<{ id: string; subscriber_id: string; conversation_id: string | null; k: number }>(
    await db.execute(sql`
      with facts as (select * from jsonb_to_recordset(${json}::jsonb) as f(${FACT_COLUMNS})),
      x as materialized (
        select m.id as message_id, m.subscriber_id, m.conversation_id, f.*
        from facts f join messages m on m.tenant_id = f.tenant_id and m.wamid = f.id),
      moved as (
        update messages m set
          status = case when ${moves} then x.status else m.status end,
          sent_at = least(m.sent_at, x.sent_at),
          delivered_at = least(m.delivered_at, coalesce(x.delivered_at, x.read_at)),
          read_at = least(m.read_at, x.read_at),
          failed_at = case when ${newFailure} then x.failed_at else m.failed_at end,
          error_code = case when ${newFailure} then x.error_code else m.error_code end,
          error_title = case when ${newFailure} then x.error_title else m.error_title end,
          error_detail = case when ${newFailure} then x.error_detail else m.error_detail end,
          updated_at = ${at}::timestamptz
        from x
        where m.id = x.message_id and (${moves}
          or x.sent_at < coalesce(m.sent_at, 'infinity')
          or coalesce(x.delivered_at, x.read_at) < coalesce(m.delivered_at, 'infinity')
          or x.read_at < coalesce(m.read_at, 'infinity')
          or (${newFailure} and (x.failed_at is distinct from m.failed_at or x.error_code is distinct from m.error_code
            or x.error_title is distinct from m.error_title or x.error_detail is distinct from m.error_detail)))
        returning m.id),
      outbound as (
        update outbound_messages o set
          delivered_at = least(o.delivered_at, coalesce(x.delivered_at, x.read_at)),
          read_at = least(o.read_at, x.read_at),
          status = case when ${outboundFailure} then 'failed' when ${outboundDelivered} then 'sent' else o.status end,
          error_code = case when ${outboundFailure} then x.error_code when ${outboundDelivered} then null else o.error_code end,
          error_message = case when ${outboundFailure} then coalesce(x.error_title, x.error_detail) when ${outboundDelivered} then null else o.error_message end,
          updated_at = ${at}::timestamptz
        from facts x
        where o.provider_message_id = x.id and o.tenant_id = x.tenant_id and (${outboundFailure} or ${outboundDelivered}
          or coalesce(x.delivered_at, x.read_at) < coalesce(o.delivered_at, 'infinity')
          or x.read_at < coalesce(o.read_at, 'infinity'))
        returning o.id)${meta}
      select message_id as id, subscriber_id, conversation_id, k from x`),
  );
  return rows.map((r) => ({ id: r.id, subscriberId: r.subscriber_id, conversationId: r.conversation_id, key: Number(r.k) }));
}

export async function getMessageByWamid(db: Db, { tenantId, wamid }: { tenantId: string; wamid: string }): Promise<MessageRow | null> {
  return takeFirstOrNull(
    await db
      .select()
      .from(messages)
      .where(and(eq(messages.tenantId, tenantId), eq(messages.wamid, wamid)))
      .limit(1),
  );
}

/** A subscriber's messages, newest first (bounded). */
export async function listSubscriberMessages(
  db: Db,
  { tenantId, subscriberId, limit = 200 }: { tenantId: string; subscriberId: string; limit?: number },
): Promise<MessageRow[]> {
  return db
    .select()
    .from(messages)
    .where(and(eq(messages.tenantId, tenantId), eq(messages.subscriberId, subscriberId)))
    .orderBy(...newestFirst(messages.providerTimestamp, messages.id))
    .limit(limit);
}

/** One message of the tenant by its id, or null (another workspace's id is null too). */
export async function getMessageById(db: Db, { tenantId, id }: { tenantId: string; id: string }): Promise<MessageRow | null> {
  return takeFirstOrNull(
    await db
      .select()
      .from(messages)
      .where(and(eq(messages.tenantId, tenantId), eq(messages.id, id)))
      .limit(1),
  );
}
