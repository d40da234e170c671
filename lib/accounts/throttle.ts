// Sign-in throttle policy (pure). Every attempt is counted before its password is checked, per
// account (the normalised email) and per client address; a key that passes its limit within the
// window is locked for LOCKOUT_MS. The counting itself is one atomic statement (bumpSignInAttempts).
export const WINDOW_MS = 15 * 60_000;
export const LOCKOUT_MS = 15 * 60_000;
/** Attempts per account and window whose password is checked; the next one locks the account. */
export const EMAIL_ATTEMPT_LIMIT = 5;
/** Failed attempts per client address and window (password spraying across many emails). */
export const ADDRESS_ATTEMPT_LIMIT = 20;

export type ThrottleKey = { key: string; limit: number };

export const emailThrottleKey = (email: string) => `email:${email}`;
export const addressThrottleKey = (address: string) => `addr:${address}`;

/** The keys one attempt counts against, always in the same order (address first: no lock-order cycles). */
export function throttleKeys({ email, clientAddress }: { email: string; clientAddress?: string | null }): ThrottleKey[] {
  const keys: ThrottleKey[] = [];
  if (clientAddress) keys.push({ key: addressThrottleKey(clientAddress), limit: ADDRESS_ATTEMPT_LIMIT });
  keys.push({ key: emailThrottleKey(email), limit: EMAIL_ATTEMPT_LIMIT });
  return keys;
}

/** Seconds until a lock ends (0 when there is none or it has passed). */
export function retryAfterSeconds(blockedUntil: Date | null | undefined, now: Date): number {
  if (!blockedUntil || blockedUntil <= now) return 0;
  return Math.ceil((blockedUntil.getTime() - now.getTime()) / 1000);
}

/** The sign-in form's message: "Too many attempts, try again in N minutes." */
export function throttledMessage(seconds: number): string {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  return `Too many attempts, try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}
