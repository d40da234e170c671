// The one background-work mechanism: durable jobs with dedupe keys, claimed with SKIP LOCKED and a
// lease (a crashed worker's jobs come back), retried with exponential backoff up to a limit.
// Webhook retries, ad enrichment and CAPI forwarding all run through it; the cron route and the
// self-hosted ticker drain it.
import type { Db } from "@/db/client";
import { claimDueJobs, claimJobByKey, finishJob, insertJob, type JobRow, requeueFinishedJob } from "@/db/queries/jobs";

/** A handler's verdict; a retryable failure may name its own next run (e.g. from Retry-After), else the queue's backoff applies. */
export type JobOutcome = ({ ok: true; result?: Record<string, unknown> } | { ok: false; error: string; retryable: boolean; retryAt?: Date }) & {
  /** the handler already wrote the job's outcome with its own (in the same statement as its own rows) */
  recorded?: boolean;
};
export type JobHandler = (job: JobRow, ctx: { now: Date }) => Promise<JobOutcome>;
export type JobHandlers = Record<string, JobHandler>;

export const DEFAULT_LEASE_MS = 60_000;

/** 30 s, 2 min, 8 min, 32 min, then hourly: ×4 per attempt (capped), with ±10 % jitter. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000 * 4 ** Math.max(0, attempt - 1), 3_600_000);
  return Math.round(base * (0.9 + 0.2 * random()));
}

export async function enqueueJob(
  db: Db,
  input: {
    tenantId: string | null;
    kind: string;
    dedupeKey?: string | null;
    payload?: Record<string, unknown>;
    runAt: Date;
    maxAttempts?: number;
    /** when a finished job already holds this key: leave it (default) or run it again */
    ifFinished?: "keep" | "requeue";
  },
): Promise<JobRow | null> {
  const inserted = await insertJob(db, {
    tenantId: input.tenantId,
    kind: input.kind,
    dedupeKey: input.dedupeKey ?? null,
    payload: input.payload ?? {},
    runAt: input.runAt,
    ...(input.maxAttempts ? { maxAttempts: input.maxAttempts } : {}),
  });
  if (inserted || input.ifFinished !== "requeue" || !input.dedupeKey) return inserted;
  return requeueFinishedJob(db, { kind: input.kind, dedupeKey: input.dedupeKey, runAt: input.runAt, payload: input.payload });
}

/** Runs a job this worker has claimed and records its outcome ("lost" when its lease was taken over meanwhile). */
export async function runClaimedJob(db: Db, job: JobRow, handlers: JobHandlers, now: () => Date): Promise<"done" | "retried" | "failed" | "lost"> {
  const handler = handlers[job.kind];
  let outcome: JobOutcome;
  try {
    outcome = handler ? await handler(job, { now: now() }) : { ok: false, error: `No handler for job kind "${job.kind}"`, retryable: false };
  } catch (e) {
    outcome = { ok: false, error: e instanceof Error ? e.message : String(e), retryable: true };
  }
  if (outcome.recorded) return outcome.ok ? "done" : outcome.retryable && job.attempts < job.maxAttempts ? "retried" : "failed";
  const at = now();
  if (outcome.ok) {
    return (await finishJob(db, { id: job.id, attempts: job.attempts, status: "done", lastError: null, result: outcome.result ?? null, now: at }))
      ? "done"
      : "lost";
  }
  const retry = outcome.retryable && job.attempts < job.maxAttempts;
  const finished = await finishJob(db, {
    id: job.id,
    attempts: job.attempts,
    status: retry ? "pending" : "failed",
    runAt: retry ? (outcome.retryAt ?? new Date(at.getTime() + backoffMs(job.attempts))) : undefined,
    lastError: outcome.error.slice(0, 2000),
    now: at,
  });
  if (!finished) return "lost";
  return retry ? "retried" : "failed";
}

export type DrainJobsResult = { claimed: number; done: number; retried: number; failed: number };

/**
 * Claims and runs due jobs in batches until none are due or the time budget is spent. Jobs of a
 * batch run concurrently (`concurrency` at a time).
 */
export async function drainJobs(
  db: Db,
  opts: { handlers: JobHandlers; now?: () => Date; budgetMs?: number; batchSize?: number; concurrency?: number; leaseMs?: number; kinds?: string[] },
): Promise<DrainJobsResult> {
  const now = opts.now ?? (() => new Date());
  const started = Date.now();
  const budgetMs = opts.budgetMs ?? 20_000;
  const totals: DrainJobsResult = { claimed: 0, done: 0, retried: 0, failed: 0 };
  const kinds = opts.kinds ?? Object.keys(opts.handlers);
  while (Date.now() - started < budgetMs) {
    const batch = await claimDueJobs(db, { now: now(), limit: opts.batchSize ?? 50, leaseMs: opts.leaseMs ?? DEFAULT_LEASE_MS, kinds });
    if (batch.length === 0) break;
    totals.claimed += batch.length;
    const queue = [...batch];
    const workers = Array.from({ length: Math.min(opts.concurrency ?? 8, queue.length) }, async () => {
      for (let job = queue.shift(); job; job = queue.shift()) {
        const outcome = await runClaimedJob(db, job, opts.handlers, now);
        if (outcome !== "lost") totals[outcome] += 1;
      }
    });
    await Promise.all(workers);
  }
  return totals;
}

/** Runs one queued job at once if it is still pending (nobody else claimed it); returns what happened, or null. */
export async function runJobNow(
  db: Db,
  {
    kind,
    dedupeKey,
    handlers,
    now = () => new Date(),
    leaseMs = DEFAULT_LEASE_MS,
  }: { kind: string; dedupeKey: string; handlers: JobHandlers; now?: () => Date; leaseMs?: number },
): Promise<"done" | "retried" | "failed" | "lost" | null> {
  const job = await claimJobByKey(db, { kind, dedupeKey, now: now(), leaseMs });
  return job ? runClaimedJob(db, job, handlers, now) : null;
}
