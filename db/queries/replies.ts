// Inbox replies: an outbound message recorded pending (with its chat's last message and its send job, in one
// transaction), then moved once by its send's outcome: accepted/sent with the provider's id (counted on the
// subscriber and their leads in the same transaction), or failed with the provider's code and message.
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { chats, conversations, jobs, leads, messages, subscribers, users, whatsappNumbers, type NewMessage } from "../schema";
import { CHAT_PREVIEW_CHARS as PREVIEW_CHARS } from "./chats";
import { requeueFinishedJob } from "./jobs";
import { rowsOf } from "../migrations-info";
import { insertOutgoingEvents } from "./webhooks-out";

export const REPLY_JOB = "inbox_reply";

export type PendingReply = Omit<NewMessage, "status" | "wamid"> & {
  tenantId: string;
  subscriberId: string;
  numberId: string;
  type: string;
  providerTimestamp: Date;
  idempotencyKey: string | null;
};

/**
 * Stores a pending reply, applies it to its chat (the chat the request read: its last message moves forward only)
 * and queues its send job (due at `jobRunAt`, unless the request runs it first), all in one statement. With an
 * idempotency key already used in the workspace nothing is written (a concurrent duplicate waits for the first
 * one's commit): `created` is false and `id` is the first one's.
 */
export async function insertPendingReply(
  db: Db,
  { row, jobRunAt, now }: { row: PendingReply; jobRunAt: Date; now: Date },
): Promise<{ id: string; created: true; sentByName: string | null } | { id: string; created: false; requestHash: string | null }> {
  const at = now.toISOString();
  const sent = row.providerTimestamp.toISOString();
  const [inserted] = rowsOf<{ id: string; sent_by_name: string | null }>(
    await db.execute(sql`
      with m as (
        insert into ${messages} (tenant_id, subscriber_id, conversation_id, number_id, direction, type, text_preview, payload, status, wamid,
          provider_timestamp, idempotency_key, sent_by_user_id, created_at, updated_at)
        values (${row.tenantId}::uuid, ${row.subscriberId}::uuid, ${row.conversationId ?? null}::uuid, ${row.numberId}::uuid, 'outbound', ${row.type},
          ${row.textPreview ?? null}, ${JSON.stringify(row.payload ?? null)}::jsonb, 'pending', null, ${sent}::timestamptz, ${row.idempotencyKey},
          ${row.sentByUserId ?? null}::uuid, ${at}::timestamptz, ${at}::timestamptz)
        on conflict (tenant_id, idempotency_key) where idempotency_key is not null do nothing
        returning id),
      job as (
        insert into ${jobs} (tenant_id, kind, dedupe_key, payload, run_at, max_attempts, created_at, updated_at)
        select ${row.tenantId}::uuid, ${REPLY_JOB}, m.id::text, jsonb_build_object('tenantId', ${row.tenantId}::text, 'messageId', m.id::text),
          ${jobRunAt.toISOString()}::timestamptz, 3, ${at}::timestamptz, ${at}::timestamptz
        from m
        returning id),
      chat as (
        update ${chats} ch set last_message_at = ${sent}::timestamptz, last_message_id = m.id, last_message_direction = 'outbound',
          last_message_type = ${row.type}, last_message_preview = left(${row.textPreview ?? null}::text, ${PREVIEW_CHARS}), updated_at = ${at}::timestamptz
        from m
        where ch.tenant_id = ${row.tenantId}::uuid and ch.subscriber_id = ${row.subscriberId}::uuid and ch.number_id = ${row.numberId}::uuid
          and (ch.last_message_at < ${sent}::timestamptz or (ch.last_message_at = ${sent}::timestamptz and coalesce(ch.last_message_id, '00000000-0000-0000-0000-000000000000') < m.id))
        returning ch.id)
      select m.id, (select u.name from ${users} u where u.id = ${row.sentByUserId ?? null}::uuid) as sent_by_name from m`),
  );
  if (inserted) return { id: inserted.id, created: true as const, sentByName: inserted.sent_by_name ?? null };
  const first = await getReplyByIdempotencyKey(db, { tenantId: row.tenantId, key: row.idempotencyKey! });
  if (!first) throw new Error("an idempotency key conflicted with no stored message");
  return { ...first, created: false as const };
}

/** What a reply needs to know before it is stored, read in one statement (getReplyTarget). */
export type ReplyTarget = {
  chat: { id: string; latestConversationId: string | null; windowExpiresAt: Date | null };
  number: typeof whatsappNumbers.$inferSelect;
  subscriber: { id: string; waPhone: string | null; waId: string | null; profileName: string | null };
  /** the reply already stored under the request's Idempotency-Key, with the hash of the request that stored it */
  first: { id: string; requestHash: string | null } | null;
};

/**
 * A reply's chat (by its id, or by the id of one of its conversations), its number and subscriber, and the reply an
 * Idempotency-Key already names, in one statement (the chat by key or through the conversation; the rest by key).
 * Null for a chat that is not the workspace's.
 */
export async function getReplyTarget(
  db: Db,
  { tenantId, id, idempotencyKey }: { tenantId: string; id: string; idempotencyKey: string | null },
): Promise<ReplyTarget | null> {
  const candidates = sql`select ${id}::uuid union all select ch.id from ${chats} ch join ${conversations} c
    on c.subscriber_id = ch.subscriber_id and c.number_id = ch.number_id where c.id = ${id}::uuid and c.tenant_id = ${tenantId} and ch.tenant_id = ${tenantId}`;
  const [row] = await db
    .select({
      chat: { id: chats.id, latestConversationId: chats.latestConversationId, windowExpiresAt: chats.windowExpiresAt },
      number: whatsappNumbers,
      subscriber: { id: subscribers.id, waPhone: subscribers.waPhone, waId: subscribers.waId, profileName: subscribers.profileName },
      first: { id: messages.id, requestHash: sql<string | null>`${messages.payload}->>'request_sha256'` },
    })
    .from(chats)
    .innerJoin(whatsappNumbers, and(eq(whatsappNumbers.id, chats.numberId), eq(whatsappNumbers.tenantId, tenantId)))
    .innerJoin(subscribers, and(eq(subscribers.id, chats.subscriberId), eq(subscribers.tenantId, tenantId)))
    .leftJoin(messages, idempotencyKey === null ? sql`false` : and(eq(messages.tenantId, tenantId), eq(messages.idempotencyKey, idempotencyKey)))
    .where(and(eq(chats.tenantId, tenantId), sql`${chats.id} in (${candidates})`))
    .orderBy(sql`${chats.id} = ${id} desc`)
    .limit(1);
  if (!row) return null;
  return { chat: row.chat, number: row.number, subscriber: row.subscriber, first: row.first?.id ? row.first : null };
}

/** The reply stored under an Idempotency-Key, with the hash of the request that created it. */
export async function getReplyByIdempotencyKey(
  db: Db,
  { tenantId, key }: { tenantId: string; key: string },
): Promise<{ id: string; requestHash: string | null } | null> {
  const [row] = await db
    .select({ id: messages.id, requestHash: sql<string | null>`${messages.payload}->>'request_sha256'` })
    .from(messages)
    .where(and(eq(messages.tenantId, tenantId), eq(messages.idempotencyKey, key)));
  return row ?? null;
}

/** A message of one chat (subscriber and number), by id: what a reply may quote. */
export async function getChatMessage(db: Db, q: { tenantId: string; subscriberId: string; numberId: string; id: string }) {
  const [row] = await db
    .select({ id: messages.id, wamid: messages.wamid, direction: messages.direction, textPreview: messages.textPreview })
    .from(messages)
    .where(and(eq(messages.id, q.id), eq(messages.tenantId, q.tenantId), eq(messages.subscriberId, q.subscriberId), eq(messages.numberId, q.numberId)));
  return row ?? null;
}

/**
 * The provider accepted a pending reply: its id and status, and in the same statement the subscriber's outbound
 * counters, the last WhatsApp send of their leads (matched by phone: leads_tenant_phone_idx) and, given the send's
 * claimed job, that job done (guarded by its attempt, as finishJob is). Only a pending reply moves; answers whether it did.
 */
export async function recordReplySent(
  db: Db,
  {
    tenantId,
    id,
    wamid,
    status,
    now,
    job,
  }: { tenantId: string; id: string; wamid: string; status: "accepted" | "sent"; now: Date; job?: { id: string; attempts: number } },
): Promise<boolean> {
  const at = now.toISOString();
  const finishJob = job
    ? sql`, finished as (
        update ${jobs} j set status = 'done', lease_expires_at = null, last_error = null, result = ${JSON.stringify({ sent: wamid })}::jsonb, updated_at = ${at}::timestamptz
        where j.id = ${job.id}::uuid and j.status = 'running' and j.attempts = ${job.attempts} and exists (select 1 from m)
        returning j.id)`
    : sql``;
  const rows = rowsOf<{ moved: number }>(
    await db.execute(sql`
      with m as (
        update ${messages} set status = ${status}, wamid = ${wamid}, sent_at = ${status === "sent" ? at : null}::timestamptz, updated_at = ${at}::timestamptz
        where id = ${id}::uuid and tenant_id = ${tenantId}::uuid and status = 'pending'
        returning subscriber_id),
      s as (
        update ${subscribers} s set
          outbound_count = s.outbound_count + 1,
          last_outbound_message_id = case when s.last_outbound_at is null or s.last_outbound_at <= ${at}::timestamptz then ${wamid} else s.last_outbound_message_id end,
          last_outbound_at = greatest(s.last_outbound_at, ${at}::timestamptz),
          updated_at = ${at}::timestamptz
        from m where s.id = m.subscriber_id and s.tenant_id = ${tenantId}::uuid
        returning s.wa_phone),
      l as (
        update ${leads} l set last_whatsapp_sent_at = greatest(l.last_whatsapp_sent_at, ${at}::timestamptz), updated_at = ${at}::timestamptz
        from s where l.tenant_id = ${tenantId}::uuid and l.phone = s.wa_phone
        returning l.id)${finishJob}
      select (select count(*) from m)::int as moved`),
  );
  return (rows[0]?.moved ?? 0) > 0;
}

/** A pending reply failed (the provider refused it, or it could not be sent): its code and message. */
export async function recordReplyFailed(
  db: Db,
  { tenantId, id, code, message, now }: { tenantId: string; id: string; code: string; message: string; now: Date },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(messages)
      .set({ status: "failed", failedAt: now, errorCode: code, errorTitle: message, errorDetail: null, updatedAt: now })
      .where(and(eq(messages.id, id), eq(messages.tenantId, tenantId), eq(messages.status, "pending")))
      .returning({ id: messages.id, subscriberId: messages.subscriberId, conversationId: messages.conversationId, numberId: messages.numberId });
    const row = rows[0];
    if (!row) return false;
    // outgoing webhooks: outbound.failed, with the failure (one per failure: a retried reply that fails again is another)
    await insertOutgoingEvents(tx, tenantId, [
      {
        type: "outbound.failed",
        sourceKey: `reply:${row.id}:${now.toISOString()}`,
        subscriberId: row.subscriberId,
        occurredAt: now,
        data: {
          kind: "reply",
          messageId: row.id,
          subscriberId: row.subscriberId,
          conversationId: row.conversationId,
          numberId: row.numberId,
          code,
          message,
          failedAt: now.toISOString(),
        },
      },
    ]);
    return true;
  });
}

/**
 * A failed reply back to pending (no provider id, no error) with its finished send job queued again, in one
 * transaction. False when it is not a failed reply of this workspace (not failed, not sent through the reply
 * API, or its job still running).
 */
export async function requeueFailedReply(
  db: Db,
  { tenantId, id, jobRunAt, now }: { tenantId: string; id: string; jobRunAt: Date; now: Date },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [job] = await tx
      .select({ status: jobs.status })
      .from(jobs)
      .where(and(eq(jobs.kind, REPLY_JOB), eq(jobs.dedupeKey, id), eq(jobs.tenantId, tenantId)))
      .for("update");
    if (!job || !["done", "failed", "cancelled"].includes(job.status)) return false;
    const [row] = await tx
      .update(messages)
      .set({ status: "pending", wamid: null, failedAt: null, errorCode: null, errorTitle: null, errorDetail: null, sentAt: null, updatedAt: now })
      .where(and(eq(messages.id, id), eq(messages.tenantId, tenantId), eq(messages.status, "failed"), eq(messages.direction, "outbound")))
      .returning({ id: messages.id });
    if (!row) return false;
    await requeueFinishedJob(tx, { kind: REPLY_JOB, dedupeKey: id, runAt: jobRunAt });
    return true;
  });
}
