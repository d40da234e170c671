// Attacks on sign-in throttling, on PGlite and (with TEST_DATABASE_URL) real Postgres: parallel
// bursts must not race past the limit, and spraying many emails from one address is limited too.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authThrottle } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { verifyPassword } from "@/lib/passwords";
import { createFirstAdmin } from "./setup";
import { pruneSignInThrottle, type SignInResult, signInWithPassword } from "./sign-in";
import { ADDRESS_ATTEMPT_LIMIT, EMAIL_ATTEMPT_LIMIT, LOCKOUT_MS, throttledMessage } from "./throttle";
import { createUser } from "./users";

const now = new Date("2026-06-01T12:00:00Z");
const after = (ms: number) => new Date(now.getTime() + ms);

/** verifyPassword that counts how many passwords were actually checked. */
function countingVerify() {
  const calls = { n: 0 };
  return { calls, deps: { verifyPassword: (hash: string, password: string) => ((calls.n += 1), verifyPassword(hash, password)) } };
}

describe.each(testDrivers)("sign-in throttling under attack (%s)", (kind) => {
  let t: TestDb;
  let tenantId: string;

  beforeAll(async () => {
    t = await createTestDb(kind);
    ({
      tenant: { id: tenantId },
    } = await createFirstAdmin(t.db, { organisation: "Acme", name: "Ada", email: "ada@example.com", password: "admin password 1" }));
  });
  afterAll(() => t.cleanup());

  it("200 parallel wrong passwords: at most the limit are checked, and the right one inside the burst is refused", async () => {
    const email = "victim@example.com";
    const password = "the victim's password";
    await createUser(t.db, { tenantId, input: { name: "Victim", email, role: "marketer", password } });
    const { calls, deps } = countingVerify();
    const attempts = Array.from({ length: 201 }, (_, i) =>
      signInWithPassword(t.db, { email, password: i === 100 ? password : `guess-${i}`, clientAddress: `198.51.100.${i % 250}`, now }, deps),
    );
    const results = await Promise.all(attempts);

    expect(calls.n).toBeLessThanOrEqual(EMAIL_ATTEMPT_LIMIT);
    const throttled = results.filter((r) => !r.ok && r.reason === "throttled");
    expect(throttled.length).toBeGreaterThanOrEqual(201 - EMAIL_ATTEMPT_LIMIT);
    expect(results[100]).toMatchObject({ ok: false, reason: "throttled" });
    expect(results.filter((r) => r.ok)).toHaveLength(0);

    // still locked afterwards: the right password is not even checked
    const again = await signInWithPassword(t.db, { email, password, now: after(60_000) }, deps);
    expect(again).toMatchObject({ ok: false, reason: "throttled" });
    expect(calls.n).toBeLessThanOrEqual(EMAIL_ATTEMPT_LIMIT);
    const wait = (again as Extract<SignInResult, { reason: "throttled" }>).retryAfterSeconds;
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(LOCKOUT_MS / 1000);
    expect(throttledMessage(wait)).toMatch(/^Too many attempts, try again in \d+ minutes?\.$/);

    // once the lock-out window has passed, the owner signs in
    expect(await signInWithPassword(t.db, { email, password, now: after(LOCKOUT_MS + 1000) })).toMatchObject({ ok: true });
  });

  it("spraying one password across many emails from one address is limited per address", async () => {
    const address = "203.0.113.7";
    const { calls, deps } = countingVerify();
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        signInWithPassword(t.db, { email: `user${i}@example.com`, password: "Summer2026!", clientAddress: address, now }, deps),
      ),
    );
    expect(calls.n).toBeLessThanOrEqual(ADDRESS_ATTEMPT_LIMIT);
    expect(results.filter((r) => !r.ok && r.reason === "throttled").length).toBeGreaterThanOrEqual(100 - ADDRESS_ATTEMPT_LIMIT);

    // the real admin's right password from that address is refused while the address is locked…
    expect(await signInWithPassword(t.db, { email: "ada@example.com", password: "admin password 1", clientAddress: address, now })).toMatchObject({
      reason: "throttled",
    });
    // …and works from another address (the account itself is not locked)
    expect(await signInWithPassword(t.db, { email: "ada@example.com", password: "admin password 1", clientAddress: "192.0.2.1", now })).toMatchObject({
      ok: true,
    });
  });

  it("a successful sign-in does not reset the address's count of other accounts' failures", async () => {
    const address = "203.0.113.50";
    await createUser(t.db, { tenantId, input: { name: "Bo", email: "bo@example.com", role: "marketer", password: "bo's password!" } });
    for (let i = 0; i < ADDRESS_ATTEMPT_LIMIT - 1; i++) {
      expect(await signInWithPassword(t.db, { email: `spray${i}@example.com`, password: "x".repeat(10), clientAddress: address, now })).toMatchObject({
        reason: "invalid",
      });
    }
    expect(await signInWithPassword(t.db, { email: "bo@example.com", password: "bo's password!", clientAddress: address, now })).toMatchObject({ ok: true });
    // one failure left before the limit, not a fresh allowance
    expect(await signInWithPassword(t.db, { email: "spray-last@example.com", password: "x".repeat(10), clientAddress: address, now })).toMatchObject({
      reason: "invalid",
    });
    expect(await signInWithPassword(t.db, { email: "spray-more@example.com", password: "x".repeat(10), clientAddress: address, now })).toMatchObject({
      reason: "throttled",
    });
  });

  it("counts within a window: failures older than the window start over", async () => {
    const email = "slow@example.com";
    for (let i = 0; i < EMAIL_ATTEMPT_LIMIT; i++) await signInWithPassword(t.db, { email, password: `g${i}`, now });
    expect(await signInWithPassword(t.db, { email, password: "g-late", now: after(15 * 60_000 + 1) })).toMatchObject({ reason: "invalid" });
  });

  it("the scheduled clean-up deletes only counters that count for nothing any more, and a lock outlives it", async () => {
    const stale = "stale@example.com";
    const locked = "locked@example.com";
    const recent = "recent@example.com";
    const early = after(3_600_000);
    await signInWithPassword(t.db, { email: stale, password: "x", now: early, clientAddress: "203.0.113.77" });
    for (let i = 0; i <= EMAIL_ATTEMPT_LIMIT; i++)
      await signInWithPassword(t.db, { email: locked, password: `x${i}`, now: after(3_600_000 + LOCKOUT_MS - 60_000) });
    await signInWithPassword(t.db, { email: recent, password: "x", now: after(3_600_000 + LOCKOUT_MS + 10 * 60_000) });
    const keysLeft = async () =>
      (await t.db.select({ key: authThrottle.key }).from(authThrottle))
        .map((r) => r.key)
        .filter((k) => /stale|locked|recent|203\.0\.113\.77/.test(k))
        .sort();

    // 20 minutes after the first attempt: its window is over; the lock (set 14 minutes in) is still in force
    expect(await pruneSignInThrottle(t.db, { now: after(3_600_000 + 20 * 60_000) })).toBeGreaterThanOrEqual(2);
    expect(await keysLeft()).toEqual(["email:locked@example.com", "email:recent@example.com"]);
    expect(await signInWithPassword(t.db, { email: locked, password: "x", now: after(3_600_000 + 20 * 60_000) })).toMatchObject({ reason: "throttled" });
  });
});
