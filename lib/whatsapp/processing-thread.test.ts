import { Worker } from "node:worker_threads";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type SpawnWorker, currentProcessingThread, nudgeProcessingThread, stopProcessingThread } from "./processing-thread";

const fakeWorker: SpawnWorker = (workerData) => new Worker(new URL("./testing/fake-processing-worker.mjs", import.meta.url), { workerData });
const URL_ = "postgres://127.0.0.1:1/none";

afterEach(() => stopProcessingThread());

describe("processing thread", () => {
  it("coalesces nudges: one drain at a time, and one more round for everything that arrived meanwhile", async () => {
    expect(nudgeProcessingThread(URL_, fakeWorker)).toBe(true);
    const worker = currentProcessingThread()!;
    const drains: number[] = [];
    worker.on("message", (m) => typeof m === "object" && drains.push(m.drained));
    for (let i = 0; i < 5; i++) expect(nudgeProcessingThread(URL_, fakeWorker)).toBe(true);
    await vi.waitFor(() => expect(drains).toEqual([1, 2]), { timeout: 2000 });
    await new Promise((r) => setTimeout(r, 150)); // the second round ends idle with nothing pending
    expect(drains).toEqual([1, 2]);
    nudgeProcessingThread(URL_, fakeWorker);
    await vi.waitFor(() => expect(drains).toEqual([1, 2, 3]), { timeout: 2000 });
    expect(currentProcessingThread()).toBe(worker); // the same thread throughout
  });

  it("replaces a thread that died mid-drain and drains again without waiting for another webhook", async () => {
    const spawned: Worker[] = [];
    const drains: string[] = [];
    const spawn: SpawnWorker = (workerData) => {
      const worker = new Worker(new URL("./testing/fake-processing-worker.mjs", import.meta.url), {
        workerData: { ...workerData, dieOnDrain: spawned.length === 0 },
      });
      worker.on("message", (m) => typeof m === "object" && drains.push(`worker ${spawned.indexOf(worker) + 1}`));
      spawned.push(worker);
      return worker;
    };
    expect(nudgeProcessingThread(URL_, spawn)).toBe(true);
    // the first thread dies during its drain; no further nudge is sent
    await vi.waitFor(() => expect(drains).toEqual(["worker 1", "worker 2"]), { timeout: 5000 });
    expect(currentProcessingThread()).toBe(spawned[1]);
  });

  it("falls back to the request thread for good when the worker never comes up", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    // under vitest the real worker entry is TypeScript source that plain Node cannot load: it exits before "ready"
    expect(nudgeProcessingThread(URL_)).toBe(true);
    await vi.waitFor(() => expect(nudgeProcessingThread(URL_)).toBe(false), { timeout: 10_000 });
    expect(nudgeProcessingThread(URL_, fakeWorker)).toBe(false);
    expect(errors.mock.calls.flat().join(" ")).toMatch(/processing on the request thread instead/);
    errors.mockRestore();
  });
});
