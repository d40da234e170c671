import { describe, expect, it } from "vitest";
import { afterFailure, BASE_BLOCK_MS, FREE_FAILURES, MAX_BLOCK_MS, retryAfterSeconds, WINDOW_MS } from "./throttle";

const t0 = new Date("2026-01-01T00:00:00Z");
const at = (ms: number) => new Date(t0.getTime() + ms);

describe("sign-in throttle", () => {
  it("lets the first failures through without waiting", () => {
    let state = null;
    for (let i = 1; i < FREE_FAILURES; i++) {
      state = afterFailure(state, at(i * 1000));
      expect(retryAfterSeconds(state, at(i * 1000))).toBe(0);
    }
    expect(state?.failures).toBe(FREE_FAILURES - 1);
  });

  it("blocks from the fifth failure on, doubling each time up to the cap", () => {
    let state = null;
    const waits: number[] = [];
    for (let i = 1; i <= FREE_FAILURES + 12; i++) {
      state = afterFailure(state, t0);
      waits.push(retryAfterSeconds(state, t0));
    }
    expect(waits[FREE_FAILURES - 1]).toBe(BASE_BLOCK_MS / 1000);
    expect(waits[FREE_FAILURES]).toBe((2 * BASE_BLOCK_MS) / 1000);
    expect(Math.max(...waits)).toBe(MAX_BLOCK_MS / 1000);
  });

  it("starts a fresh window after the window passes", () => {
    let state = null;
    for (let i = 0; i < FREE_FAILURES; i++) state = afterFailure(state, t0);
    const later = afterFailure(state, at(WINDOW_MS + 1));
    expect(later.failures).toBe(1);
    expect(later.blockedUntil).toBeNull();
  });

  it("reports no wait once the block has passed", () => {
    const state = { failures: 6, windowStartedAt: t0, blockedUntil: at(10_000) };
    expect(retryAfterSeconds(state, at(9_001))).toBe(1);
    expect(retryAfterSeconds(state, at(10_000))).toBe(0);
  });
});
