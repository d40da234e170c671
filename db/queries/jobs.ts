import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../client";
import { jobs } from "../schema";

export type JobRow = typeof jobs.$inferSelect;
export type JobStatus = JobRow["status"];

/** Inserts a job unless one with the same (kind, dedupe key) exists; returns it, or null when deduplicated. */
export async function insertJob(db: Db, values: typeof jobs.$inferInsert): Promise<JobRow | null> {
  const [row] = await db
    .insert(jobs)
    .values(values)
    .onConflictDoNothing({ target: [jobs.kind, jobs.dedupeKey] })
    .returning();
  return row ?? null;
}

/** Puts a finished (done/failed/cancelled) job with this key back in the queue. */
export async function requeueFinishedJob(
  db: Db,
  { kind, dedupeKey, runAt, payload }: { kind: string; dedupeKey: string; runAt: Date; payload?: Record<string, unknown> },
): Promise<JobRow | null> {
  const [row] = await db
    .update(jobs)
    .set({ status: "pending", attempts: 0, runAt, leaseExpiresAt: null, lastError: null, updatedAt: runAt, ...(payload ? { payload } : {}) })
    .where(and(eq(jobs.kind, kind), eq(jobs.dedupeKey, dedupeKey), inArray(jobs.status, ["done", "failed", "cancelled"])))
    .returning();
  return row ?? null;
}

/**
 * Claims due jobs: pending ones whose time has come, and running ones whose lease expired (a
 * crashed worker). `FOR UPDATE SKIP LOCKED` lets any number of workers claim in parallel without
 * ever taking the same row.
 */
export async function claimDueJobs(db: Db, { now, limit, leaseMs, kinds }: { now: Date; limit: number; leaseMs: number; kinds?: string[] }): Promise<JobRow[]> {
  const nowIso = now.toISOString();
  const leaseIso = new Date(now.getTime() + leaseMs).toISOString();
  const kindFilter = kinds?.length ? sql`and ${inArray(jobs.kind, kinds)}` : sql``;
  const due = sql`select ${jobs.id} from ${jobs}
    where ((${jobs.status} = 'pending' and ${jobs.runAt} <= ${nowIso}::timestamptz)
        or (${jobs.status} = 'running' and ${jobs.leaseExpiresAt} < ${nowIso}::timestamptz))
      ${kindFilter}
    order by ${jobs.runAt}
    limit ${limit}
    for update skip locked`;
  return db
    .update(jobs)
    .set({ status: "running", attempts: sql`${jobs.attempts} + 1`, leaseExpiresAt: sql`${leaseIso}::timestamptz`, updatedAt: now })
    .where(sql`${jobs.id} in (${due})`)
    .returning();
}

/** Claims one pending job by its key (run it now, e.g. right after the request that queued it); null when it is not pending. */
export async function claimJobByKey(
  db: Db,
  { kind, dedupeKey, now, leaseMs }: { kind: string; dedupeKey: string; now: Date; leaseMs: number },
): Promise<JobRow | null> {
  const [row] = await db
    .update(jobs)
    .set({ status: "running", attempts: sql`${jobs.attempts} + 1`, leaseExpiresAt: new Date(now.getTime() + leaseMs), updatedAt: now })
    .where(and(eq(jobs.kind, kind), eq(jobs.dedupeKey, dedupeKey), eq(jobs.status, "pending")))
    .returning();
  return row ?? null;
}

export async function finishJob(
  db: Db,
  {
    id,
    attempts,
    status,
    runAt,
    lastError,
    result,
    now,
  }: {
    id: string;
    attempts: number;
    status: "done" | "failed" | "pending";
    runAt?: Date;
    lastError?: string | null;
    result?: Record<string, unknown> | null;
    now: Date;
  },
): Promise<boolean> {
  // guarded by the attempt number: a worker whose lease expired cannot overwrite a newer claim
  const rows = await db
    .update(jobs)
    .set({
      status,
      leaseExpiresAt: null,
      updatedAt: now,
      ...(runAt ? { runAt } : {}),
      ...(lastError !== undefined ? { lastError } : {}),
      ...(result !== undefined ? { result } : {}),
    })
    .where(and(eq(jobs.id, id), eq(jobs.status, "running"), eq(jobs.attempts, attempts)))
    .returning({ id: jobs.id });
  return rows.length > 0;
}

export async function getJobByKey(db: Db, { kind, dedupeKey }: { kind: string; dedupeKey: string }): Promise<JobRow | null> {
  const [row] = await db
    .select()
    .from(jobs)
    .where(and(eq(jobs.kind, kind), eq(jobs.dedupeKey, dedupeKey)))
    .limit(1);
  return row ?? null;
}
