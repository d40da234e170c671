// How conversions are retried: quickly at first (Meta's own advice is to retry 5xx and timeouts at
// once), then slower, for about four hours in all — well inside Meta's 48 h dedup window, so a retry
// of an event Meta did receive is dropped there as a duplicate.
export const CAPI_FORWARD_JOB = "capi_forward";
export const CAPI_MAX_ATTEMPTS = 15;
/** The client timeout of one delivery (Meta: most answers < 600 ms; the job lease is 60 s). */
export const CAPI_TIMEOUT_MS = 8_000;

/** 1 s, 2 s, 4 s … doubling to an hour at most, with ±20 % jitter so a burst of failures does not retry in lockstep. */
export function capiBackoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(1_000 * 2 ** Math.max(0, attempt - 1), 3_600_000);
  return Math.round(base * (0.8 + 0.4 * random()));
}
