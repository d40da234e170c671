// Sign-in throttle policy (pure): after FREE_FAILURES failures within the window, every further
// failure blocks the email for an exponentially growing time, capped at MAX_BLOCK_MS.
export const WINDOW_MS = 15 * 60_000;
export const FREE_FAILURES = 5;
export const BASE_BLOCK_MS = 5_000;
export const MAX_BLOCK_MS = 15 * 60_000;

export type ThrottleState = { failures: number; windowStartedAt: Date; blockedUntil: Date | null };

export function retryAfterSeconds(state: ThrottleState | null, now: Date): number {
  if (!state?.blockedUntil || state.blockedUntil <= now) return 0;
  return Math.ceil((state.blockedUntil.getTime() - now.getTime()) / 1000);
}

export function afterFailure(state: ThrottleState | null, now: Date): ThrottleState {
  const fresh = !state || now.getTime() - state.windowStartedAt.getTime() > WINDOW_MS;
  const failures = fresh ? 1 : state.failures + 1;
  const windowStartedAt = fresh ? now : state.windowStartedAt;
  if (failures < FREE_FAILURES) return { failures, windowStartedAt, blockedUntil: null };
  const blockMs = Math.min(MAX_BLOCK_MS, BASE_BLOCK_MS * 2 ** (failures - FREE_FAILURES));
  return { failures, windowStartedAt, blockedUntil: new Date(now.getTime() + blockMs) };
}
