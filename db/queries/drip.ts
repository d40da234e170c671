// The drip queue (outbound_messages) as enrollment writes it: one row per (lead, template), so enrolling
// twice enqueues nothing new; stopping a campaign cancels what is still pending.
import { randomUUID } from "node:crypto";
import { type SQL, and, eq, gt, gte, inArray, isNotNull, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import { conversions, leads, outboundMessages, subscribers, templates, tenants, whatsappNumbers } from "../schema";
import { rowsOf } from "../migrations-info";
import { OUTBOUND_FAILURE_STATUSES } from "../outbound-failures";
import { type Cursor, afterCursor, beforeCursor, takeFirstOrNull, newestFirst, oldestFirst } from "./keyset";
import { upsertChatsForMessages } from "./chats";
import { toRecordsetJson } from "./messages";
import { insertDripFailedEvents } from "./webhooks-out";

export type LeadRow = typeof leads.$inferSelect;
export type TemplateRow = typeof templates.$inferSelect;
export type OutboundRow = typeof outboundMessages.$inferSelect;

export async function getLeadRow(db: Db, { tenantId, id }: { tenantId: string; id: string }, opts: { forUpdate?: boolean } = {}): Promise<LeadRow | null> {
  const query = db
    .select()
    .from(leads)
    .where(and(eq(leads.tenantId, tenantId), eq(leads.id, id)))
    .limit(1);
  return takeFirstOrNull(await (opts.forUpdate ? query.for("update") : query));
}

/** Active templates for a segment: those of that segment and those for every segment (segment null). */
export async function activeTemplatesForSegment(db: Db, { tenantId, segment }: { tenantId: string; segment: string | null }): Promise<TemplateRow[]> {
  return db
    .select()
    .from(templates)
    .where(
      and(
        eq(templates.tenantId, tenantId),
        eq(templates.active, true),
        segment === null ? isNull(templates.segment) : or(isNull(templates.segment), eq(templates.segment, segment)),
      ),
    )
    .orderBy(templates.delayDays, templates.delayHours, templates.name);
}

/** Inserts queue rows, skipping (lead, template) pairs already queued; returns how many were new. */
export async function insertOutboundIfAbsent(db: Db, rows: (typeof outboundMessages.$inferInsert)[]): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await db
    .insert(outboundMessages)
    .values(rows)
    .onConflictDoNothing({ target: [outboundMessages.leadId, outboundMessages.templateId] })
    .returning({ id: outboundMessages.id });
  return inserted.length;
}

/** The leads of a tenant with these ids (in no particular order; ids of other tenants are left out). */
export async function getLeadRows(db: Db, { tenantId, ids }: { tenantId: string; ids: readonly string[] }): Promise<LeadRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(leads)
    .where(and(eq(leads.tenantId, tenantId), inArray(leads.id, [...ids])));
}

/** What an automatic stop did: how many pending rows it cancelled, and the leads they were of (each once). */
export type DripStop = { cancelled: number; leadIds: string[] };
const dripStopOf = (rows: { id: string; lead_id: string | null }[]): DripStop => ({
  cancelled: rows.length,
  leadIds: [...new Set(rows.flatMap((r) => (r.lead_id ? [r.lead_id] : [])))],
});

/**
 * Conversions were recorded (their ids): for those whose event is one of their tenant's drip_stop_events, the
 * pending drip rows of their subscriber's leads are cancelled with `reason`, in one statement.
 */
export async function cancelPendingDripForConversions(
  db: Db,
  { tenantId, conversionIds, now, reason }: { tenantId: string; conversionIds: string[]; now: Date; reason: { code: string; message: string } },
): Promise<DripStop> {
  if (conversionIds.length === 0) return { cancelled: 0, leadIds: [] };
  const ids = toRecordsetJson(conversionIds);
  const who = sql`select s.id as subscriber_id, s.wa_phone from ${conversions} c
    join ${tenants} t on t.id = c.tenant_id and c.event_name = any(t.drip_stop_events)
    join ${subscribers} s on s.id = c.subscriber_id
    where c.tenant_id = ${tenantId}::uuid and c.id = any(array(select jsonb_array_elements_text(${ids}::jsonb)::uuid))`;
  const rows = rowsOf<{ id: string; lead_id: string | null }>(
    await db.execute(sql`
      update ${outboundMessages} o set status = 'cancelled', error_code = ${reason.code}, error_message = ${reason.message},
          lease_expires_at = null, next_attempt_at = null, updated_at = ${now.toISOString()}::timestamptz
        where o.id in (${subscriberDripRowsSql(tenantId, who)}) and o.tenant_id = ${tenantId}::uuid and o.status = 'pending'
        returning o.id, o.lead_id`),
  );
  return dripStopOf(rows);
}

/** The drip listening settings of a workspace (quiet hours: both or neither; the stop events). */
export async function updateTenantDripSettings(
  db: Db,
  tenantId: string,
  values: Pick<typeof tenants.$inferInsert, "quietHoursStart" | "quietHoursEnd" | "dripStopEvents">,
) {
  const [row] = await db
    .update(tenants)
    .set({ ...values, updatedAt: sql`now()` })
    .where(eq(tenants.id, tenantId))
    .returning({ quietHoursStart: tenants.quietHoursStart, quietHoursEnd: tenants.quietHoursEnd, dripStopEvents: tenants.dripStopEvents });
  return row ?? null;
}

/** Cancels a lead's pending (and not yet sending) rows with a reason; returns how many. */
export async function cancelPendingForLead(
  db: Db,
  { tenantId, leadId, now, code, message }: { tenantId: string; leadId: string; now: Date; code: string; message: string },
): Promise<number> {
  const rows = await db
    .update(outboundMessages)
    .set({ status: "cancelled", errorCode: code, errorMessage: message, leaseExpiresAt: null, nextAttemptAt: null, updatedAt: now })
    .where(and(eq(outboundMessages.tenantId, tenantId), eq(outboundMessages.leadId, leadId), eq(outboundMessages.status, "pending")))
    .returning({ id: outboundMessages.id });
  return rows.length;
}

/**
 * The drip rows of some subscribers' leads, as `select id`: those queued with the subscriber's id, and those
 * of leads with the subscriber's phone (queued before the subscriber was known). `who` selects
 * (subscriber_id uuid, wa_phone text). Both reads use an index (outbound_messages_subscriber_idx;
 * leads_tenant_phone_idx, then outbound_messages_lead_template_key).
 */
export function subscriberDripRowsSql(tenantId: string, who: SQL): SQL {
  return sql`select o.id from (${who}) w join ${outboundMessages} o on o.subscriber_id = w.subscriber_id where o.lead_id is not null
    union
    select o.id from (${who}) w join ${leads} l on l.tenant_id = ${tenantId}::uuid and l.phone = w.wa_phone join ${outboundMessages} o on o.lead_id = l.id`;
}

/**
 * The lead replied: cancels the pending drip rows of these subscribers' leads whose template stops on a reply
 * (templates.stop_on_reply), in one statement for the whole batch; rows of other templates keep going.
 */
export async function cancelPendingDripOnReply(
  db: Db,
  {
    tenantId,
    subscribers: who,
    now,
    reason,
  }: { tenantId: string; subscribers: { id: string; waPhone: string | null }[]; now: Date; reason: { code: string; message: string } },
): Promise<DripStop> {
  if (who.length === 0) return { cancelled: 0, leadIds: [] };
  const json = toRecordsetJson(who.map((s) => ({ subscriber_id: s.id, wa_phone: s.waPhone })));
  const rows = rowsOf<{ id: string; lead_id: string | null }>(
    await db.execute(sql`
      update ${outboundMessages} o set status = 'cancelled', error_code = ${reason.code}, error_message = ${reason.message},
          lease_expires_at = null, next_attempt_at = null, updated_at = ${now.toISOString()}::timestamptz
        from ${templates} t
        where o.id in (${subscriberDripRowsSql(tenantId, sql`select * from jsonb_to_recordset(${json}::jsonb) as x(subscriber_id uuid, wa_phone text)`)})
          and o.tenant_id = ${tenantId}::uuid and o.status = 'pending' and t.id = o.template_id and t.stop_on_reply
        returning o.id, o.lead_id`),
  );
  return dripStopOf(rows);
}

export async function updateLeadRow(
  db: Db,
  { tenantId, id }: { tenantId: string; id: string },
  values: Partial<typeof leads.$inferInsert>,
): Promise<LeadRow | null> {
  const [row] = await db
    .update(leads)
    .set({ ...values, updatedAt: sql`now()` })
    .where(and(eq(leads.tenantId, tenantId), eq(leads.id, id)))
    .returning();
  return row ?? null;
}

/** What a claim writes on each row it takes: sending, one attempt more, leased to `owner` for `leaseMs`. */
const claimedBy = (owner: string, now: Date, leaseMs: number) => ({
  status: "sending" as const,
  attempts: sql`${outboundMessages.attempts} + 1`,
  leaseExpiresAt: new Date(now.getTime() + leaseMs),
  leaseOwner: owner,
  sendStartedAt: null,
  updatedAt: now,
});
/**
 * Claims due rows for sending: pending ones whose time (and retry time) has come, and `sending` ones whose
 * lease expired before their send began (a crashed or stalled run). Rows of inactive numbers stay where they
 * are. `FOR UPDATE SKIP LOCKED` lets any number of runs claim side by side without ever taking the same row;
 * each claim counts an attempt and names its run as the row's lease owner.
 */
export async function claimDueOutbound(
  db: Db,
  { now, limit, leaseMs, runId }: { now: Date; limit: number; leaseMs: number; runId?: string },
): Promise<OutboundRow[]> {
  const nowIso = now.toISOString();
  // a row whose send began is never taken over: the provider may have it (failUnconfirmedOutbound settles it)
  // a number another run is sending for is left to that run (its rate holds across runs)
  const free = runId
    ? sql`and (n.id is null or n.drip_lease_until is null or n.drip_lease_until < ${nowIso}::timestamptz or n.drip_lease_owner = ${runId}::uuid)`
    : sql``;
  const due = sql`select o.id from ${outboundMessages} o
    left join ${whatsappNumbers} n on n.id = o.number_id
    where ((o.status = 'pending' and o.scheduled_at <= ${nowIso}::timestamptz and (o.next_attempt_at is null or o.next_attempt_at <= ${nowIso}::timestamptz))
        or (o.status = 'sending' and o.lease_expires_at < ${nowIso}::timestamptz and o.send_started_at is null))
      and (n.id is null or n.active) ${free}
    order by o.scheduled_at
    limit ${limit}
    for update of o skip locked`;
  return db
    .update(outboundMessages)
    .set(claimedBy(runId ?? randomUUID(), now, leaseMs))
    .where(sql`${outboundMessages.id} in (${due})`)
    .returning();
}

/**
 * The drip run's claim: each active number's due rows, oldest first, up to that number's own quota, so a fast
 * number gets as many rows as it can send and a slow one's backlog never fills a claim. `wants` gives the quota of
 * the numbers the run already sends for (0: none this time); any other active number gets `rate × lookaheadMs`
 * (at least 1, at most `maxPerNumber`). Numbers another run holds are left to it. Rows without a number, and
 * `sending` rows whose lease expired before their send began (a crashed or stalled run), come along up to
 * `maxPerNumber` each. Same claim as claimDueOutbound: SKIP LOCKED, an attempt counted, this run as the lease owner.
 */
export async function claimDueOutboundByNumber(
  db: Db,
  {
    now,
    leaseMs,
    runId,
    wants,
    lookaheadMs,
    maxPerNumber,
  }: { now: Date; leaseMs: number; runId: string; wants: readonly { numberId: string; n: number }[]; lookaheadMs: number; maxPerNumber: number },
): Promise<OutboundRow[]> {
  const nowIso = now.toISOString();
  const json = toRecordsetJson(wants.map((w) => ({ number_id: w.numberId, n: Math.max(0, Math.floor(w.n)) })));
  const free = sql`(n.drip_lease_until is null or n.drip_lease_until < ${nowIso}::timestamptz or n.drip_lease_owner = ${runId}::uuid)`;
  // FOR UPDATE takes no window function, so each number's quota is its own LIMIT in a lateral subquery
  const due = sql`with want as (
      select n.id, least(coalesce(x.n, greatest(1, ceil(n.send_rate_per_second * ${lookaheadMs}::float8 / 1000)::int)), ${maxPerNumber}::int) as n
        from ${whatsappNumbers} n
        left join jsonb_to_recordset(${json}::jsonb) as x(number_id uuid, n int) on x.number_id = n.id
        where n.active and ${free}
    )
    select p.id from want w cross join lateral (
      select o.id from ${outboundMessages} o
        where o.number_id = w.id and o.status = 'pending' and o.scheduled_at <= ${nowIso}::timestamptz
          and (o.next_attempt_at is null or o.next_attempt_at <= ${nowIso}::timestamptz)
        order by o.scheduled_at
        limit w.n
        for update of o skip locked
    ) p
    where w.n > 0
    union all
    select id from (
      select o.id from ${outboundMessages} o
        where o.number_id is null and o.status = 'pending' and o.scheduled_at <= ${nowIso}::timestamptz
          and (o.next_attempt_at is null or o.next_attempt_at <= ${nowIso}::timestamptz)
        order by o.scheduled_at
        limit ${maxPerNumber}::int
        for update of o skip locked
    ) orphans
    union all
    select id from (
      select o.id from ${outboundMessages} o
        left join ${whatsappNumbers} n on n.id = o.number_id
        where o.status = 'sending' and o.lease_expires_at < ${nowIso}::timestamptz and o.send_started_at is null
          and (n.id is null or (n.active and ${free}))
        order by o.scheduled_at
        limit ${maxPerNumber}::int
        for update of o skip locked
    ) expired`;
  return db
    .update(outboundMessages)
    .set(claimedBy(runId, now, leaseMs))
    .where(sql`${outboundMessages.id} in (${due})`)
    .returning();
}

/** A claim: the run that holds the row and the attempt it claimed. */
export type OutboundClaim = { id: string; runId: string; attempts: number };

/** A claimed row about to go to the provider: `until` is its renewed lease. */
export type OutboundBegin = OutboundClaim & { numberId: string | null; now: Date; until: Date };

/**
 * The last check before rows go to the provider, any number in one statement: each row's run still owns it
 * and its lease (and the number's lease) has not run out. It marks each send as begun and renews its lease;
 * false (in the claims' order) means the row was taken over (or the lease lapsed) and must not be sent.
 */
export async function beginOutboundSends(db: Db, claims: readonly OutboundBegin[]): Promise<boolean[]> {
  if (claims.length === 0) return [];
  const json = toRecordsetJson(claims.map((c) => ({ id: c.id, run_id: c.runId, attempts: c.attempts, number_id: c.numberId, now: c.now, until: c.until })));
  const begun = rowsOf<{ id: string }>(
    await db.execute(sql`
      with v as (
        select * from jsonb_to_recordset(${json}::jsonb) as x(id uuid, run_id uuid, attempts int, number_id uuid, now timestamptz, until timestamptz)
      )
      update ${outboundMessages} o set send_started_at = v.now, lease_expires_at = v.until, updated_at = v.now
        from v
        where o.id = any(array(select id from v)) and o.id = v.id
          and o.lease_owner = v.run_id and o.attempts = v.attempts and o.status = 'sending'
          and o.send_started_at is null and o.lease_expires_at > v.now
          and (v.number_id is null or exists (
            select 1 from ${whatsappNumbers} n where n.id = v.number_id and n.drip_lease_owner = v.run_id and n.drip_lease_until > v.now))
        returning o.id`),
  );
  const ids = new Set(begun.map((r) => r.id));
  return claims.map((c) => ids.has(c.id));
}

/**
 * The run's heartbeat: extends the leases it still holds (rows and numbers) that have not run out yet. A row
 * another statement is writing right now (its send beginning, its outcome) is skipped rather than waited for:
 * that statement renews or ends its lease itself, and waiting on rows in another order than it could deadlock.
 */
export async function renewDripLeases(db: Db, { runId, now, until }: { runId: string; now: Date; until: Date }): Promise<{ rows: number; numbers: number }> {
  const held = sql`select o.id from ${outboundMessages} o
    where o.status = 'sending' and o.lease_owner = ${runId}::uuid and o.lease_expires_at > ${now.toISOString()}::timestamptz
    for update skip locked`;
  const [rows, numbers] = await Promise.all([
    db
      .update(outboundMessages)
      .set({ leaseExpiresAt: until })
      .where(sql`${outboundMessages.id} in (${held})`)
      .returning({ id: outboundMessages.id }),
    db
      .update(whatsappNumbers)
      .set({ dripLeaseUntil: until })
      .where(and(eq(whatsappNumbers.dripLeaseOwner, runId), gt(whatsappNumbers.dripLeaseUntil, now)))
      .returning({ id: whatsappNumbers.id }),
  ]);
  return { rows: rows.length, numbers: numbers.length };
}

export const SEND_UNCONFIRMED = {
  code: "send_unconfirmed",
  message: "it may have reached the provider, so it is not sent again automatically; retry it from the queue monitor if the customer did not get it",
} as const;

/**
 * Rows whose run stopped after their send began (lease run out, no answer recorded): they may have been
 * delivered, so they fail as `send_unconfirmed` instead of being sent again. The owner stays on the row,
 * so a late answer from that run is still recorded. `failed` collects their ids.
 */
export async function failUnconfirmedOutbound(db: Db, { now, failed }: { now: Date; failed?: string[] }): Promise<number> {
  const rows = await db
    .update(outboundMessages)
    .set({
      status: "failed",
      errorCode: SEND_UNCONFIRMED.code,
      errorMessage: `The run sending this message stopped before the provider answered: ${SEND_UNCONFIRMED.message}`,
      leaseExpiresAt: null,
      nextAttemptAt: null,
      updatedAt: now,
    })
    .where(and(eq(outboundMessages.status, "sending"), isNotNull(outboundMessages.sendStartedAt), lt(outboundMessages.leaseExpiresAt, now)))
    .returning({ id: outboundMessages.id });
  failed?.push(...rows.map((r) => r.id));
  return rows.length;
}

export type OutboundOutcome = Partial<
  Pick<
    OutboundRow,
    | "status"
    | "renderedText"
    | "providerMessageId"
    | "sentAt"
    | "errorCode"
    | "errorMessage"
    | "providerResponse"
    | "nextAttemptAt"
    | "subscriberId"
    | "scheduledAt"
    | "attempts"
  >
>;
/** How a row that becomes `sent` went out, for its messages row: free text, or the bound Meta template. */
export type OutboundSentAs = { type: "text" } | { type: "template"; template: { name: string; language: string } };
export type OutboundFinish = OutboundClaim & { outcome: OutboundOutcome; now: Date; sentAs?: OutboundSentAs };

const OUTCOME_COLUMNS: readonly [keyof OutboundOutcome, string, string][] = [
  ["status", "status", "text"],
  ["renderedText", "rendered_text", "text"],
  ["providerMessageId", "provider_message_id", "text"],
  ["sentAt", "sent_at", "timestamptz"],
  ["errorCode", "error_code", "text"],
  ["errorMessage", "error_message", "text"],
  ["providerResponse", "provider_response", "jsonb"],
  ["nextAttemptAt", "next_attempt_at", "timestamptz"],
  ["subscriberId", "subscriber_id", "uuid"],
  ["scheduledAt", "scheduled_at", "timestamptz"],
  ["attempts", "attempts", "int"],
];
const outcomeAssignments = sql.raw(
  OUTCOME_COLUMNS.map(([field, column, type]) => {
    const value = type === "jsonb" ? `nullif(v.p->'${field}', 'null'::jsonb)` : `(v.p->>'${field}')::${type}`;
    return `${column} = case when v.p ? '${field}' then ${value} else o.${column} end`;
  }).join(",\n          "),
);

/** The payload key of a messages row a drip send left: the outbound_messages row it came from. */
export const DRIP_OUTBOUND_KEY = "drip_outbound_id";

// A sent row of a known subscriber and number becomes its outbound messages row (Meta's type, the rendered text as
// its preview, the template under Meta's key so the transcript reads it, the drip row, template and name), in the
// chat's latest conversation while its window is open (as a reply takes it), with any status a webhook already
// brought; a provider id already stored (a repeated or late answer) inserts nothing.
// The chats are read by subscriber (chats_subscriber_number_key) before the join: joined directly, a young table's
// missing statistics can make the planner walk chats_tenant_number_last_message_idx, every chat of the number per row.
const POST_SENT = sql.raw(`
      sent_chats as materialized (
        select subscriber_id, number_id, tenant_id, window_expires_at, latest_conversation_id from chats
          where subscriber_id = any(array(select subscriber_id from sent where subscriber_id is not null))
      ),
      posted as (
        insert into messages (tenant_id, subscriber_id, conversation_id, number_id, direction, wamid, type, text_preview, payload, status,
            sent_at, delivered_at, read_at, provider_timestamp, demo)
          select d.tenant_id, d.subscriber_id, case when ch.window_expires_at > d.sent_at then ch.latest_conversation_id end, d.number_id,
              'outbound', d.provider_message_id, d.type, d.rendered_text,
              jsonb_strip_nulls(jsonb_build_object('type', d.type, 'template', d.sent_as->'template', '${DRIP_OUTBOUND_KEY}', d.id,
                'drip_template_id', d.template_id, 'drip_template_name', d.template_name)),
              case when d.read_at is not null then 'read' when d.delivered_at is not null then 'delivered' else 'sent' end,
              d.sent_at, coalesce(d.delivered_at, d.read_at), d.read_at, d.sent_at, d.demo
            from (select *, coalesce(sent_as->>'type', 'text') as type from sent
              where subscriber_id is not null and number_id is not null and provider_message_id is not null) d
              left join sent_chats ch on ch.subscriber_id = d.subscriber_id and ch.number_id = d.number_id and ch.tenant_id = d.tenant_id
            order by d.tenant_id, d.provider_message_id
          on conflict (tenant_id, wamid) do nothing
          returning id, tenant_id, subscriber_id, number_id, conversation_id, type, text_preview, provider_timestamp, demo
      ),`);

type Posted = {
  id: string;
  tenant_id: string;
  subscriber_id: string;
  number_id: string;
  conversation_id: string | null;
  type: string;
  text_preview: string | null;
  provider_timestamp: string | Date;
  demo: boolean;
};

/**
 * Records claimed rows' outcomes, any number in one statement, each only while its claim still holds the
 * row (same run and attempt, still sending, or settled as `send_unconfirmed` after its lease ran out: the
 * provider's late answer is the truth). A row that becomes `sent` counts on its subscriber (outboundCount,
 * lastOutboundAt, lastOutboundMessageId) and its lead (lastWhatsappSentAt) in the same statement, so the
 * counters and the queue never disagree; there too it becomes the subscriber's outbound messages row (once: by
 * its provider id), applied to the chat in the same transaction (upsertChatsForMessages). Answers, in the
 * finishes' order, whether each was recorded.
 */
export async function finishOutbounds(db: Db, finishes: readonly OutboundFinish[]): Promise<boolean[]> {
  if (finishes.length === 0) return [];
  // a batch that sends to no known subscriber (none, or each subscriberId null) is one statement; one that may
  // post messages adds the chats' statement, in a transaction
  const posts = finishes.some((f) => f.outcome.status === "sent" && f.outcome.subscriberId !== null);
  // a failed row is reported to outgoing webhooks (outbound.failed) in the same transaction
  const failed = finishes.filter((f) => f.outcome.status === "failed").map((f) => f.id);
  const record = async (tx: Db) => {
    const done = await recordFinishes(tx, finishes);
    if (failed.length > 0)
      await insertDripFailedEvents(
        tx,
        failed.filter((id) => done.includes(id)),
      );
    return done;
  };
  const ids = new Set(posts || failed.length > 0 ? await db.transaction((tx) => record(tx)) : await recordFinishes(db, finishes));
  return finishes.map((f) => ids.has(f.id));
}

async function recordFinishes(db: Db, finishes: readonly OutboundFinish[]): Promise<string[]> {
  const json = toRecordsetJson(finishes.map((f) => ({ id: f.id, run_id: f.runId, attempts: f.attempts, p: f.outcome, now: f.now, sent_as: f.sentAs ?? null })));
  const rows = rowsOf<{ id: string; posted: Posted | null }>(
    await db.execute(sql`
      with v as (
        select * from jsonb_to_recordset(${json}::jsonb) as x(id uuid, run_id uuid, attempts int, p jsonb, now timestamptz, sent_as jsonb)
      ),
      done as (
        update ${outboundMessages} o set
            ${outcomeAssignments},
            lease_expires_at = null, updated_at = v.now
          from v
          where o.id = any(array(select id from v)) and o.id = v.id and o.lease_owner = v.run_id and o.attempts = v.attempts
            and (o.status = 'sending' or (o.status = 'failed' and o.error_code = ${SEND_UNCONFIRMED.code} and o.send_started_at is not null))
          returning o.id, o.tenant_id, o.status, o.subscriber_id, o.lead_id, o.sent_at, o.provider_message_id, o.number_id, o.template_id,
            o.template_name, o.rendered_text, o.delivered_at, o.read_at, o.demo, v.sent_as
      ),
      sent as (select * from done where status = 'sent' and sent_at is not null),
      counted as (
        update ${subscribers} s set
            outbound_count = s.outbound_count + d.n,
            last_outbound_message_id = case when s.last_outbound_at is null or d.at >= s.last_outbound_at then d.wamid else s.last_outbound_message_id end,
            last_outbound_at = greatest(s.last_outbound_at, d.at)
          from (
            select subscriber_id, tenant_id, count(*)::int as n, max(sent_at) as at,
              (array_agg(provider_message_id order by sent_at desc, id desc))[1] as wamid
            from sent where subscriber_id is not null group by subscriber_id, tenant_id
          ) d
          where s.id = d.subscriber_id and s.tenant_id = d.tenant_id
      ),
      touched as (
        update ${leads} l set last_whatsapp_sent_at = greatest(l.last_whatsapp_sent_at, d.at)
          from (select lead_id, tenant_id, max(sent_at) as at from sent where lead_id is not null group by lead_id, tenant_id) d
          where l.id = d.lead_id and l.tenant_id = d.tenant_id
      ),${POST_SENT}
      answered as (select id, null::jsonb as posted from done)
      select * from answered
      union all
      select null, to_jsonb(p) from posted p`),
  );
  const posted = rows.flatMap((r) => (r.posted ? [r.posted] : []));
  const at = new Date(Math.max(...finishes.map((f) => f.now.getTime())));
  for (const tenantId of new Set(posted.map((p) => p.tenant_id))) {
    await upsertChatsForMessages(db, {
      tenantId,
      now: at,
      rows: posted
        .filter((p) => p.tenant_id === tenantId)
        .map((p) => ({
          id: p.id,
          subscriberId: p.subscriber_id,
          numberId: p.number_id,
          conversationId: p.conversation_id,
          direction: "outbound" as const,
          type: p.type,
          textPreview: p.text_preview,
          providerTimestamp: new Date(p.provider_timestamp),
          unread: false,
          demo: p.demo,
        })),
    });
  }
  return rows.flatMap((r) => (r.id ? [r.id] : []));
}

/** What a batch of claimed rows needs to be sent: their leads, subscribers, numbers, templates and segment values. */
export async function loadDispatchContext(db: Db, rows: OutboundRow[]) {
  const ids = <T>(values: (T | null)[]) => [...new Set(values.filter((v): v is T => v !== null))];
  const leadIds = ids(rows.map((r) => r.leadId));
  const numberIds = ids(rows.map((r) => r.numberId));
  const templateIds = ids(rows.map((r) => r.templateId));
  const tenantIds = ids(rows.map((r) => r.tenantId));
  const [leadRows, numberRows, templateRows, tenantRows] = await Promise.all([
    leadIds.length ? db.select().from(leads).where(inArray(leads.id, leadIds)) : [],
    numberIds.length ? db.select().from(whatsappNumbers).where(inArray(whatsappNumbers.id, numberIds)) : [],
    templateIds.length ? db.select().from(templates).where(inArray(templates.id, templateIds)) : [],
    tenantIds.length
      ? db
          .select({
            id: tenants.id,
            segmentVariables: tenants.segmentVariables,
            quietHoursStart: tenants.quietHoursStart,
            quietHoursEnd: tenants.quietHoursEnd,
          })
          .from(tenants)
          .where(inArray(tenants.id, tenantIds))
      : [],
  ]);
  const subscriberIds = ids([...rows.map((r) => r.subscriberId), ...leadRows.map((l) => l.subscriberId)]);
  const phones = ids(rows.map((r) => r.phone));
  const subscriberRows = await db
    .select({
      id: subscribers.id,
      tenantId: subscribers.tenantId,
      waPhone: subscribers.waPhone,
      status: subscribers.status,
      marketingPreference: subscribers.marketingPreference,
      profileName: subscribers.profileName,
      conversationExpiresAt: subscribers.conversationExpiresAt,
      // the number of their newest message: the conversation's window is with that number only
      conversationNumberId: subscribers.numberId,
      timezone: subscribers.timezone,
    })
    .from(subscribers)
    .where(
      and(
        inArray(subscribers.tenantId, tenantIds),
        or(subscriberIds.length ? inArray(subscribers.id, subscriberIds) : sql`false`, phones.length ? inArray(subscribers.waPhone, phones) : sql`false`),
      ),
    );
  return {
    leads: new Map(leadRows.map((l) => [l.id, l])),
    numbers: new Map(numberRows.map((n) => [n.id, n])),
    templates: new Map(templateRows.map((t) => [t.id, t])),
    segmentVariables: new Map(tenantRows.map((t) => [t.id, t.segmentVariables])),
    quietHours: new Map(tenantRows.map((t) => [t.id, { quietHoursStart: t.quietHoursStart, quietHoursEnd: t.quietHoursEnd }])),
    subscribersById: new Map(subscriberRows.map((s) => [s.id, s])),
    subscribersByPhone: new Map(subscriberRows.map((s) => [`${s.tenantId}:${s.waPhone}`, s])),
  };
}
export type DispatchContext = Awaited<ReturnType<typeof loadDispatchContext>>;

export type QueueFilters = { tenantId: string; status?: OutboundRow["status"]; numberId?: string; templateId?: string; leadId?: string };

const queueWhere = (f: QueueFilters) =>
  and(
    eq(outboundMessages.tenantId, f.tenantId),
    f.status ? eq(outboundMessages.status, f.status) : undefined,
    f.numberId ? eq(outboundMessages.numberId, f.numberId) : undefined,
    f.templateId ? eq(outboundMessages.templateId, f.templateId) : undefined,
    f.leadId ? eq(outboundMessages.leadId, f.leadId) : undefined,
  );

/**
 * The queue's failures as a condition (db/outbound-failures.ts): what the Failed figure, the Failures view and the
 * dashboard count, so they always agree. Cancelled messages are not failures.
 */
export function isOutboundFailure(): SQL {
  return inArray(outboundMessages.status, [...OUTBOUND_FAILURE_STATUSES]);
}

/** The queue monitor's figures: rows per status, failures (isOutboundFailure), due now, the oldest due row, sends per hour over the last 24 h. */
export async function queueStats(db: Db, f: QueueFilters & { now: Date }) {
  const where = queueWhere(f);
  const [byStatus, [failures], [due], perHour] = await Promise.all([
    db
      .select({ status: outboundMessages.status, n: sql<number>`count(*)::int` })
      .from(outboundMessages)
      .where(where)
      .groupBy(outboundMessages.status),
    db
      .select({ n: sql<number>`count(*)::int` })
      .from(outboundMessages)
      .where(and(where, isOutboundFailure())),
    db
      .select({ n: sql<number>`count(*)::int`, oldest: sql<Date | string | null>`min(${outboundMessages.scheduledAt})` })
      .from(outboundMessages)
      .where(and(where, eq(outboundMessages.status, "pending"), lte(outboundMessages.scheduledAt, f.now))),
    db
      .select({
        hour: sql<string>`to_char(date_trunc('hour', ${outboundMessages.sentAt} at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:00:00"Z"')`,
        n: sql<number>`count(*)::int`,
      })
      .from(outboundMessages)
      .where(and(where, eq(outboundMessages.status, "sent"), gte(outboundMessages.sentAt, new Date(f.now.getTime() - 24 * 3_600_000))))
      .groupBy(sql`1`)
      .orderBy(sql`1`),
  ]);
  return {
    byStatus,
    failures: Number(failures?.n ?? 0),
    due: Number(due?.n ?? 0),
    oldestDue: due?.oldest ? new Date(due.oldest) : null,
    perHour: perHour.map((r) => ({ hour: r.hour, sent: Number(r.n) })),
  };
}

/** One page of the queue, newest schedule first, with the lead's name and the number's label. */
export async function listQueueRows(db: Db, f: QueueFilters & { cursor?: Cursor; limit: number; order?: "desc" | "asc" }) {
  const asc = f.order === "asc";
  return db
    .select({ row: outboundMessages, leadName: leads.name, numberLabel: whatsappNumbers.label })
    .from(outboundMessages)
    .leftJoin(leads, eq(leads.id, outboundMessages.leadId))
    .leftJoin(whatsappNumbers, eq(whatsappNumbers.id, outboundMessages.numberId))
    .where(
      and(
        queueWhere(f),
        asc
          ? afterCursor(outboundMessages.scheduledAt, outboundMessages.id, f.cursor)
          : beforeCursor(outboundMessages.scheduledAt, outboundMessages.id, f.cursor),
      ),
    )
    .orderBy(...(asc ? oldestFirst(outboundMessages.scheduledAt, outboundMessages.id) : newestFirst(outboundMessages.scheduledAt, outboundMessages.id)))
    .limit(f.limit + 1);
}

export async function getOutboundRow(db: Db, { tenantId, id }: { tenantId: string; id: string }): Promise<OutboundRow | null> {
  return takeFirstOrNull(
    await db
      .select()
      .from(outboundMessages)
      .where(and(eq(outboundMessages.tenantId, tenantId), eq(outboundMessages.id, id)))
      .limit(1),
  );
}

/** A failed, skipped or cancelled row back to pending, due now, attempts from zero. */
export async function requeueOutbound(db: Db, { tenantId, id, now }: { tenantId: string; id: string; now: Date }): Promise<OutboundRow | null> {
  const [row] = await db
    .update(outboundMessages)
    .set({ status: "pending", attempts: 0, nextAttemptAt: null, scheduledAt: now, leaseExpiresAt: null, errorCode: null, errorMessage: null, updatedAt: now })
    .where(and(eq(outboundMessages.tenantId, tenantId), eq(outboundMessages.id, id), inArray(outboundMessages.status, ["failed", "skipped", "cancelled"])))
    .returning();
  return row ?? null;
}

/** Cancels one pending row by hand. */
export async function cancelOutbound(db: Db, { tenantId, id, now }: { tenantId: string; id: string; now: Date }): Promise<OutboundRow | null> {
  const [row] = await db
    .update(outboundMessages)
    .set({
      status: "cancelled",
      errorCode: "cancelled_by_user",
      errorMessage: "Cancelled from the queue monitor",
      leaseExpiresAt: null,
      nextAttemptAt: null,
      updatedAt: now,
    })
    .where(and(eq(outboundMessages.tenantId, tenantId), eq(outboundMessages.id, id), eq(outboundMessages.status, "pending")))
    .returning();
  return row ?? null;
}

/** Takes (or renews) a number's sending lease for this run; false while another run holds it. */
export async function acquireNumberLease(
  db: Db,
  { numberId, runId, now, until }: { numberId: string; runId: string; now: Date; until: Date },
): Promise<boolean> {
  const rows = await db
    .update(whatsappNumbers)
    .set({ dripLeaseOwner: runId, dripLeaseUntil: until })
    .where(
      and(
        eq(whatsappNumbers.id, numberId),
        or(isNull(whatsappNumbers.dripLeaseUntil), lte(whatsappNumbers.dripLeaseUntil, now), eq(whatsappNumbers.dripLeaseOwner, runId)),
      ),
    )
    .returning({ id: whatsappNumbers.id });
  return rows.length > 0;
}

/** Gives back every number lease this run holds. */
export async function releaseNumberLeases(db: Db, { runId }: { runId: string }): Promise<void> {
  await db.update(whatsappNumbers).set({ dripLeaseOwner: null, dripLeaseUntil: null }).where(eq(whatsappNumbers.dripLeaseOwner, runId));
}

/** Puts rows this run claimed but will not send (their number is another run's) back as they were. */
export async function unclaimOutbound(db: Db, { runId, rows }: { runId: string; rows: Pick<OutboundRow, "id" | "attempts">[] }): Promise<void> {
  if (rows.length === 0) return;
  const json = toRecordsetJson(rows.map((r) => ({ id: r.id, attempts: r.attempts })));
  await db.execute(sql`
    with v as (select * from jsonb_to_recordset(${json}::jsonb) as x(id uuid, attempts int))
    update ${outboundMessages} o set status = 'pending', attempts = v.attempts - 1, lease_expires_at = null, lease_owner = null
      from v
      where o.id = any(array(select id from v)) and o.id = v.id and o.lease_owner = ${runId}::uuid and o.attempts = v.attempts
        and o.status = 'sending' and o.send_started_at is null`);
}
