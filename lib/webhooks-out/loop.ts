// The delivery loop of outgoing webhooks: one per process and database (started with the server, woken by
// kickDeliveries()), plus a bounded drain in the scheduled work (Vercel Cron mode). It claims due deliveries as runs
// (the head of an (endpoint, subscriber) queue and the next ones of that queue, with a lease), posts each run in
// order while runs of other queues go side by side (bounded), claims the next runs while these are posted, and
// writes each attempt and outcome in grouped statements.
import { randomUUID } from "node:crypto";
import type { Db } from "@/db/client";
import {
  type ClaimedDelivery,
  type DeliveryOutcome,
  type EndpointHealth,
  claimDueDeliveries,
  finishDeliveries,
  nextDeliveryDueAt,
  reviveDeliveries,
  updateEndpointHealth,
} from "@/db/queries/webhooks-out";
import { getEnv } from "@/lib/env";
import { groupWriter } from "@/lib/group-writer";
import { DELIVERY_TIMEOUT_MS, type DeliverDeps, deliverOnce } from "./deliver";
import { onDeliveriesKicked } from "./kick";

export const LEASE_MS = 60_000;
/** an endpoint failing this long without a success is switched off */
export const DISABLE_AFTER_MS = 24 * 3_600_000;
const IDLE_POLL_MS = 5_000;
/** deliveries of one queue claimed at once: a subscriber's burst goes out without a claim between its events */
export const CHAIN = 32;
/** how often a claim also looks for deliveries whose lease ran out */
const EXPIRED_CHECK_MS = 15_000;

export type DeliveryTotals = { claimed: number; succeeded: number; retried: number; failed: number; disabled: number };
const emptyTotals = (): DeliveryTotals => ({ claimed: 0, succeeded: 0, retried: 0, failed: 0, disabled: 0 });

export function deliveryDepsFromEnv(): DeliverDeps {
  const env = getEnv();
  return { encryptionKey: env.ENCRYPTION_KEY, egress: { trusted: env.WEBHOOK_OUT_HOSTS } };
}

export function disabledReason(failingSince: Date, lastError: string, now: Date): string {
  return (
    `Switched off at ${now.toISOString()}: every delivery has failed since ${failingSince.toISOString()} (24 hours without a success). ` +
    `Last error: ${lastError.slice(0, 300)}. Pending deliveries wait: fix the receiver, then switch the endpoint back on.`
  );
}

/** Per endpoint in a group of outcomes: the last success and the first failure after it (a new streak). */
export function endpointHealth(outcomes: readonly DeliveryOutcome[]): EndpointHealth[] {
  const by = new Map<string, DeliveryOutcome[]>();
  for (const o of outcomes) by.set(o.endpointId, [...(by.get(o.endpointId) ?? []), o]);
  return [...by.entries()].map(([endpointId, list]) => {
    list.sort((a, b) => a.attemptedAt.getTime() - b.attemptedAt.getTime());
    let lastSuccessAt: Date | null = null;
    let failingFrom: Date | null = null;
    let lastError: string | null = null;
    for (const o of list) {
      if (o.status === "succeeded") {
        lastSuccessAt = o.attemptedAt;
        failingFrom = null;
      } else {
        failingFrom ??= o.attemptedAt;
        lastError = o.error ?? (o.statusCode ? `HTTP ${o.statusCode}` : "failed");
      }
    }
    return { endpointId, lastSuccessAt, failingFrom, lastError };
  });
}

type Finish = { outcome: DeliveryOutcome; now: Date };
/** Outcomes go to the database in groups (one statement for attempts and deliveries, one for the endpoints' health). */
const writeFinish = groupWriter<Finish, number>(
  "webhooks-out-finish",
  async (db, items) => {
    const outcomes = items.map((i) => i.outcome);
    await finishDeliveries(db, outcomes);
    const attempted = outcomes.filter((o) => o.status !== "released");
    const now = items[items.length - 1]!.now;
    const off = await updateEndpointHealth(db, {
      rows: endpointHealth(attempted),
      now,
      disableAfterMs: DISABLE_AFTER_MS,
      reason: (since, err) => disabledReason(since, err, now),
    });
    const offIds = new Set(off.map((e) => e.id));
    await reviveDeliveries(db, { ids: attempted.filter((o) => o.gaveUp && offIds.has(o.endpointId)).map((o) => o.id), now });
    if (off.length > 0) console.warn(`[clicktrail] outgoing webhooks: switched off ${off.length} endpoint(s) failing for 24 h`);
    return items.map((_, i) => (i === 0 ? off.length : 0));
  },
  { maxItems: 500, maxInFlight: 2 },
);

export type DrainOptions = {
  now?: () => Date;
  /** stop claiming after this long (in-flight posts still finish) */
  budgetMs?: number;
  /** queues posted to at once (each posts its claimed run in order) */
  concurrency?: number;
  /** deliveries of one queue claimed together (the head and the next ones), posted one after the other */
  chain?: number;
  /** true: return once nothing is due and nothing is in flight (cron); false: wait for kicks until `signal` aborts */
  exitWhenIdle?: boolean;
  signal?: AbortSignal;
};

/** Claims and posts due deliveries until none is due (or the budget is spent, or `signal` aborts). */
export async function drainDeliveries(db: Db, deps: DeliverDeps, opts: DrainOptions = {}): Promise<DeliveryTotals> {
  const { now = () => new Date(), budgetMs = Infinity, concurrency = 256, chain = CHAIN, exitWhenIdle = true, signal } = opts;
  const totals = emptyTotals();
  const owner = randomUUID();
  const inflight = new Set<Promise<void>>();
  const timeoutMs = deps.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  let dirty = false;
  let wake: (() => void) | null = null;
  const poke = () => {
    dirty = true;
    wake?.();
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (dirty || signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });
  const unsubscribe = onDeliveriesKicked(poke);
  signal?.addEventListener("abort", poke);
  const started = Date.now();
  let expiredCheckedAt = -Infinity;

  const outcomeOf = (
    d: ClaimedDelivery,
    attemptedAt: Date,
    finishedAt: Date,
    r: Pick<DeliveryOutcome, "latencyMs" | "statusCode" | "snippet" | "error" | "status" | "nextAttemptAt"> & { gaveUp?: boolean },
  ): DeliveryOutcome => ({
    id: d.id,
    tenantId: d.tenantId,
    endpointId: d.endpointId,
    owner: d.leaseOwner,
    attempts: d.attempts,
    attemptedAt,
    finishedAt,
    latencyMs: r.latencyMs,
    statusCode: r.statusCode,
    snippet: r.snippet,
    error: r.error,
    status: r.status,
    nextAttemptAt: r.nextAttemptAt,
    gaveUp: r.gaveUp ?? false,
  });
  const release = (d: ClaimedDelivery, at: Date, notBefore: Date | null): DeliveryOutcome =>
    outcomeOf(d, at, at, { latencyMs: 0, statusCode: null, snippet: null, error: null, status: "released", nextAttemptAt: notBefore });

  // One claimed run of a queue, posted in order, each post as soon as the one before it has been answered (its
  // outcome is written meanwhile, in a group with other runs'); the run ends once every outcome is written, so the
  // queue's next claim finds them. A delivery to be retried sends the rest of its run back to pending with it.
  const post = (run: ClaimedDelivery[]) => {
    const task = (async () => {
      const writes: Promise<number>[] = [];
      const write = (outcome: DeliveryOutcome, at: Date) => writes.push(writeFinish(db, { outcome, now: at }));
      try {
        for (let i = 0; i < run.length; i++) {
          const d = run[i]!;
          const attemptedAt = now();
          // a claim is posted while its lease holds; should this run have stalled, the rest goes back (or another run owns it by now)
          if (d.leaseExpiresAt.getTime() - attemptedAt.getTime() < timeoutMs) {
            for (const x of run.slice(i)) write(release(x, attemptedAt, null), attemptedAt);
            break;
          }
          const r = await deliverOnce(d, deps, now);
          const finishedAt = now();
          write(outcomeOf(d, attemptedAt, finishedAt, r), finishedAt);
          if (r.status === "succeeded") totals.succeeded++;
          else if (r.status === "failed") totals.failed++;
          else totals.retried++;
          if (r.status === "pending" || r.gaveUp) {
            // a retry holds its queue: the rest of the run goes back to pending, due no earlier than the retry. So does
            // a delivery whose retries ran out: its outcome may switch the endpoint off, and the next claim (after
            // this run's outcomes are written) then finds the rest waiting for it instead of posted at a failing receiver
            for (const x of run.slice(i + 1)) write(release(x, finishedAt, r.nextAttemptAt ?? null), finishedAt);
            break;
          }
        }
      } finally {
        // every outcome is written (or has failed) before the run ends; a failed write is reported below
        const written = await Promise.allSettled(writes);
        const failed = written.find((w) => w.status === "rejected");
        for (const w of written) if (w.status === "fulfilled") totals.disabled += w.value;
        if (failed) console.error("[clicktrail] outgoing webhook delivery could not be recorded; its lease will run out and it is retried", failed.reason);
      }
    })()
      .catch((e) => console.error("[clicktrail] outgoing webhook delivery could not be recorded; its lease will run out and it is retried", e))
      .finally(() => {
        inflight.delete(task);
        poke();
      });
    inflight.add(task);
  };

  try {
    while (!signal?.aborted && Date.now() - started < budgetMs) {
      dirty = false;
      const free = concurrency - inflight.size;
      let claimed: ClaimedDelivery[] = [];
      let runs = 0;
      // at most half the slots per claim, so the next claim runs while these runs are posted (a claim never waits for all)
      const limit = Math.min(free, Math.max(1, Math.ceil(concurrency / 2)), 500);
      if (free > 0) {
        // rows of a stopped run (lease ran out) are looked for now and then, not on every claim
        const expired = Date.now() - expiredCheckedAt >= EXPIRED_CHECK_MS;
        if (expired) expiredCheckedAt = Date.now();
        claimed = await claimDueDeliveries(db, { now: now(), limit, leaseMs: LEASE_MS, owner, chain, expired });
        totals.claimed += claimed.length;
        const byQueue = new Map<string, ClaimedDelivery[]>();
        for (const d of claimed) {
          const key = `${d.endpointId}\u0000${d.orderKey}`;
          const run = byQueue.get(key);
          if (run) run.push(d);
          else byQueue.set(key, [d]);
        }
        for (const run of byQueue.values()) post(run.sort((a, b) => a.chainPos - b.chainPos));
        runs = byQueue.size;
      }
      if (runs > 0 && runs === limit && inflight.size < concurrency) {
        continue; // a full claim and slots left: claim the next ones while these are posted
      } else if (runs > 0 && inflight.size >= concurrency) {
        await sleep(1_000); // every slot busy: wait for one to free up
      } else if (inflight.size > 0) {
        await sleep(1_000); // a finish may make the next delivery of its key due
        if (inflight.size > 0) await new Promise((r) => setTimeout(r, 3)); // let a few more finish: fewer, larger claims
      } else if (claimed.length === 0) {
        if (exitWhenIdle && !dirty) break;
        const next = await nextDeliveryDueAt(db);
        const wait = next === null ? IDLE_POLL_MS : Math.min(IDLE_POLL_MS, Math.max(50, next.getTime() - now().getTime()));
        await sleep(wait);
      }
    }
  } finally {
    await Promise.all(inflight);
    unsubscribe();
    signal?.removeEventListener("abort", poke);
  }
  return totals;
}

type LoopState = { controller: AbortController; running: Promise<void> };
const g = globalThis as unknown as { __clicktrailWebhookOutLoops?: WeakMap<Db, LoopState> };
const loops: WeakMap<Db, LoopState> = (g.__clicktrailWebhookOutLoops ??= new WeakMap());

/**
 * Starts this process's delivery loop for the database (once; later calls return the same handle). It runs until
 * stopped, waking on kickDeliveries() and when the next retry falls due; an error is logged and the loop starts again.
 */
export function startDeliveryLoop(db: Db, deps: DeliverDeps, opts: Omit<DrainOptions, "exitWhenIdle" | "signal"> = {}): { stop: () => Promise<void> } {
  let state = loops.get(db);
  if (!state) {
    const controller = new AbortController();
    const running = (async () => {
      while (!controller.signal.aborted) {
        try {
          await drainDeliveries(db, deps, { ...opts, exitWhenIdle: false, signal: controller.signal });
        } catch (e) {
          console.error("[clicktrail] outgoing webhook loop stopped; it starts again in 5 s", e);
          await new Promise((r) => setTimeout(r, 5_000));
        }
      }
    })();
    state = { controller, running };
    loops.set(db, state);
  }
  const s = state;
  return {
    stop: async () => {
      s.controller.abort();
      await s.running;
      if (loops.get(db) === s) loops.delete(db);
    },
  };
}
