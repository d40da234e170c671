// The webhook processing thread (see processing-thread.ts): its own connection pool, and the same
// batch loop the request thread would run. Each "drain" message runs the loop until nothing is left, then
// answers "idle"; a "deliver_conversion" message sends one claimed conversion to Meta.
import fs from "node:fs";
import os from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { sql } from "drizzle-orm";
import { openDatabase } from "@/db/client";
import { deliverClaimedConversion } from "@/lib/conversions/deliver";
import { conversionDepsFromEnv } from "@/lib/conversions/deps";
import { getEnv } from "@/lib/env";
import { kickWebhookProcessing } from "./processing-loop";
import type { ThreadTask } from "./processing-thread";

const { databaseUrl } = workerData as { databaseUrl: string };

/**
 * This thread's work can wait a moment; answers to Meta and to API clients cannot. On Linux a thread has
 * its own nice value, so the thread lowers its own (the request thread keeps its priority and gets the CPU
 * first whenever both want it). Elsewhere this is a no-op.
 */
const BACKGROUND_NICE = 10;
function lowerThisThreadsPriority(): void {
  try {
    const tid = Number(fs.readlinkSync("/proc/thread-self").split("/").pop()); // readlinkSync runs on this thread
    if (Number.isInteger(tid) && tid !== process.pid) os.setPriority(tid, BACKGROUND_NICE);
  } catch {
    // not Linux, or not allowed: run at the process's priority
  }
}
lowerThisThreadsPriority();
const opening = openDatabase({ url: databaseUrl, max: 4, prepare: getEnv().DATABASE_PREPARE === "true" }).then(async (handle) => {
  await handle.db.execute(sql`select 1`); // reachable before we say so
  parentPort?.postMessage("ready");
  return handle;
});

opening.catch((e: unknown) => {
  console.error("[clicktrail] the webhook processing thread cannot reach the database", e);
  process.exit(1);
});

parentPort?.on("message", (task: ThreadTask) => {
  if (task !== "drain") {
    // a conversion its request stored and claimed: if this fails, its lease expires and the jobs queue retries it
    void opening
      .then(({ db }) => deliverClaimedConversion(db, conversionDepsFromEnv(), { claimed: task.claimed }))
      .catch((e: unknown) => console.error("[clicktrail] a conversion delivery failed in the processing thread", e));
    return;
  }
  void opening
    .then(({ db }) => kickWebhookProcessing(db))
    .catch(() => {}) // kickWebhookProcessing logs its own errors; a failed open already ended this thread above
    .finally(() => parentPort?.postMessage("idle"));
});
