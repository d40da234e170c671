// Test double of processing-worker.ts speaking the same protocol: "ready" once up; each "drain" is
// answered "idle" after a short while. It reports every drain it ran to the parent as { drained: n }.
// With workerData.dieOnDrain it exits in the middle of its first drain instead (a crash).
import { setTimeout } from "node:timers";
import process from "node:process";
import { parentPort, workerData } from "node:worker_threads";

let drained = 0;
parentPort.postMessage("ready");
parentPort.on("message", (m) => {
  if (m !== "drain") return;
  drained += 1;
  parentPort.postMessage({ drained });
  if (workerData.dieOnDrain) setTimeout(() => process.exit(1), 10);
  setTimeout(() => parentPort.postMessage("idle"), workerData.drainMs ?? 50);
});
