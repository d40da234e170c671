import { describe, expect, it } from "vitest";
import { ADDRESS_ATTEMPT_LIMIT, EMAIL_ATTEMPT_LIMIT, retryAfterSeconds, throttledMessage, throttleKeys } from "./throttle";

const t0 = new Date("2026-01-01T00:00:00Z");

describe("sign-in throttle policy", () => {
  it("counts an attempt per client address (first) and per email", () => {
    expect(throttleKeys({ email: "a@example.com", clientAddress: "203.0.113.9" })).toEqual([
      { key: "addr:203.0.113.9", limit: ADDRESS_ATTEMPT_LIMIT },
      { key: "email:a@example.com", limit: EMAIL_ATTEMPT_LIMIT },
    ]);
    expect(throttleKeys({ email: "a@example.com", clientAddress: null })).toEqual([{ key: "email:a@example.com", limit: EMAIL_ATTEMPT_LIMIT }]);
  });

  it("reports the wait until a lock ends, and none once it has passed", () => {
    const until = new Date(t0.getTime() + 10_000);
    expect(retryAfterSeconds(until, new Date(t0.getTime() + 9_001))).toBe(1);
    expect(retryAfterSeconds(until, until)).toBe(0);
    expect(retryAfterSeconds(null, t0)).toBe(0);
  });

  it("says how many minutes to wait", () => {
    expect(throttledMessage(900)).toBe("Too many attempts, try again in 15 minutes.");
    expect(throttledMessage(61)).toBe("Too many attempts, try again in 2 minutes.");
    expect(throttledMessage(5)).toBe("Too many attempts, try again in 1 minute.");
  });
});
