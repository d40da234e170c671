// Next.js answers requests on one thread. Processing stored webhooks on that same thread costs the
// request path about a third of its throughput under load, so a server on PostgreSQL processes them in a
// worker thread with its own connections (WEBHOOK_PROCESSING=thread, the default there); the request
// thread only stores each event and nudges the worker. If the worker cannot start, processing falls back
// to the request thread for good; if it dies after it was up, the next nudge starts a new one. Events
// wait safely as `received` meanwhile (and the scheduled run drains them too).
import { Worker } from "node:worker_threads";

type ThreadState = { worker: Worker | null; unavailable: boolean };
const g = globalThis as unknown as { __clicktrailProcessingThread?: ThreadState };
const state: ThreadState = (g.__clicktrailProcessingThread ??= { worker: null, unavailable: false });

function startWorker(databaseUrl: string): Worker | null {
  try {
    const worker = new Worker(new URL("./processing-worker.ts", import.meta.url), { workerData: { databaseUrl } });
    let ready = false;
    worker.unref(); // never keeps the server alive on shutdown
    worker.on("message", (m) => {
      if (m === "ready") ready = true;
    });
    worker.on("error", (e) => console.error("[clicktrail] the webhook processing thread failed", e));
    worker.on("exit", () => {
      if (state.worker === worker) state.worker = null;
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

/** Asks the processing thread to drain `received` events. False when no thread can run: process inline. */
export function nudgeProcessingThread(databaseUrl: string): boolean {
  if (state.unavailable) return false;
  state.worker ??= startWorker(databaseUrl);
  if (!state.worker) return false;
  state.worker.postMessage("drain");
  return true;
}

/** Stops the processing thread (tests, shutdown). */
export async function stopProcessingThread(): Promise<void> {
  const worker = state.worker;
  state.worker = null;
  if (worker) await worker.terminate();
}
