// conversions: one row per (tenant, event_id), written together with its delivery job; the log the
// console and the API read (keyset pages on the filter indexes of migration 0005).
import { and, eq, gte, inArray, isNotNull, lt, sql } from "drizzle-orm";
import type { Db } from "../client";
import { conversations, conversions, jobs, type NewConversion, outboundMessages, subscribers, tenants, whatsappNumbers } from "../schema";
import type { NumberRow } from "./numbers";
import { rowsOf } from "../migrations-info";
import { subscriberDripRowsSql } from "./drip";
import { leadStoppedEventsSql } from "./webhooks-out";
import { toRecordsetJson } from "./messages";
import { type Cursor, beforeCursor, takeFirstOrNull, newestFirst } from "./keyset";

export type ConversionRow = typeof conversions.$inferSelect;
export type ConversionStatus = ConversionRow["status"];

export type ConversionKeyRow = Pick<ConversionRow, "id" | "eventId" | "eventName" | "status" | "conversationId" | "warnings" | "requestHash">;

/** What a repeated eventId is answered with (or refused against): the first conversion's key facts. */
export async function findConversionByEventId(db: Db, { tenantId, eventId }: { tenantId: string; eventId: string }): Promise<ConversionKeyRow | null> {
  const rows = await db
    .select({
      id: conversions.id,
      eventId: conversions.eventId,
      eventName: conversions.eventName,
      status: conversions.status,
      conversationId: conversions.conversationId,
      warnings: conversions.warnings,
      requestHash: conversions.requestHash,
    })
    .from(conversions)
    .where(and(eq(conversions.tenantId, tenantId), eq(conversions.eventId, eventId)))
    .limit(1);
  return takeFirstOrNull(rows);
}

export async function getConversionRow(db: Db, { tenantId, id }: { tenantId: string; id: string }): Promise<ConversionRow | null> {
  return takeFirstOrNull(
    await db
      .select()
      .from(conversions)
      .where(and(eq(conversions.tenantId, tenantId), eq(conversions.id, id)))
      .limit(1),
  );
}

export type ConversionJob = {
  kind: string;
  maxAttempts: number;
  runAt: Date;
  /** the request that stores it delivers it at once: the job is born claimed (attempt 1, leased until then) */
  claimedUntil?: Date;
};

/** Inserts conversions whose (tenant, event_id) is new, with their jobs (automatic events of a webhook batch). */
export async function insertConversionsIfAbsent(db: Db, { rows, job }: { rows: (NewConversion & { id: string })[]; job: ConversionJob }): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await db
    .insert(conversions)
    .values(rows)
    .onConflictDoNothing({ target: [conversions.tenantId, conversions.eventId] })
    .returning({ id: conversions.id, tenantId: conversions.tenantId });
  if (inserted.length > 0) {
    await db.insert(jobs).values(
      inserted.map((r) => ({
        tenantId: r.tenantId,
        kind: job.kind,
        dedupeKey: r.id,
        payload: { tenantId: r.tenantId, conversionId: r.id },
        runAt: job.runAt,
        maxAttempts: job.maxAttempts,
      })),
    );
  }
  return inserted.length;
}

export type ConversionNumber = Pick<NumberRow, "id" | "label" | "provider" | "wabaId" | "datasetId" | "accessTokenEnc" | "demo">;

/** Everything a new conversion request needs, in one round trip: an earlier conversion with its eventId, the number, the click conversation. */
export type ConversionContext = {
  duplicate: ConversionKeyRow | null;
  number: ConversionNumber | null;
  conversation: ClickConversation | null;
  /** by phone: whether anybody with that phone wrote to this tenant */
  subscriberFound: boolean;
};

type ContextRow = {
  dup_id: string | null;
  dup_event_id: string | null;
  dup_event_name: string | null;
  dup_status: ConversionStatus | null;
  dup_conversation_id: string | null;
  dup_warnings: string[] | null;
  dup_request_hash: string | null;
  n_id: string | null;
  n_label: string | null;
  n_provider: string | null;
  n_waba_id: string | null;
  n_dataset_id: string | null;
  n_access_token_enc: string | null;
  n_demo: boolean | null;
  subscriber_found: string | null;
  c_id: string | null;
  c_subscriber_id: string | null;
  c_number_id: string | null;
  c_ctwa_clid: string | null;
  c_started_at: Date | string | null;
  c_ad_id: string | null;
};

type ContextParams = { tenantId: string; eventId: string; numberId: string; conversationId?: string; waPhone?: string };

/**
 * The context in one row: the number, the click conversation and (`withDuplicate`) an earlier conversion
 * with this eventId.
 */
function conversionContextSql({ tenantId, eventId, numberId, conversationId, waPhone }: ContextParams, { withDuplicate }: { withDuplicate: boolean }) {
  const conversationColumns = sql`id, subscriber_id, number_id, ctwa_clid, started_at, ad_id`;
  const target = conversationId
    ? sql`null::uuid as subscriber_found from (select 1) one
        left join lateral (select ${conversationColumns} from ${conversations} where tenant_id = ${tenantId} and id = ${conversationId}) c on true`
    : sql`s.id as subscriber_found from (select 1) one
        left join ${subscribers} s on s.tenant_id = ${tenantId} and s.wa_phone = ${waPhone ?? ""}
        left join lateral (select ${conversationColumns} from ${conversations}
          where subscriber_id = s.id and tenant_id = ${tenantId} and number_id = ${numberId} and ctwa_clid is not null
          order by started_at desc nulls last limit 1) c on true`;
  return sql`
      select d.id as dup_id, d.event_id as dup_event_id, d.event_name as dup_event_name, d.status as dup_status, d.conversation_id as dup_conversation_id,
        d.warnings as dup_warnings, d.request_hash as dup_request_hash,
        n.id as n_id, n.label as n_label, n.provider as n_provider, n.waba_id as n_waba_id, n.dataset_id as n_dataset_id, n.access_token_enc as n_access_token_enc, n.demo as n_demo,
        c.id as c_id, c.subscriber_id as c_subscriber_id, c.number_id as c_number_id, c.ctwa_clid as c_ctwa_clid, c.started_at as c_started_at, c.ad_id as c_ad_id,
        ${target}
      left join ${conversions} d on ${withDuplicate ? sql`d.tenant_id = ${tenantId} and d.event_id = ${eventId}` : sql`false`}
      left join ${whatsappNumbers} n on n.tenant_id = ${tenantId} and n.id = ${numberId}`;
}

function toConversionContext(row: ContextRow | undefined): ConversionContext {
  if (!row) throw new Error("the context query returned no row");
  return {
    duplicate: row.dup_id
      ? {
          id: row.dup_id,
          eventId: row.dup_event_id!,
          eventName: row.dup_event_name!,
          status: row.dup_status!,
          conversationId: row.dup_conversation_id,
          warnings: row.dup_warnings ?? [],
          requestHash: row.dup_request_hash!,
        }
      : null,
    number: row.n_id
      ? {
          id: row.n_id,
          label: row.n_label!,
          provider: row.n_provider as ConversionNumber["provider"],
          wabaId: row.n_waba_id,
          datasetId: row.n_dataset_id,
          accessTokenEnc: row.n_access_token_enc,
          demo: row.n_demo === true,
        }
      : null,
    conversation: row.c_id
      ? {
          id: row.c_id,
          subscriberId: row.c_subscriber_id!,
          numberId: row.c_number_id,
          ctwaClid: row.c_ctwa_clid,
          startedAt: new Date(row.c_started_at!),
          adId: row.c_ad_id,
        }
      : null,
    subscriberFound: row.subscriber_found !== null,
  };
}

export async function loadConversionContext(db: Db, params: ContextParams): Promise<ConversionContext> {
  return toConversionContext(rowsOf<ContextRow>(await db.execute(conversionContextSql(params, { withDuplicate: true })))[0]);
}

/** A new conversion's own fields; the number, conversation, subscriber, click id and warnings come from the context. */
export type ConversionInsert = Required<
  Pick<NewConversion, "eventName" | "value" | "currency" | "contentIds" | "emailHash" | "externalIdHash" | "testCode" | "source" | "requestHash">
> & { id: string; tenantId: string; eventId: string; eventTime: Date; createdAt: Date; updatedAt: Date };

/**
 * The context and, when it makes the conversion deliverable, the conversion and its job: one statement,
 * one round trip. The row is written only when the number is a Cloud API number with a WABA id and a
 * dataset and the conversation is on that number with a click id — exactly what createConversion
 * requires, so it explains with the returned context why nothing was written — and when the eventId is
 * new (the unique key decides, as ON CONFLICT DO NOTHING; the context leaves duplicates to the caller).
 * `attributionWindowMs`: a click older than this at the event time stores the `windowWarning`.
 * A new conversion whose event is one of the tenant's drip_stop_events cancels the pending drip rows of its
 * subscriber's leads with `dripStop`, in the same statement, which also emits lead.stopped for those leads
 * (leadStoppedEventsSql). `stopEvents`: the deliveries of those events written (to kick the delivery loop).
 */
export async function insertConversionIfDeliverable(
  db: Db,
  {
    context,
    values,
    job,
    attributionWindowMs,
    windowWarning,
    dripStop,
  }: {
    context: ContextParams;
    values: ConversionInsert;
    job: ConversionJob;
    attributionWindowMs: number;
    windowWarning: string;
    /** the reason written on the drip rows it cancels when its event is one of the tenant's drip_stop_events */
    dripStop: { code: string; message: string };
  },
): Promise<{ context: ConversionContext; inserted: { warnings: string[] } | null; stopEvents: number }> {
  const eventTime = values.eventTime.toISOString();
  // a JS array in a drizzle template would become a list of parameters: pass it as JSON, keep its order
  const contentIds = values.contentIds
    ? sql`coalesce((select array_agg(e order by i) from jsonb_array_elements_text(${JSON.stringify(values.contentIds)}::jsonb) with ordinality as t(e, i)), '{}'::text[])`
    : sql`null::text[]`;
  const rows = rowsOf<ContextRow & { inserted_id: string | null; inserted_warnings: string[] | null; stop_events: number }>(
    await db.execute(sql`
      with ctx as (${conversionContextSql(context, { withDuplicate: false })}),
      ins as (
        insert into ${conversions} (id, tenant_id, number_id, event_id, event_name, event_time, request_hash, conversation_id, subscriber_id, ctwa_clid,
          value, currency, content_ids, email_hash, external_id_hash, test_code, warnings, source, created_at, updated_at)
        select ${values.id}::uuid, ${values.tenantId}::uuid, ctx.n_id, ${values.eventId}, ${values.eventName}, ${eventTime}::timestamptz, ${values.requestHash},
          ctx.c_id, ctx.c_subscriber_id, ctx.c_ctwa_clid, ${values.value ?? null}::numeric, ${values.currency ?? null},
          ${contentIds}, ${values.emailHash ?? null}, ${values.externalIdHash ?? null}, ${values.testCode ?? null},
          case when ${eventTime}::timestamptz - ctx.c_started_at > ${attributionWindowMs}::bigint * interval '1 millisecond' then array[${windowWarning}]::text[] else '{}'::text[] end,
          ${values.source}, ${values.createdAt.toISOString()}::timestamptz, ${values.updatedAt.toISOString()}::timestamptz
        from ctx
        where ctx.n_id is not null and ctx.n_provider = 'cloud' and coalesce(ctx.n_waba_id, '') <> '' and coalesce(ctx.n_dataset_id, '') <> ''
          and ctx.c_id is not null and ctx.c_number_id = ctx.n_id and coalesce(ctx.c_ctwa_clid, '') <> ''
        on conflict (tenant_id, event_id) do nothing
        returning id, warnings
      ),
      job as (
        insert into ${jobs} (tenant_id, kind, dedupe_key, payload, run_at, max_attempts, status, attempts, lease_expires_at)
        select ${values.tenantId}::uuid, ${job.kind}, ins.id::text, jsonb_build_object('tenantId', ${values.tenantId}::text, 'conversionId', ins.id::text),
          ${job.runAt.toISOString()}::timestamptz, ${job.maxAttempts}::int,
          ${job.claimedUntil ? "running" : "pending"}, ${job.claimedUntil ? 1 : 0}::int, ${job.claimedUntil?.toISOString() ?? null}::timestamptz
        from ins
      ),
      stopped as (
        update ${outboundMessages} o set status = 'cancelled', error_code = ${dripStop.code}, error_message = ${dripStop.message},
            lease_expires_at = null, next_attempt_at = null, updated_at = ${values.updatedAt.toISOString()}::timestamptz
          where o.id in (${subscriberDripRowsSql(
            values.tenantId,
            sql`select s.id as subscriber_id, s.wa_phone from ins
              join ctx on true
              join ${tenants} t on t.id = ${values.tenantId}::uuid and ${values.eventName} = any(t.drip_stop_events)
              join ${subscribers} s on s.id = ctx.c_subscriber_id`,
          )})
            and o.tenant_id = ${values.tenantId}::uuid and o.status = 'pending'
          returning o.lead_id
      ),
      ${leadStoppedEventsSql({ tenantId: values.tenantId, leadIds: sql`select lead_id from stopped`, reason: dripStop, now: values.updatedAt })}
      select ctx.*, ins.id as inserted_id, ins.warnings as inserted_warnings, (select count(*) from stop_d)::int as stop_events
        from ctx left join ins on true`),
  );
  const row = rows[0];
  return {
    context: toConversionContext(row),
    inserted: row?.inserted_id ? { warnings: row.inserted_warnings ?? [] } : null,
    stopEvents: Number(row?.stop_events ?? 0),
  };
}

export type ClickConversation = {
  id: string;
  subscriberId: string;
  numberId: string | null;
  ctwaClid: string | null;
  startedAt: Date;
  adId: string | null;
};

const clickColumns = {
  id: conversations.id,
  subscriberId: conversations.subscriberId,
  numberId: conversations.numberId,
  ctwaClid: conversations.ctwaClid,
  startedAt: conversations.startedAt,
  adId: conversations.adId,
};

export async function getConversationForConversion(db: Db, { tenantId, id }: { tenantId: string; id: string }): Promise<ClickConversation | null> {
  return takeFirstOrNull(
    await db
      .select(clickColumns)
      .from(conversations)
      .where(and(eq(conversations.tenantId, tenantId), eq(conversations.id, id)))
      .limit(1),
  );
}

/** The most recent conversation with a click id for this phone on this number (the subscriber by its unique phone, then its conversations newest first). */
export async function findLatestClickConversation(
  db: Db,
  { tenantId, numberId, waPhone }: { tenantId: string; numberId: string; waPhone: string },
): Promise<{ conversation: ClickConversation | null; subscriberFound: boolean }> {
  const latest = db
    .select(clickColumns)
    .from(conversations)
    .where(
      and(
        eq(conversations.subscriberId, subscribers.id),
        eq(conversations.tenantId, tenantId),
        eq(conversations.numberId, numberId),
        isNotNull(conversations.ctwaClid),
      ),
    )
    .orderBy(...newestFirst(conversations.startedAt))
    .limit(1)
    .as("latest");
  const [row] = await db
    .select({
      found: subscribers.id,
      id: latest.id,
      subscriberId: latest.subscriberId,
      numberId: latest.numberId,
      ctwaClid: latest.ctwaClid,
      startedAt: latest.startedAt,
      adId: latest.adId,
    })
    .from(subscribers)
    .leftJoinLateral(latest, sql`true`)
    .where(and(eq(subscribers.tenantId, tenantId), eq(subscribers.waPhone, waPhone)))
    .limit(1);
  if (!row) return { conversation: null, subscriberFound: false };
  const { found: _found, ...c } = row;
  return {
    conversation: c.id && c.subscriberId && c.startedAt ? { ...c, id: c.id, subscriberId: c.subscriberId, startedAt: c.startedAt } : null,
    subscriberFound: true,
  };
}

export type ConversionAttemptPatch = Partial<
  Pick<
    ConversionRow,
    | "status"
    | "attempts"
    | "lastAttemptAt"
    | "nextAttemptAt"
    | "sentAt"
    | "requestPayload"
    | "response"
    | "fbtraceId"
    | "eventsReceived"
    | "lastError"
    | "updatedAt"
  >
>;

/** One delivery attempt to record: the conversion's changes and how its job (attempt `job.attempts`) ends. */
export type ConversionAttemptRecord = {
  tenantId: string;
  id: string;
  patch: ConversionAttemptPatch;
  job: { attempts: number; status: "done" | "failed" | "pending"; runAt?: Date; lastError: string | null; now: Date };
};

/** Each patch field: the column it sets and how its JSON value is read (a field absent from the patch keeps the column). */
const PATCH_COLUMNS: [keyof ConversionAttemptPatch, string, string][] = [
  ["status", "status", "text"],
  ["attempts", "attempts", "int"],
  ["lastAttemptAt", "last_attempt_at", "timestamptz"],
  ["nextAttemptAt", "next_attempt_at", "timestamptz"],
  ["sentAt", "sent_at", "timestamptz"],
  ["requestPayload", "request_payload", "jsonb"],
  ["response", "response", "jsonb"],
  ["fbtraceId", "fbtrace_id", "text"],
  ["eventsReceived", "events_received", "int"],
  ["lastError", "last_error", "text"],
  ["updatedAt", "updated_at", "timestamptz"],
];
const patchAssignments = sql.raw(
  PATCH_COLUMNS.map(([field, column, type]) => {
    const value = type === "jsonb" ? `v.p->'${field}'` : `(v.p->>'${field}')::${type}`;
    return `${column} = case when v.p ? '${field}' then ${value} else c.${column} end`;
  }).join(",\n          "),
);

/**
 * Delivery attempts on their conversions and jobs, any number in one statement: each job finishes
 * (`done`/`failed`) or waits for `runAt`. Each side changes only if still as expected (the conversion
 * queued, the job running that attempt), so a late twin cannot overwrite a result. Both sides are found
 * by key whatever the statistics say (a recordset looks like 100 rows to the planner, and a young table
 * like an empty one): ids through `= any(array(…))` on the primary and (kind, dedupe_key) keys, and the
 * job's status written so that it cannot send the planner to the (status, run_at) index, whose
 * `running` entries pile up between vacuums.
 */
export async function saveConversionAttempts(db: Db, { kind, records }: { kind: string; records: readonly ConversionAttemptRecord[] }): Promise<void> {
  if (records.length === 0) return;
  const json = toRecordsetJson(
    records.map((r) => ({
      id: r.id,
      tenant_id: r.tenantId,
      p: r.patch,
      job_attempts: r.job.attempts,
      job_status: r.job.status,
      job_run_at: r.job.runAt ?? null,
      job_last_error: r.job.lastError,
      now: r.job.now,
    })),
  );
  await db.execute(sql`
    with v as (
      select x.id, x.tenant_id, x.p, x.job_attempts, x.job_status, x.job_run_at, x.job_last_error, x.now
      from jsonb_to_recordset(${json}::jsonb) as x(id uuid, tenant_id uuid, p jsonb, job_attempts int, job_status text, job_run_at timestamptz, job_last_error text, now timestamptz)
    ),
    changed as (
      update ${conversions} c set
          ${patchAssignments}
        from v
        where c.id = any(array(select id from v)) and c.tenant_id = v.tenant_id and c.id = v.id and c.status = 'queued'
        returning c.id
    )
    update ${jobs} j set status = v.job_status, run_at = coalesce(v.job_run_at, j.run_at), lease_expires_at = null, last_error = v.job_last_error, updated_at = v.now
      from v
      where j.kind = ${kind} and j.dedupe_key = any(array(select id::text from v)) and j.dedupe_key = v.id::text
        and coalesce(j.status, '') = 'running' and j.attempts = v.job_attempts`);
}

/** A conversion with what its delivery needs from its number, in one query. */
export async function getConversionForDelivery(
  db: Db,
  { tenantId, id }: { tenantId: string; id: string },
): Promise<{ conversion: ConversionRow; number: ConversionNumber | null } | null> {
  const [row] = await db
    .select({
      conversion: conversions,
      number: {
        id: whatsappNumbers.id,
        label: whatsappNumbers.label,
        provider: whatsappNumbers.provider,
        wabaId: whatsappNumbers.wabaId,
        datasetId: whatsappNumbers.datasetId,
        accessTokenEnc: whatsappNumbers.accessTokenEnc,
        demo: whatsappNumbers.demo,
      },
    })
    .from(conversions)
    .leftJoin(whatsappNumbers, eq(whatsappNumbers.id, conversions.numberId))
    .where(and(eq(conversions.tenantId, tenantId), eq(conversions.id, id)))
    .limit(1);
  return row ? { conversion: row.conversion, number: row.number?.id ? row.number : null } : null;
}

/** A failed or rejected conversion back to `queued` (the console's retry). Returns null when it is not in such a state. */
export async function requeueConversionRow(db: Db, { tenantId, id, now }: { tenantId: string; id: string; now: Date }): Promise<ConversionRow | null> {
  const [row] = await db
    .update(conversions)
    .set({ status: "queued", nextAttemptAt: null, updatedAt: now })
    .where(and(eq(conversions.tenantId, tenantId), eq(conversions.id, id), inArray(conversions.status, ["failed", "rejected"])))
    .returning();
  return row ?? null;
}

export type ConversionListFilters = {
  tenantId: string;
  status?: ConversionStatus;
  eventName?: string;
  numberId?: string;
  /** created at or after */
  from?: Date;
  /** created before */
  to?: Date;
  test?: boolean;
  cursor?: Cursor;
  limit: number;
};

export type ConversionListRow = Pick<
  ConversionRow,
  | "id"
  | "eventId"
  | "eventName"
  | "eventTime"
  | "status"
  | "source"
  | "value"
  | "currency"
  | "testCode"
  | "attempts"
  | "warnings"
  | "lastError"
  | "nextAttemptAt"
  | "sentAt"
  | "createdAt"
  | "numberId"
  | "conversationId"
  | "subscriberId"
  | "fbtraceId"
> & {
  numberLabel: string | null;
  subscriberName: string | null;
  subscriberPhone: string | null;
  /** the ad (and its campaign) of the conversation the conversion was matched to, as enrichment named them */
  adId: string | null;
  adName: string | null;
  campaignId: string | null;
  campaignName: string | null;
};

/** One page of the log, newest first; each filter has an index in list order. */
export async function listConversionRows(db: Db, f: ConversionListFilters): Promise<ConversionListRow[]> {
  const where = and(
    eq(conversions.tenantId, f.tenantId),
    f.status ? eq(conversions.status, f.status) : undefined,
    f.eventName ? eq(conversions.eventName, f.eventName) : undefined,
    f.numberId ? eq(conversions.numberId, f.numberId) : undefined,
    f.from ? gte(conversions.createdAt, f.from) : undefined,
    f.to ? lt(conversions.createdAt, f.to) : undefined,
    f.test === undefined ? undefined : f.test ? isNotNull(conversions.testCode) : sql`${conversions.testCode} is null`,
    beforeCursor(conversions.createdAt, conversions.id, f.cursor),
  );
  return db
    .select({
      id: conversions.id,
      eventId: conversions.eventId,
      eventName: conversions.eventName,
      eventTime: conversions.eventTime,
      status: conversions.status,
      source: conversions.source,
      value: conversions.value,
      currency: conversions.currency,
      testCode: conversions.testCode,
      attempts: conversions.attempts,
      warnings: conversions.warnings,
      lastError: conversions.lastError,
      nextAttemptAt: conversions.nextAttemptAt,
      sentAt: conversions.sentAt,
      createdAt: conversions.createdAt,
      numberId: conversions.numberId,
      conversationId: conversions.conversationId,
      subscriberId: conversions.subscriberId,
      fbtraceId: conversions.fbtraceId,
      numberLabel: whatsappNumbers.label,
      subscriberName: subscribers.profileName,
      subscriberPhone: subscribers.waPhone,
      adId: conversations.adId,
      adName: conversations.adName,
      campaignId: conversations.campaignId,
      campaignName: conversations.campaignName,
    })
    .from(conversions)
    .leftJoin(whatsappNumbers, eq(whatsappNumbers.id, conversions.numberId))
    .leftJoin(subscribers, eq(subscribers.id, conversions.subscriberId))
    .leftJoin(conversations, eq(conversations.id, conversions.conversationId))
    .where(where)
    .orderBy(...newestFirst(conversions.createdAt, conversions.id))
    .limit(f.limit + 1);
}

/** How many conversions are in each status (the log's header). */
export async function countConversionsByStatus(db: Db, { tenantId }: { tenantId: string }): Promise<Record<ConversionStatus, number>> {
  const rows = await db
    .select({ status: conversions.status, n: sql<number>`count(*)::int` })
    .from(conversions)
    .where(eq(conversions.tenantId, tenantId))
    .groupBy(conversions.status);
  const out: Record<ConversionStatus, number> = { queued: 0, sent: 0, failed: 0, rejected: 0 };
  for (const r of rows) out[r.status] = Number(r.n);
  return out;
}
