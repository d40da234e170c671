// Meta Custom Audience sync (issue 23): keeps a customer-list audience equal to the tenant's reachable subscribers
// of its segment. A job of the jobs queue per audience ("audience_sync", dedupe key per audience):
// - removals first: members who opted out or were blocked (every run), and on a full run also members who no longer
//   match, can no longer be reached, or are gone — DELETE /{audience-id}/users;
// - then additions: matching subscribers not yet members (a full run walks them all; an incremental one only those
//   first seen since the last run, less a safety margin) — POST /{audience-id}/users;
// in batches of at most 10,000 multi-key rows (lib/audiences/hash.ts), each batch's members written in one
// statement right after Meta accepted it (a crash resends one batch at most; Meta drops duplicate rows), read by
// keyset one batch ahead while the current one is in flight (bounded memory at any size).
// Rate limits and transient failures go back to the queue (Retry-After honoured; progress made stays); a refused
// permission or token stops with Graph's message and a hint a manager can act on (lib/audiences/errors.ts).
import { performance } from "node:perf_hooks";
import { z } from "zod";
import type { Db } from "@/db/client";
import {
  type AudiencePersonRow,
  type AudienceRemovalRow,
  extendJobLease,
  finishAudienceSync,
  finishAudienceSyncJob,
  getAudienceForSync,
  listDueAudiences,
  listEnabledAudiences,
  markAudienceSyncing,
  readAudienceAdditions,
  readAudienceRemovals,
  recordAudienceSyncError,
  saveAudienceMembersAdded,
  saveAudienceMembersRemoved,
  upsertAudienceSyncJob,
} from "@/db/queries/audiences";
import { subscriberListWhere } from "@/db/queries/subscriber-list";
import type { JobRow } from "@/db/queries/jobs";
import { decryptSecret } from "@/lib/crypto";
import { getEnv } from "@/lib/env";
import { type GraphConfig, type GraphFailure, describeGraphFailure, graphRequest } from "@/lib/graph/client";
import { type JobHandler, type JobOutcome, runJobNow } from "@/lib/jobs/queue";
import { subscriberFiltersSchema } from "@/lib/subscribers/list-filters";
import { toListQuery } from "@/lib/subscribers/list";
import { AUDIENCE_BATCH_MAX, type AudienceBody, audienceDigest } from "./hash";
import { explainAudienceError } from "./errors";

export const AUDIENCE_SYNC_JOB = "audience_sync";
export const AUDIENCE_SYNC_MAX_ATTEMPTS = 8; // with the queue's backoff (30 s … hourly) about four hours of retries
/** A full run at least this often (it also takes out members who stopped matching the segment). */
export const AUDIENCE_FULL_SYNC_EVERY_MS = 6 * 3_600_000;
/** An incremental run at least this often from the scheduler tick (ingestion normally asks sooner). */
export const AUDIENCE_INCREMENTAL_EVERY_MS = 15 * 60_000;
/** Incremental runs look at subscribers first seen since the last run less this (late commits, delayed webhooks). */
export const AUDIENCE_SINCE_MARGIN_MS = 60 * 60_000;
/** After ingestion commits new subscribers, their audiences sync this much later (one run for a burst). */
export const AUDIENCE_INGEST_DELAY_MS = 3_000;

export const audienceSyncJobKey = (audienceRowId: string) => `audience:${audienceRowId}`;

export type AudienceSyncDeps = {
  encryptionKey: string;
  graph: GraphConfig;
  /** rows per request (default and at most 10,000) */
  batchSize?: number;
  /** a run stops after this long and continues as a new run at once (default 2 min) */
  budgetMs?: number;
  /** the lease each batch renews (default 5 min) */
  leaseMs?: number;
  /** requeued runs (a request that came during one, a run out of time) also start in this process */
  inProcess?: boolean;
  /** where a run's time goes, added up here when given (benches): reading, hashing, Meta's answers, member writes */
  timings?: AudienceSyncTimings;
};

export type AudienceSyncTimings = { readMs: number; hashMs: number; sendMs: number; saveMs: number };

/** The sync's needs from the validated environment; runs also start in this process (the console's "Sync now"). */
export function audienceSyncDepsFromEnv(): AudienceSyncDeps {
  const env = getEnv();
  return { encryptionKey: env.ENCRYPTION_KEY, graph: { base: env.GRAPH_API_BASE, version: env.GRAPH_API_VERSION, timeoutMs: 60_000 }, inProcess: true };
}

// ------------------------------------------------------------------------------------------- asking for a sync

const timers = new Map<string, ReturnType<typeof setTimeout>>();

/** Runs the audience's job in this process after `delayMs` (once per audience however often it is asked meanwhile). */
function runSoon(db: Db, audienceRowId: string, delayMs: number, deps?: AudienceSyncDeps): void {
  const key = audienceSyncJobKey(audienceRowId);
  if (timers.has(key)) return;
  const timer = setTimeout(() => {
    timers.delete(key);
    void (async () => {
      const handler = audienceSyncHandler(db, deps ?? audienceSyncDepsFromEnv());
      await runJobNow(db, { kind: AUDIENCE_SYNC_JOB, dedupeKey: key, handlers: { [AUDIENCE_SYNC_JOB]: handler }, leaseMs: deps?.leaseMs ?? DEFAULT_LEASE_MS });
    })().catch((e) => console.error("[clicktrail] audience sync run failed", e));
  }, delayMs);
  timer.unref?.();
  timers.set(key, timer);
}

const DEFAULT_LEASE_MS = 5 * 60_000;

/** Drops the in-process runs not started yet (their jobs stay queued for the scheduler): tests, shutdown. */
export function cancelInProcessAudienceRuns(): number {
  const n = timers.size;
  for (const timer of timers.values()) clearTimeout(timer);
  timers.clear();
  return n;
}

/**
 * Queues a sync of one audience (full when asked, or when it never had one) and, unless `runInProcess` is false,
 * runs it in this process after `delayMs` (default at once) rather than at the next scheduler tick. A full request
 * is never lost to a pending incremental one, nor to a run in progress (that run goes again when it ends).
 */
export async function requestAudienceSync(
  db: Db,
  { tenantId, audienceId, now, full = false, delayMs = 0 }: { tenantId: string; audienceId: string; now: Date; full?: boolean; delayMs?: number },
  opts: { runInProcess?: boolean; deps?: AudienceSyncDeps } = {},
): Promise<{ status: string; runAt: Date }> {
  forgetTenantAudiences(tenantId);
  const queued = await upsertAudienceSyncJob(db, {
    tenantId,
    audienceRowId: audienceId,
    kind: AUDIENCE_SYNC_JOB,
    dedupeKey: audienceSyncJobKey(audienceId),
    full,
    runAt: new Date(now.getTime() + delayMs),
    maxAttempts: AUDIENCE_SYNC_MAX_ATTEMPTS,
  });
  if (opts.runInProcess !== false && queued.status === "pending") {
    runSoon(db, audienceId, Math.max(0, queued.runAt.getTime() - now.getTime()), opts.deps);
  }
  return queued;
}

// the tenants' enabled audiences, so ingestion asks the database once a minute per tenant at most
const AUDIENCE_CACHE_MS = 60_000;
const tenantAudiences = new Map<string, { audiences: { id: string; segmentKeys: string[] }[]; at: number }>();

/** Drops the cached audience list of a tenant (an audience was created, enabled or disabled). */
export function forgetTenantAudiences(tenantId: string): void {
  tenantAudiences.delete(tenantId);
}

async function enabledAudiences(db: Db, tenantId: string): Promise<{ id: string; segmentKeys: string[] }[]> {
  const hit = tenantAudiences.get(tenantId);
  if (hit && Date.now() - hit.at < AUDIENCE_CACHE_MS) return hit.audiences;
  const audiences = await listEnabledAudiences(db, tenantId);
  tenantAudiences.set(tenantId, { audiences, at: Date.now() });
  return audiences;
}

/**
 * After a transaction committed new subscribers (or opt-outs, blocks): each enabled audience of these tenants gets
 * an incremental sync a few seconds later, run in this process. Costs nothing for a tenant without audiences
 * (cached). Never throws: a failure here must not fail what already committed (the scheduler tick catches up).
 */
export async function noteNewSubscribers(
  db: Db,
  tenantIds: Iterable<string>,
  { now = new Date(), delayMs = AUDIENCE_INGEST_DELAY_MS, runInProcess = true }: { now?: Date; delayMs?: number; runInProcess?: boolean } = {},
): Promise<void> {
  try {
    for (const tenantId of new Set(tenantIds)) {
      for (const { id: audienceId } of await enabledAudiences(db, tenantId)) {
        const queued = await upsertAudienceSyncJob(db, {
          tenantId,
          audienceRowId: audienceId,
          kind: AUDIENCE_SYNC_JOB,
          dedupeKey: audienceSyncJobKey(audienceId),
          full: false,
          runAt: new Date(now.getTime() + delayMs),
          maxAttempts: AUDIENCE_SYNC_MAX_ATTEMPTS,
        });
        if (runInProcess && queued.status === "pending") runSoon(db, audienceId, Math.max(0, queued.runAt.getTime() - now.getTime()));
      }
    }
  } catch (e) {
    console.error("[clicktrail] could not queue audience syncs", e);
  }
}

/** How long a segment change waits for more of its kind before the full sync it asks for runs (one run for a burst). */
export const AUDIENCE_SEGMENT_DELAY_MS = 30_000;

/**
 * After a committed change of existing subscribers that a segment may filter on (e.g. `lifecycle` when a stage
 * changed): the enabled audiences whose segment uses one of `keys` get a full sync 30 s later (a burst of changes
 * coalesces into that one run), as an incremental sync only looks at new subscribers. Never throws.
 */
export async function noteSegmentChange(
  db: Db,
  { tenantId, keys, now = new Date(), runInProcess = true }: { tenantId: string; keys: string[]; now?: Date; runInProcess?: boolean },
): Promise<number> {
  let queued = 0;
  try {
    for (const a of await enabledAudiences(db, tenantId)) {
      if (!a.segmentKeys.some((k) => keys.includes(k))) continue;
      const job = await upsertAudienceSyncJob(db, {
        tenantId,
        audienceRowId: a.id,
        kind: AUDIENCE_SYNC_JOB,
        dedupeKey: audienceSyncJobKey(a.id),
        full: true,
        runAt: new Date(now.getTime() + AUDIENCE_SEGMENT_DELAY_MS),
        maxAttempts: AUDIENCE_SYNC_MAX_ATTEMPTS,
      });
      queued += 1;
      if (runInProcess && job.status === "pending") runSoon(db, a.id, Math.max(0, job.runAt.getTime() - now.getTime()));
    }
  } catch (e) {
    console.error("[clicktrail] could not queue audience syncs for a segment change", e);
  }
  return queued;
}

/** The scheduler tick's share: queue the periodic syncs that are due (the tick's job drain then runs them). */
export async function enqueueDueAudienceSyncs(db: Db, { now }: { now: Date }): Promise<number> {
  const due = await listDueAudiences(db, {
    staleBefore: new Date(now.getTime() - AUDIENCE_INCREMENTAL_EVERY_MS),
    fullBefore: new Date(now.getTime() - AUDIENCE_FULL_SYNC_EVERY_MS),
    errorBefore: new Date(now.getTime() - 3_600_000),
  });
  for (const a of due) {
    await upsertAudienceSyncJob(db, {
      tenantId: a.tenantId,
      audienceRowId: a.id,
      kind: AUDIENCE_SYNC_JOB,
      dedupeKey: audienceSyncJobKey(a.id),
      full: false, // the run itself decides full from last_full_sync_at
      runAt: now,
      maxAttempts: AUDIENCE_SYNC_MAX_ATTEMPTS,
    });
  }
  return due.length;
}

// ------------------------------------------------------------------------------------------- the job

const payloadSchema = z.object({
  tenantId: z.uuid(),
  audienceId: z.uuid(),
  full: z.boolean().optional(),
  seq: z.number().int().optional(),
  next: z.object({ full: z.boolean().optional() }).optional(),
});

/** A Graph refusal that ends the run (kept whole for the explanation). */
class GraphStop extends Error {
  constructor(readonly failure: GraphFailure) {
    super(describeGraphFailure(failure));
  }
}

const usersAnswer = z.looseObject({ audience_id: z.string().optional(), num_received: z.coerce.number().optional() });

export type AudienceSyncResult = { full: boolean; added: number; removed: number; batches: number; again: boolean };

/** One batch's rows with the members they stand for (a person without any usable key is left out). */
type Batch = { ids: string[]; body: AudienceBody; last: { at: Date; id: string } | null; lastId: string | null; read: number; gone: string[] };

function toBatch(people: { id: string; waPhone: string | null; email: string | null }[], timings?: AudienceSyncTimings): Pick<Batch, "ids" | "body" | "gone"> {
  const t0 = timings ? performance.now() : 0;
  const ids: string[] = [];
  const gone: string[] = [];
  const data: [string, string][] = [];
  for (const p of people) {
    const phone = audienceDigest("PHONE", p.waPhone);
    const email = audienceDigest("EMAIL", p.email);
    if (!phone && !email) {
      gone.push(p.id);
      continue;
    }
    ids.push(p.id);
    data.push([phone ?? "", email ?? ""]);
  }
  if (timings) timings.hashMs += performance.now() - t0;
  return { ids, gone, body: { payload: { schema: ["PHONE", "EMAIL"], data } } };
}

export function audienceSyncHandler(db: Db, deps: AudienceSyncDeps): JobHandler {
  const batchSize = Math.min(AUDIENCE_BATCH_MAX, Math.max(1, deps.batchSize ?? AUDIENCE_BATCH_MAX));
  const budgetMs = deps.budgetMs ?? 120_000;
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const timings = deps.timings;
  const timed = async <T>(key: keyof AudienceSyncTimings, work: Promise<T>): Promise<T> => {
    if (!timings) return work;
    const t0 = performance.now();
    try {
      return await work;
    } finally {
      timings[key] += performance.now() - t0;
    }
  };

  return async (job: JobRow, { now }): Promise<JobOutcome> => {
    const parsed = payloadSchema.safeParse(job.payload);
    if (!parsed.success) return { ok: false, error: "The audience sync job has an unreadable payload", retryable: false };
    const p = parsed.data;
    const audience = await getAudienceForSync(db, { tenantId: p.tenantId, id: p.audienceId });
    if (!audience || !audience.enabled) return { ok: true, result: { skipped: audience ? "disabled" : "gone" } };
    const fail = async (error: string, hint: string | null): Promise<JobOutcome> => {
      await recordAudienceSyncError(db, { tenantId: audience.tenantId, id: audience.id, error, hint, now });
      return { ok: false, error, retryable: false };
    };

    // the audience's own token, else its number's Cloud API token (a System User token with ads_management)
    const sealed = audience.accessTokenEnc ?? audience.numberTokenEnc;
    if (!sealed) return fail("No access token for this audience", "Save an access token with the ads_management permission on this audience.");
    let token: string;
    try {
      token = decryptSecret(sealed, deps.encryptionKey);
    } catch {
      return fail("The saved access token cannot be read (the encryption key changed?)", "Save the access token on this audience again.");
    }

    const full =
      p.full === true ||
      p.next?.full === true ||
      audience.lastFullSyncAt === null ||
      now.getTime() - audience.lastFullSyncAt.getTime() >= AUDIENCE_FULL_SYNC_EVERY_MS;
    const since = full || !audience.syncedThrough ? null : new Date(audience.syncedThrough.getTime() - AUDIENCE_SINCE_MARGIN_MS);
    let segment: ReturnType<typeof subscriberListWhere>;
    try {
      segment = subscriberListWhere(toListQuery(audience.tenantId, subscriberFiltersSchema.parse(audience.segment ?? {}), now));
    } catch {
      return fail("The audience's segment is not a valid set of subscriber filters", "Edit the audience and choose its subscribers again.");
    }

    await markAudienceSyncing(db, { tenantId: audience.tenantId, id: audience.id, now });
    const started = Date.now();
    const outOfTime = () => Date.now() - started >= budgetMs;
    const result: AudienceSyncResult = { full, added: 0, removed: 0, batches: 0, again: false };
    const scope = { tenantId: audience.tenantId, audienceRowId: audience.id };
    const renewLease = () => extendJobLease(db, { id: job.id, attempts: job.attempts, until: new Date(Date.now() + leaseMs) });

    const send = async (method: "POST" | "DELETE", body: AudienceBody) => {
      const res = await timed("sendMs", graphRequest(deps.graph, { method, path: `${audience.audienceId}/users`, token, body, schema: usersAnswer }));
      if (!res.ok) throw new GraphStop(res.error);
      result.batches++;
    };

    try {
      // --- removals (few: every batch re-reads after the members it took out)
      for (const mode of full ? (["stopped", "full"] as const) : (["stopped"] as const)) {
        let afterId: string | null = null;
        for (;;) {
          const rows: AudienceRemovalRow[] = await readAudienceRemovals(db, { ...scope, mode, segment, afterId, limit: batchSize });
          if (rows.length === 0) break;
          afterId = rows.at(-1)!.subscriberId;
          const present = rows.filter((r) => r.exists).map((r) => ({ id: r.subscriberId, waPhone: r.waPhone, email: r.email }));
          const batch = toBatch(present);
          // members whose subscriber is gone (or has no key left) cannot be named to Meta: they only stop being members
          const unnamed = [...rows.filter((r) => !r.exists).map((r) => r.subscriberId), ...batch.gone];
          if (batch.ids.length > 0) {
            await send("DELETE", batch.body);
            result.removed += await saveAudienceMembersRemoved(db, { ...scope, subscriberIds: batch.ids, sent: true, now });
          }
          if (unnamed.length > 0) await saveAudienceMembersRemoved(db, { ...scope, subscriberIds: unnamed, sent: false, now });
          await renewLease();
          if (rows.length < batchSize) break;
          if (outOfTime()) {
            result.again = true;
            break;
          }
        }
        if (result.again) break;
      }

      // --- additions: the next batch is read and hashed while the current one is in flight
      if (!result.again) {
        const read = async (after: { at: Date; id: string } | null): Promise<Batch> => {
          const rows: AudiencePersonRow[] = await timed("readMs", readAudienceAdditions(db, { ...scope, segment, since, after, limit: batchSize }));
          const last = rows.at(-1);
          return { ...toBatch(rows, timings), last: last ? { at: last.firstSeenAt, id: last.id } : null, lastId: last?.id ?? null, read: rows.length };
        };
        let current = await read(null);
        while (current.read > 0) {
          const more = current.read === batchSize && !outOfTime();
          const next = more ? read(current.last) : null;
          // a failed send must not leave the read ahead unobserved (an unhandled rejection)
          next?.catch(() => {});
          if (current.ids.length > 0) {
            await send("POST", current.body);
            result.added += await timed("saveMs", saveAudienceMembersAdded(db, { ...scope, subscriberIds: current.ids, now }));
          }
          await renewLease();
          if (!next) {
            if (current.read === batchSize) result.again = true; // out of time with more to read
            break;
          }
          current = await next;
        }
      }
    } catch (e) {
      if (!(e instanceof GraphStop)) throw e;
      const why = explainAudienceError(e.failure, { adAccountId: audience.adAccountId });
      // Graph's code, message and trace id verbatim (describeGraphFailure), with our hint beside it
      const error = describeGraphFailure(e.failure);
      await recordAudienceSyncError(db, { tenantId: audience.tenantId, id: audience.id, error, hint: why.hint, now });
      return {
        ok: false,
        error,
        retryable: why.retryable,
        ...(why.retryable && why.retryAfterMs !== undefined ? { retryAt: new Date(now.getTime() + why.retryAfterMs) } : {}),
      };
    }

    if (!result.again) await finishAudienceSync(db, { tenantId: audience.tenantId, id: audience.id, startedAt: now, full, now });
    const written = await finishAudienceSyncJob(db, { id: job.id, attempts: job.attempts, seq: p.seq ?? 0, again: result.again, full, now });
    if (written === "pending" && deps.inProcess) runSoon(db, audience.id, 0, deps);
    return { ok: true, recorded: true, result: { ...result } };
  };
}
