// Next.js answers requests on one thread. Processing stored webhooks (and delivering conversions to Meta) on that same thread costs the
// request path about a third of its throughput under load, so a server on PostgreSQL processes them in a
// worker thread with its own connections (WEBHOOK_PROCESSING=thread, the default there); the request
// thread only stores each event and nudges the worker (one nudge at a time: while the worker drains,
// further nudges just ask for one more round when it reports idle). If the worker cannot start, processing falls back
// to the request thread for good; if it dies after it was up, the next nudge starts a new one. Events
// wait safely as `received` meanwhile (and the scheduled run drains them too).
import { Worker } from "node:worker_threads";
import type { ClaimedConversion } from "@/lib/conversions/deliver";

type ThreadState = { worker: Worker | null; unavailable: boolean; draining: boolean; again: boolean };
const g = globalThis as unknown as { __clicktrailProcessingThread?: ThreadState };
const state: ThreadState = (g.__clicktrailProcessingThread ??= { worker: null, unavailable: false, draining: false, again: false });

function drain(worker: Worker): void {
  state.draining = true;
  state.again = false;
  worker.postMessage("drain" satisfies ThreadTask);
}

export type SpawnWorker = (workerData: { databaseUrl: string }) => Worker;

// Keep this literal: `new Worker(new URL("./…", import.meta.url))` is what makes the bundler emit the worker
// entry (a computed entry would make it treat every file of the project as a possible worker).
const spawnProcessingWorker: SpawnWorker = (workerData) => new Worker(new URL("./processing-worker.ts", import.meta.url), { workerData });

/** A thread that died mid-drain is replaced after this long (a thread that keeps dying is not restarted in a tight loop). */
const RESTART_DELAY_MS = 500;

function startWorker(databaseUrl: string, spawn: SpawnWorker): Worker | null {
  try {
    const worker = spawn({ databaseUrl });
    let ready = false;
    worker.unref(); // never keeps the server alive on shutdown
    worker.on("message", (m) => {
      if (m === "ready") ready = true;
      if (m !== "idle") return;
      state.draining = false;
      if (state.again && state.worker === worker) drain(worker); // events arrived while it was draining
    });
    worker.on("error", (e) => console.error("[clicktrail] the webhook processing thread failed", e));
    worker.on("exit", () => {
      const pending = state.worker === worker && (state.draining || state.again);
      if (state.worker === worker) Object.assign(state, { worker: null, draining: false, again: false });
      if (ready && pending) {
        // it died mid-drain: what it was draining (and what arrived meanwhile) is still `received`, and no
        // further nudge may come for a while (an idle server): a new thread drains it now, not at the next webhook
        setTimeout(() => nudgeProcessingThread(databaseUrl, spawn), RESTART_DELAY_MS).unref();
      }
      if (!ready) {
        // it never came up (no bundle, no database): a new one would fail the same way
        state.unavailable = true;
        console.error("[clicktrail] the webhook processing thread could not start; processing on the request thread instead");
      }
    });
    return worker;
  } catch (e) {
    console.error("[clicktrail] cannot start the webhook processing thread; processing on the request thread instead", e);
    state.unavailable = true;
    return null;
  }
}

/**
 * Asks the processing thread to drain `received` events. False when no thread can run: process inline.
 * (`spawn` replaces the worker in tests.)
 */
export function nudgeProcessingThread(databaseUrl: string, spawn: SpawnWorker = spawnProcessingWorker): boolean {
  if (state.unavailable) return false;
  state.worker ??= startWorker(databaseUrl, spawn);
  if (!state.worker) return false;
  if (state.draining) state.again = true;
  else drain(state.worker);
  return true;
}

/**
 * Hands the thread a conversion its request stored and claimed, to deliver to Meta (see
 * deliverClaimedConversion): the request thread only answers. False when no thread can run: deliver inline.
 */
export function postDeliveryToProcessingThread(databaseUrl: string, claimed: ClaimedConversion, spawn: SpawnWorker = spawnProcessingWorker): boolean {
  if (state.unavailable) return false;
  state.worker ??= startWorker(databaseUrl, spawn);
  if (!state.worker) return false;
  state.worker.postMessage({ kind: "deliver_conversion", claimed } satisfies ThreadTask);
  return true;
}

/** A message to the thread: drain stored webhooks, or deliver one claimed conversion. */
export type ThreadTask = "drain" | { kind: "deliver_conversion"; claimed: ClaimedConversion };

/** The running processing thread, if any (diagnostics, tests). */
export function currentProcessingThread(): Worker | null {
  return state.worker;
}

/** Stops the processing thread (tests, shutdown). */
export async function stopProcessingThread(): Promise<void> {
  const worker = state.worker;
  Object.assign(state, { worker: null, draining: false, again: false });
  if (worker) await worker.terminate();
}
