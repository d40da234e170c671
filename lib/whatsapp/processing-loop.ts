// Stored webhook events are processed right after the answer, in batches (several events per
// transaction), by one loop per process; `SKIP LOCKED` claims let loops of other processes (or the
// cron safety net) run beside it. Failed events are retried through the jobs queue with backoff.
import type { Db } from "@/db/client";
import { backoffMs, enqueueJob, type JobHandler } from "@/lib/jobs/queue";
import { drainWebhookEvents, type ProcessSummary, processWebhookEvents } from "./ingest";
import { nudgeProcessingThread } from "./processing-thread";

export const WEBHOOK_RETRY_JOB = "webhook_retry";

type LoopState = { running: Promise<ProcessTotals> | null; again: boolean };
export type ProcessTotals = { processed: number; unrouted: number; failed: number; messages: number; statuses: number };

// one loop per database (a process normally has one; tests have one per driver, and a kick for one
// database must never be answered by a loop that drains another)
const g = globalThis as unknown as { __clicktrailWebhookLoops?: WeakMap<Db, LoopState> };
const loops: WeakMap<Db, LoopState> = (g.__clicktrailWebhookLoops ??= new WeakMap());
function loopOf(db: Db): LoopState {
  let state = loops.get(db);
  if (!state) loops.set(db, (state = { running: null, again: false }));
  return state;
}

/** Failed events go to the jobs queue: retried with backoff, then left `failed` for a manual replay. */
export async function scheduleRetries(db: Db, summary: ProcessSummary, now: Date): Promise<void> {
  for (const outcome of summary.outcomes) {
    if (outcome.status !== "failed") continue;
    await enqueueJob(db, {
      tenantId: null,
      kind: WEBHOOK_RETRY_JOB,
      dedupeKey: outcome.id,
      payload: { eventId: outcome.id },
      runAt: new Date(now.getTime() + backoffMs(1)),
      maxAttempts: 6,
      ifFinished: "requeue",
    });
  }
}

/** A round that found this many events starts the next one at once (the batches are as large as they need be). */
const FULL_ROUND = 500;

/**
 * Processes every `received` event until none is left (or `budgetMs` is spent). With `coalesceMs`, a round
 * that found fewer than FULL_ROUND events waits before the next one, in proportion (up to `coalesceMs` for a
 * nearly full round), so that under a steady stream of webhooks the batches (one transaction each) grow
 * instead of shrinking to one event, while under light load a lone event is applied at once: a fixed wait
 * after every round made each light-load event wait for most of it.
 */
export async function drainReceivedEvents(db: Db, { now = () => new Date(), budgetMs = 30_000, coalesceMs = 0 } = {}): Promise<ProcessTotals> {
  const started = Date.now();
  const totals: ProcessTotals = { processed: 0, unrouted: 0, failed: 0, messages: 0, statuses: 0 };
  while (Date.now() - started < budgetMs) {
    const summary = await drainWebhookEvents(db, { now: now(), limit: 1000 });
    if (summary.outcomes.length === 0) break;
    totals.processed += summary.processed;
    totals.unrouted += summary.unrouted;
    totals.failed += summary.failed;
    totals.messages += summary.messagesInserted;
    totals.statuses += summary.statusesApplied;
    await scheduleRetries(db, summary, now());
    const found = summary.outcomes.length;
    if (coalesceMs > 0 && found < FULL_ROUND) await new Promise((r) => setTimeout(r, (coalesceMs * found) / FULL_ROUND));
  }
  return totals;
}

/** `threadDatabaseUrl`: process in the worker thread (processing-thread.ts) on this database. */
export type ProcessingDeps = { threadDatabaseUrl: string | null };

/**
 * Starts this thread's loop, or tells the running one to look again. Never throws: an error is logged
 * and the events stay `received` for the next kick or the cron safety net.
 */
export function kickWebhookProcessing(db: Db): Promise<ProcessTotals | null> {
  const state = loopOf(db);
  if (state.running) {
    state.again = true;
    return state.running;
  }
  state.running = (async () => {
    const totals: ProcessTotals = { processed: 0, unrouted: 0, failed: 0, messages: 0, statuses: 0 };
    try {
      do {
        state.again = false;
        const round = await drainReceivedEvents(db, { coalesceMs: 400 });
        for (const k of Object.keys(totals) as (keyof ProcessTotals)[]) totals[k] += round[k];
      } while (state.again);
    } catch (e) {
      console.error("[clicktrail] webhook processing stopped; stored events wait for the next run", e);
    } finally {
      state.running = null;
    }
    return totals;
  })();
  return state.running;
}

/**
 * After a webhook was stored: nudges the processing thread at once (cheap, and the event is committed),
 * or runs the loop on this thread via `defer` (Next's after(): after the response, and a serverless
 * function stays alive for it).
 */
export function processStoredWebhooks(db: Db, deps: ProcessingDeps, defer: (task: () => Promise<unknown>) => void): void {
  if (deps.threadDatabaseUrl && nudgeProcessingThread(deps.threadDatabaseUrl)) return;
  defer(() => kickWebhookProcessing(db));
}

/** The jobs-queue handler that retries one failed event. */
export function webhookRetryHandler(db: Db): JobHandler {
  return async (job, { now }) => {
    const eventId = String(job.payload.eventId ?? "");
    const [outcome] = (await processWebhookEvents(db, { ids: [eventId], now })).outcomes;
    if (!outcome) return { ok: false, error: "The webhook event no longer exists", retryable: false };
    if (outcome.status === "failed") return { ok: false, error: outcome.error ?? "processing failed", retryable: true };
    if (outcome.status === "skipped") return { ok: false, error: "The event was being processed elsewhere", retryable: true };
    return { ok: true, result: { status: outcome.status } };
  };
}
