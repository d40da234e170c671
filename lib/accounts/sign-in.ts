import {
  bumpSignInAttempts,
  clearSignInAttempts,
  deleteStaleSignInAttempts,
  forgiveSignInAttempt,
  getUserCredentialsByEmail,
  touchLastLogin,
} from "@/db/queries";
import type { Db } from "@/db/client";
import { dummyPasswordHash, verifyPassword } from "@/lib/passwords";
import { addressThrottleKey, emailThrottleKey, LOCKOUT_MS, retryAfterSeconds, throttleKeys, WINDOW_MS } from "./throttle";

export type SignInResult =
  { ok: true; userId: string; sessionVersion: number } | { ok: false; reason: "invalid" } | { ok: false; reason: "throttled"; retryAfterSeconds: number };

type SignInDeps = { verifyPassword: (hash: string, password: string) => Promise<boolean> };

/**
 * Checks an email and password. Never says which part was wrong; unknown emails cost the same
 * time as wrong passwords. The attempt is counted (per email and per client address) in one atomic
 * statement BEFORE the password is checked, so a parallel burst cannot race past the limit: once a
 * key is locked no password is checked at all, the right one included (see throttle.ts).
 */
export async function signInWithPassword(
  db: Db,
  { email, password, clientAddress, now }: { email: string; password: string; clientAddress?: string | null; now: Date },
  deps: SignInDeps = { verifyPassword },
): Promise<SignInResult> {
  const key = email.trim().toLowerCase();
  const counters = await bumpSignInAttempts(db, { keys: throttleKeys({ email: key, clientAddress }), now, windowMs: WINDOW_MS, lockoutMs: LOCKOUT_MS });
  const wait = Math.max(0, ...counters.map((c) => retryAfterSeconds(c.blockedUntil, now)));
  if (wait > 0) return { ok: false, reason: "throttled", retryAfterSeconds: wait };

  const user = await getUserCredentialsByEmail(db, key);
  const valid = await deps.verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), password);
  // an account that belongs to no workspace has nothing to sign in to (same answer as a wrong password)
  if (!user || !valid || user.workspaces === 0) return { ok: false, reason: "invalid" };

  await clearSignInAttempts(db, { key: emailThrottleKey(key), now });
  // the address's count of other accounts' failures stays: only this attempt is taken back
  if (clientAddress) await forgiveSignInAttempt(db, { key: addressThrottleKey(clientAddress) });
  await touchLastLogin(db, user.id, now);
  return { ok: true, userId: user.id, sessionVersion: user.sessionVersion };
}

/** Scheduled clean-up of sign-in counters that count for nothing any more (window over, no lock in force). */
export async function pruneSignInThrottle(db: Db, { now, maxRounds = 20 }: { now: Date; maxRounds?: number }): Promise<number> {
  let deleted = 0;
  for (let round = 0; round < maxRounds; round++) {
    const n = await deleteStaleSignInAttempts(db, { now, windowMs: WINDOW_MS, limit: 5000 });
    deleted += n;
    if (n < 5000) break;
  }
  return deleted;
}
