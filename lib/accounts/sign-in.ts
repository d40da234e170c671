import { clearThrottle, getThrottle, getUserCredentialsByEmail, saveThrottle, touchLastLogin } from "@/db/queries";
import type { Db } from "@/db/client";
import { dummyPasswordHash, verifyPassword } from "@/lib/passwords";
import { afterFailure, retryAfterSeconds } from "./throttle";

export type SignInResult =
  | { ok: true; userId: string; tenantId: string }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number };

/**
 * Checks an email and password. Never says which part was wrong; unknown emails cost the same
 * time as wrong passwords; repeated failures per email are slowed down (see throttle.ts).
 */
export async function signInWithPassword(
  db: Db,
  { email, password, now }: { email: string; password: string; now: Date },
): Promise<SignInResult> {
  const key = email.trim().toLowerCase();
  const throttle = await getThrottle(db, key);
  const wait = retryAfterSeconds(throttle, now);
  if (wait > 0) return { ok: false, reason: "throttled", retryAfterSeconds: wait };

  const user = await getUserCredentialsByEmail(db, key);
  const valid = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), password);
  if (!user || !valid) {
    const next = afterFailure(throttle, now);
    await saveThrottle(db, { key, ...next });
    const blocked = retryAfterSeconds(next, now);
    return blocked > 0 ? { ok: false, reason: "throttled", retryAfterSeconds: blocked } : { ok: false, reason: "invalid" };
  }
  if (throttle) await clearThrottle(db, key);
  await touchLastLogin(db, user.id, now);
  return { ok: true, userId: user.id, tenantId: user.tenantId };
}
