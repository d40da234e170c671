// Meta Custom Audiences: the audience rows (never their token outside this file's sync read), who has been sent to
// each (meta_audience_members), the people a sync adds or removes (keyset walks, one batch at a time), and the
// audience's sync job in the jobs queue (one per audience, a full request never lost by coalescing).
import { type SQL, and, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { rowsOf } from "../migrations-info";
import { jobs, metaAudienceMembers, metaAudiences, subscribers, whatsappNumbers } from "../schema";
import { beforeCursor, type Cursor, newestFirst } from "./keyset";

// ------------------------------------------------------------------------------------------- views (console, API)

/** An audience as the console and API show it: everything but the token (only whether it has its own). */
const viewColumns = {
  id: metaAudiences.id,
  tenantId: metaAudiences.tenantId,
  numberId: metaAudiences.numberId,
  hasOwnToken: sql<boolean>`(${metaAudiences.accessTokenEnc} is not null)`.as("has_own_token"),
  adAccountId: metaAudiences.adAccountId,
  audienceId: metaAudiences.audienceId,
  name: metaAudiences.name,
  segment: metaAudiences.segment,
  enabled: metaAudiences.enabled,
  syncStatus: metaAudiences.syncStatus,
  sizeSent: metaAudiences.sizeSent,
  addedTotal: metaAudiences.addedTotal,
  removedTotal: metaAudiences.removedTotal,
  lastSyncedAt: metaAudiences.lastSyncedAt,
  lastFullSyncAt: metaAudiences.lastFullSyncAt,
  syncedThrough: metaAudiences.syncedThrough,
  lastError: metaAudiences.lastError,
  lastErrorHint: metaAudiences.lastErrorHint,
  lastErrorAt: metaAudiences.lastErrorAt,
  createdAt: metaAudiences.createdAt,
  updatedAt: metaAudiences.updatedAt,
};
export type AudienceView = {
  id: string;
  tenantId: string;
  numberId: string | null;
  hasOwnToken: boolean;
  adAccountId: string;
  audienceId: string;
  name: string;
  segment: Record<string, string>;
  enabled: boolean;
  syncStatus: "idle" | "syncing" | "error";
  sizeSent: number;
  addedTotal: number;
  removedTotal: number;
  lastSyncedAt: Date | null;
  lastFullSyncAt: Date | null;
  syncedThrough: Date | null;
  lastError: string | null;
  lastErrorHint: string | null;
  lastErrorAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
};

export async function getAudienceView(db: Db, { tenantId, id }: { tenantId: string; id: string }): Promise<AudienceView | null> {
  const [row] = await db
    .select(viewColumns)
    .from(metaAudiences)
    .where(and(eq(metaAudiences.tenantId, tenantId), eq(metaAudiences.id, id)))
    .limit(1);
  return (row as AudienceView | undefined) ?? null;
}

/** Newest first, keyset by (created_at, id) on meta_audiences_tenant_created_idx; `limit + 1` rows so the caller knows about a next page. */
export async function listAudiences(db: Db, { tenantId, cursor, limit = 50 }: { tenantId: string; cursor?: Cursor; limit?: number }): Promise<AudienceView[]> {
  const rows = await db
    .select(viewColumns)
    .from(metaAudiences)
    .where(and(eq(metaAudiences.tenantId, tenantId), beforeCursor(metaAudiences.createdAt, metaAudiences.id, cursor)))
    .orderBy(...newestFirst(metaAudiences.createdAt, metaAudiences.id))
    .limit(limit + 1);
  return rows as AudienceView[];
}

// ------------------------------------------------------------------------------------------- the sync's reads

/** What the sync needs of an audience: the row with its sealed token, or else its number's Cloud API token. */
export type AudienceForSync = {
  id: string;
  tenantId: string;
  adAccountId: string;
  audienceId: string;
  segment: Record<string, string>;
  enabled: boolean;
  accessTokenEnc: string | null;
  numberTokenEnc: string | null;
  lastFullSyncAt: Date | null;
  syncedThrough: Date | null;
};

export async function getAudienceForSync(db: Db, { tenantId, id }: { tenantId: string; id: string }): Promise<AudienceForSync | null> {
  const [row] = await db
    .select({
      id: metaAudiences.id,
      tenantId: metaAudiences.tenantId,
      adAccountId: metaAudiences.adAccountId,
      audienceId: metaAudiences.audienceId,
      segment: metaAudiences.segment,
      enabled: metaAudiences.enabled,
      accessTokenEnc: metaAudiences.accessTokenEnc,
      numberTokenEnc: whatsappNumbers.accessTokenEnc,
      lastFullSyncAt: metaAudiences.lastFullSyncAt,
      syncedThrough: metaAudiences.syncedThrough,
    })
    .from(metaAudiences)
    .leftJoin(whatsappNumbers, and(eq(whatsappNumbers.id, metaAudiences.numberId), eq(whatsappNumbers.tenantId, metaAudiences.tenantId)))
    .where(and(eq(metaAudiences.tenantId, tenantId), eq(metaAudiences.id, id)))
    .limit(1);
  return row ?? null;
}

/** A person as the sync hashes them. Subscribers have no email column: a string custom field `email` is used when there is one. */
export type AudiencePersonRow = { id: string; waPhone: string | null; email: string | null; firstSeenAt: Date };

const s = subscribers;
const emailOf = sql<string | null>`case when jsonb_typeof(${s.customFields} -> 'email') = 'string' then ${s.customFields} ->> 'email' end`;
/** Who may be in an audience at all: active or gone quiet (never opted out or blocked), with a phone to match by. */
const reachable = sql`${s.status} in ('active', 'inactive') and ${s.waPhone} is not null`;

/**
 * The next `limit` subscribers to add: matching `segment` (the subscriber list's WHERE), reachable, not members yet,
 * first seen at or after `since` (incremental) — newest first by (first_seen_at, id), on subscribers_tenant_first_seen_idx.
 */
export async function readAudienceAdditions(
  db: Db,
  q: { tenantId: string; audienceRowId: string; segment: SQL; since?: Date | null; after?: Cursor | null; limit: number },
): Promise<AudiencePersonRow[]> {
  const rows = await db
    .select({ id: s.id, waPhone: s.waPhone, email: emailOf, firstSeenAt: s.firstSeenAt })
    .from(s)
    .where(
      and(
        eq(s.tenantId, q.tenantId),
        q.segment,
        reachable,
        q.since ? sql`${s.firstSeenAt} >= ${q.since.toISOString()}::timestamptz` : undefined,
        beforeCursor(s.firstSeenAt, s.id, q.after ?? undefined),
        sql`not exists (select 1 from ${metaAudienceMembers} m where m.audience_id = ${q.audienceRowId}::uuid and m.subscriber_id = ${s.id})`,
      ),
    )
    .orderBy(...newestFirst(s.firstSeenAt, s.id))
    .limit(q.limit);
  return rows;
}

/** A member to remove: their phone and email when the subscriber still exists (else there is nothing to send Meta). */
export type AudienceRemovalRow = { subscriberId: string; waPhone: string | null; email: string | null; exists: boolean };

/**
 * The next `limit` members (by subscriber id, after `afterId`) to take out: those who opted out or were blocked
 * ("stopped", read through subscribers_tenant_status_last_inbound_idx: they are few), or on a full sync also those
 * no longer reachable, no longer matching `segment`, or gone ("full", a walk over the audience's members).
 */
export async function readAudienceRemovals(
  db: Db,
  q: { tenantId: string; audienceRowId: string; mode: "stopped" | "full"; segment: SQL; afterId?: string | null; limit: number },
): Promise<AudienceRemovalRow[]> {
  const after = q.afterId ? sql`and m.subscriber_id > ${q.afterId}::uuid` : sql``;
  if (q.mode === "stopped") {
    return rowsOf<{ subscriber_id: string; wa_phone: string | null; email: string | null }>(
      await db.execute(sql`
        select m.subscriber_id, ${s.waPhone} as wa_phone, ${emailOf} as email
        from ${s} join ${metaAudienceMembers} m on m.audience_id = ${q.audienceRowId}::uuid and m.subscriber_id = ${s.id}
        where ${s.tenantId} = ${q.tenantId}::uuid and ${s.status} <> 'active' and ${s.status} in ('opted_out', 'blocked') ${after}
        order by m.subscriber_id
        limit ${q.limit}`),
    ).map((r) => ({ subscriberId: r.subscriber_id, waPhone: r.wa_phone, email: r.email, exists: true }));
  }
  return rowsOf<{ subscriber_id: string; wa_phone: string | null; email: string | null; exists: boolean }>(
    await db.execute(sql`
      select m.subscriber_id, ${s.waPhone} as wa_phone, ${emailOf} as email, (${s.id} is not null) as exists
      from ${metaAudienceMembers} m left join ${s} on ${s.id} = m.subscriber_id and ${s.tenantId} = m.tenant_id
      where m.audience_id = ${q.audienceRowId}::uuid ${after}
        and (${s.id} is null or not coalesce((${reachable}) and (${q.segment}), false))
      order by m.subscriber_id
      limit ${q.limit}`),
  ).map((r) => ({ subscriberId: r.subscriber_id, waPhone: r.wa_phone, email: r.email, exists: r.exists === true || String(r.exists) === "t" }));
}

// ------------------------------------------------------------------------------------------- the sync's writes

const uuidArray = (ids: string[]) => `{${ids.join(",")}}`;

/** After Meta accepted a batch: its people become members, and the audience's counts move, in one statement. */
export async function saveAudienceMembersAdded(
  db: Db,
  { tenantId, audienceRowId, subscriberIds, now }: { tenantId: string; audienceRowId: string; subscriberIds: string[]; now: Date },
): Promise<number> {
  if (subscriberIds.length === 0) return 0;
  const rows = rowsOf<{ added: number | string }>(
    await db.execute(sql`
      with ins as (
        insert into ${metaAudienceMembers} (audience_id, subscriber_id, tenant_id, added_at)
        select ${audienceRowId}::uuid, id, ${tenantId}::uuid, ${now.toISOString()}::timestamptz from unnest(${uuidArray(subscriberIds)}::uuid[]) as t(id) order by id
        on conflict do nothing
        returning 1
      ), n as (select count(*)::int as added from ins)
      update ${metaAudiences} set added_total = added_total + n.added, size_sent = size_sent + n.added, updated_at = ${now.toISOString()}::timestamptz
      from n where ${metaAudiences.id} = ${audienceRowId}::uuid and ${metaAudiences.tenantId} = ${tenantId}::uuid
      returning n.added`),
  );
  return Number(rows[0]?.added ?? 0);
}

/**
 * After Meta accepted a removal batch (or for members whose subscriber is gone, with nothing to send): they stop
 * being members and the counts move, in one statement. `sent`: whether Meta was told (counted in removed_total).
 */
export async function saveAudienceMembersRemoved(
  db: Db,
  { tenantId, audienceRowId, subscriberIds, sent, now }: { tenantId: string; audienceRowId: string; subscriberIds: string[]; sent: boolean; now: Date },
): Promise<number> {
  if (subscriberIds.length === 0) return 0;
  const rows = rowsOf<{ removed: number | string }>(
    await db.execute(sql`
      with del as (
        delete from ${metaAudienceMembers}
        where audience_id = ${audienceRowId}::uuid and tenant_id = ${tenantId}::uuid and subscriber_id = any(${uuidArray(subscriberIds)}::uuid[])
        returning 1
      ), n as (select count(*)::int as removed from del)
      update ${metaAudiences} set removed_total = removed_total + ${sent ? sql`n.removed` : sql`0`},
        size_sent = greatest(0, size_sent - n.removed), updated_at = ${now.toISOString()}::timestamptz
      from n where ${metaAudiences.id} = ${audienceRowId}::uuid and ${metaAudiences.tenantId} = ${tenantId}::uuid
      returning n.removed`),
  );
  return Number(rows[0]?.removed ?? 0);
}

export async function markAudienceSyncing(db: Db, { tenantId, id, now }: { tenantId: string; id: string; now: Date }): Promise<void> {
  await db
    .update(metaAudiences)
    .set({ syncStatus: "syncing", updatedAt: now })
    .where(and(eq(metaAudiences.tenantId, tenantId), eq(metaAudiences.id, id)));
}

/** A sync that went through: idle, the watermark moved to when it started, errors cleared. */
export async function finishAudienceSync(
  db: Db,
  { tenantId, id, startedAt, full, now }: { tenantId: string; id: string; startedAt: Date; full: boolean; now: Date },
): Promise<void> {
  await db
    .update(metaAudiences)
    .set({
      syncStatus: "idle",
      lastSyncedAt: now,
      syncedThrough: startedAt,
      ...(full ? { lastFullSyncAt: startedAt } : {}),
      lastError: null,
      lastErrorHint: null,
      lastErrorAt: null,
      updatedAt: now,
    })
    .where(and(eq(metaAudiences.tenantId, tenantId), eq(metaAudiences.id, id)));
}

export async function recordAudienceSyncError(
  db: Db,
  { tenantId, id, error, hint, now }: { tenantId: string; id: string; error: string; hint: string | null; now: Date },
): Promise<void> {
  await db
    .update(metaAudiences)
    .set({ syncStatus: "error", lastError: error.slice(0, 2000), lastErrorHint: hint, lastErrorAt: now, updatedAt: now })
    .where(and(eq(metaAudiences.tenantId, tenantId), eq(metaAudiences.id, id)));
}

/** Enabled audiences of a tenant (ingestion's "does this tenant have any" look-up, cached by the caller). */
/** The tenant's enabled audiences with the filter names of their segments ([] = everyone reachable). */
export async function listEnabledAudiences(db: Db, tenantId: string): Promise<{ id: string; segmentKeys: string[] }[]> {
  const rows = await db
    .select({ id: metaAudiences.id, segment: metaAudiences.segment })
    .from(metaAudiences)
    .where(and(eq(metaAudiences.tenantId, tenantId), eq(metaAudiences.enabled, true)));
  return rows.map((r) => ({ id: r.id, segmentKeys: Object.keys(r.segment ?? {}) }));
}

/**
 * Enabled audiences whose periodic sync is due: never synced, or not for `staleBefore`, or whose last full sync is
 * older than `fullBefore`; one that failed is left alone until `errorBefore` (no hammering a refused token).
 */
export async function listDueAudiences(
  db: Db,
  { staleBefore, fullBefore, errorBefore, limit = 500 }: { staleBefore: Date; fullBefore: Date; errorBefore: Date; limit?: number },
): Promise<{ id: string; tenantId: string }[]> {
  const a = metaAudiences;
  return db
    .select({ id: a.id, tenantId: a.tenantId })
    .from(a)
    .where(
      sql`${a.enabled} and (${a.lastErrorAt} is null or ${a.lastErrorAt} < ${errorBefore.toISOString()}::timestamptz)
        and (${a.lastSyncedAt} is null or ${a.lastSyncedAt} < ${staleBefore.toISOString()}::timestamptz
          or ${a.lastFullSyncAt} is null or ${a.lastFullSyncAt} < ${fullBefore.toISOString()}::timestamptz)`,
    )
    .limit(limit);
}

// ------------------------------------------------------------------------------------------- the sync job

/**
 * Queues an audience's sync job (one row per audience, by dedupe key) in one statement:
 * - none yet, or finished: pending at `runAt` with `full` (attempts reset);
 * - pending: `full` is kept if either asked for it; it moves earlier to `runAt` unless it waits out a retry's backoff;
 * - running: the request is kept for after the run (`next.full`), and `seq` tells the run it must go again.
 */
export async function upsertAudienceSyncJob(
  db: Db,
  {
    tenantId,
    audienceRowId,
    kind,
    dedupeKey,
    full,
    runAt,
    maxAttempts,
  }: { tenantId: string; audienceRowId: string; kind: string; dedupeKey: string; full: boolean; runAt: Date; maxAttempts: number },
): Promise<{ status: string; runAt: Date }> {
  const payload = JSON.stringify({ tenantId, audienceId: audienceRowId, full, seq: 1 });
  const at = runAt.toISOString();
  const rows = rowsOf<{ status: string; run_at: string | Date }>(
    await db.execute(sql`
      insert into ${jobs} (tenant_id, kind, dedupe_key, payload, run_at, max_attempts)
      values (${tenantId}::uuid, ${kind}, ${dedupeKey}, ${payload}::jsonb, ${at}::timestamptz, ${maxAttempts})
      on conflict (kind, dedupe_key) do update set
        payload = case
          when jobs.status = 'running' then jobs.payload || jsonb_build_object(
            'seq', coalesce((jobs.payload ->> 'seq')::int, 0) + 1,
            'next', jsonb_build_object('full', coalesce((jobs.payload -> 'next' ->> 'full')::boolean, false) or ${full}))
          when jobs.status = 'pending' then jobs.payload || jsonb_build_object(
            'seq', coalesce((jobs.payload ->> 'seq')::int, 0) + 1,
            'full', coalesce((jobs.payload ->> 'full')::boolean, false) or ${full})
          else excluded.payload || jsonb_build_object('seq', coalesce((jobs.payload ->> 'seq')::int, 0) + 1)
        end,
        run_at = case
          when jobs.status = 'running' then jobs.run_at
          when jobs.status = 'pending' and jobs.attempts > 0 then jobs.run_at
          when jobs.status = 'pending' then least(jobs.run_at, excluded.run_at)
          else excluded.run_at
        end,
        attempts = case when jobs.status in ('running', 'pending') then jobs.attempts else 0 end,
        status = case when jobs.status = 'running' then 'running' else 'pending' end,
        last_error = case when jobs.status in ('running', 'pending') then jobs.last_error else null end,
        lease_expires_at = case when jobs.status = 'running' then jobs.lease_expires_at else null end,
        updated_at = now()
      returning status, run_at`),
  );
  const row = rows[0]!;
  return { status: row.status, runAt: new Date(row.run_at) };
}

/**
 * A run's end, written by the handler itself (guarded by the attempt, like finishJob): done — unless a request
 * came in while it ran (`seq` moved) or it stopped for time (`again`), then pending at `now`, full when the
 * unfinished run was (`full`) or a request during it asked. Returns what it wrote, or "lost" when the lease was
 * taken over meanwhile.
 */
export async function finishAudienceSyncJob(
  db: Db,
  { id, attempts, seq, again, full, now }: { id: string; attempts: number; seq: number; again: boolean; full: boolean; now: Date },
): Promise<"done" | "pending" | "lost"> {
  const at = now.toISOString();
  const moved = sql`coalesce((payload ->> 'seq')::int, 0) <> ${seq}`;
  const requestedFull = sql`coalesce((payload -> 'next' ->> 'full')::boolean, false)`;
  const rows = rowsOf<{ status: string }>(
    await db.execute(sql`
      update ${jobs} set
        status = case when ${again} or ${moved} then 'pending' else 'done' end,
        payload = (payload - 'next') || jsonb_build_object('full', case
          when ${again} then ${full} or ${requestedFull}
          when ${moved} then ${requestedFull}
          else false end),
        attempts = case when ${again} or ${moved} then 0 else attempts end,
        run_at = case when ${again} or ${moved} then ${at}::timestamptz else run_at end,
        lease_expires_at = null, last_error = null, updated_at = ${at}::timestamptz
      where ${jobs.id} = ${id}::uuid and ${jobs.status} = 'running' and ${jobs.attempts} = ${attempts}
      returning status`),
  );
  return (rows[0]?.status as "done" | "pending" | undefined) ?? "lost";
}

/** Keeps a long run's claim: its lease moves to `until` (only while this attempt still holds it). */
export async function extendJobLease(db: Db, { id, attempts, until }: { id: string; attempts: number; until: Date }): Promise<boolean> {
  const rows = await db
    .update(jobs)
    .set({ leaseExpiresAt: until })
    .where(and(eq(jobs.id, id), eq(jobs.status, "running"), eq(jobs.attempts, attempts)))
    .returning({ id: jobs.id });
  return rows.length > 0;
}
