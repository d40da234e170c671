import { afterEach, describe, expect, it, vi } from "vitest";
import { nudgeProcessingThread, stopProcessingThread } from "./processing-thread";

afterEach(() => stopProcessingThread());

describe("processing thread", () => {
  it("falls back to the request thread for good when the worker never comes up", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    // under vitest the worker entry is TypeScript source that plain Node cannot load: it exits before "ready"
    expect(nudgeProcessingThread("postgres://127.0.0.1:1/none")).toBe(true);
    await vi.waitFor(() => expect(nudgeProcessingThread("postgres://127.0.0.1:1/none")).toBe(false), { timeout: 10_000 });
    expect(nudgeProcessingThread("postgres://127.0.0.1:1/none")).toBe(false);
    expect(errors.mock.calls.flat().join(" ")).toMatch(/processing on the request thread instead/);
    errors.mockRestore();
  });
});
