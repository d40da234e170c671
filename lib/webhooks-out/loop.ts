// The delivery loop of outgoing webhooks: one per process and database (started with the server, woken by
// kickDeliveries()), plus a bounded drain in the scheduled work (Vercel Cron mode). It claims due deliveries (only
// the head of each endpoint's queue per subscriber, with a lease), posts them concurrently across keys (bounded),
// and writes each attempt and outcome in grouped statements; a finished delivery makes the next one of its key due.
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
    const now = items[items.length - 1]!.now;
    const off = await updateEndpointHealth(db, {
      rows: endpointHealth(outcomes),
      now,
      disableAfterMs: DISABLE_AFTER_MS,
      reason: (since, err) => disabledReason(since, err, now),
    });
    const offIds = new Set(off.map((e) => e.id));
    await reviveDeliveries(db, { ids: outcomes.filter((o) => o.gaveUp && offIds.has(o.endpointId)).map((o) => o.id), now });
    if (off.length > 0) console.warn(`[clicktrail] outgoing webhooks: switched off ${off.length} endpoint(s) failing for 24 h`);
    return items.map((_, i) => (i === 0 ? off.length : 0));
  },
  { maxItems: 500, maxInFlight: 2 },
);

export type DrainOptions = {
  now?: () => Date;
  /** stop claiming after this long (in-flight posts still finish) */
  budgetMs?: number;
  /** posts in flight at once */
  concurrency?: number;
  /** true: return once nothing is due and nothing is in flight (cron); false: wait for kicks until `signal` aborts */
  exitWhenIdle?: boolean;
  signal?: AbortSignal;
};

/** Claims and posts due deliveries until none is due (or the budget is spent, or `signal` aborts). */
export async function drainDeliveries(db: Db, deps: DeliverDeps, opts: DrainOptions = {}): Promise<DeliveryTotals> {
  const { now = () => new Date(), budgetMs = Infinity, concurrency = 128, exitWhenIdle = true, signal } = opts;
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

  const post = (d: ClaimedDelivery) => {
    const task = (async () => {
      const attemptedAt = now();
      // a claim is posted at once; should this run have stalled past its lease, another run owns the row now
      if (d.leaseExpiresAt.getTime() - attemptedAt.getTime() < timeoutMs) return;
      const r = await deliverOnce(d, deps, now);
      const finishedAt = now();
      const outcome: DeliveryOutcome = {
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
      };
      totals.disabled += await writeFinish(db, { outcome, now: finishedAt });
      if (r.status === "succeeded") totals.succeeded++;
      else if (r.status === "failed") totals.failed++;
      else totals.retried++;
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
      if (free > 0) {
        claimed = await claimDueDeliveries(db, { now: now(), limit: Math.min(free, 500), leaseMs: LEASE_MS, owner });
        totals.claimed += claimed.length;
        for (const d of claimed) post(d);
      }
      if (claimed.length > 0 && claimed.length === free) {
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
