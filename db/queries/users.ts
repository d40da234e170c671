import { and, count, desc, eq, gt, isNull, lte, or, sql } from "drizzle-orm";
import type { Cursor } from "@/lib/pagination";
import type { Db } from "../client";
import { authThrottle, type NewUser, type Role, tenants, userInvites, users } from "../schema";
import { beforeCursor, takeFirstOrNull } from "./keyset";

export const publicUserColumns = {
  id: users.id,
  tenantId: users.tenantId,
  email: users.email,
  name: users.name,
  role: users.role,
  lastLoginAt: users.lastLoginAt,
  createdAt: users.createdAt,
};

export async function countUsers(db: Db): Promise<number> {
  const [row] = await db.select({ n: count() }).from(users);
  return row?.n ?? 0;
}

export async function countAdmins(db: Db, tenantId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.tenantId, tenantId), eq(users.role, "admin")));
  return row?.n ?? 0;
}

export async function insertUser(db: Db, values: NewUser) {
  const [row] = await db.insert(users).values(values).returning(publicUserColumns);
  return row!;
}

export async function emailInUse(db: Db, email: string): Promise<boolean> {
  return (await db.select({ id: users.id }).from(users).where(eq(users.email, email)).limit(1)).length > 0;
}

/** For sign-in only: the one query that returns the password hash. */
export async function getUserCredentialsByEmail(db: Db, email: string) {
  return takeFirstOrNull(
    await db
      .select({ id: users.id, tenantId: users.tenantId, passwordHash: users.passwordHash, sessionVersion: users.sessionVersion })
      .from(users)
      .where(eq(users.email, email))
      .limit(1),
  );
}

/** The signed-in user with their tenant's name (null when the user no longer exists). */
export async function getSessionUser(db: Db, id: string) {
  return takeFirstOrNull(
    await db
      .select({ ...publicUserColumns, sessionVersion: users.sessionVersion, tenantName: tenants.name })
      .from(users)
      .innerJoin(tenants, eq(tenants.id, users.tenantId))
      .where(eq(users.id, id))
      .limit(1),
  );
}

export async function getUserById(db: Db, { tenantId, id }: { tenantId: string; id: string }) {
  return takeFirstOrNull(
    await db
      .select(publicUserColumns)
      .from(users)
      .where(and(eq(users.tenantId, tenantId), eq(users.id, id)))
      .limit(1),
  );
}

export async function listUsers(db: Db, { tenantId, cursor, limit }: { tenantId: string; cursor?: Cursor; limit: number }) {
  return db
    .select(publicUserColumns)
    .from(users)
    .where(and(eq(users.tenantId, tenantId), beforeCursor(users.createdAt, users.id, cursor)))
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(limit + 1);
}

export async function updateUser(
  db: Db,
  { tenantId, id }: { tenantId: string; id: string },
  values: Partial<{ name: string; role: Role; passwordHash: string }>,
) {
  const [row] = await db
    .update(users)
    .set(values)
    .where(and(eq(users.tenantId, tenantId), eq(users.id, id)))
    .returning(publicUserColumns);
  return row ?? null;
}

export async function deleteUser(db: Db, { tenantId, id }: { tenantId: string; id: string }) {
  const rows = await db
    .delete(users)
    .where(and(eq(users.tenantId, tenantId), eq(users.id, id)))
    .returning({ id: users.id });
  return rows.length > 0;
}

export async function touchLastLogin(db: Db, id: string, now: Date) {
  await db.update(users).set({ lastLoginAt: now }).where(eq(users.id, id));
}

/** Ends every session issued before now: tokens carry the version they were issued at. */
export async function bumpSessionVersion(db: Db, id: string) {
  const [row] = await db
    .update(users)
    .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
    .where(eq(users.id, id))
    .returning({ sessionVersion: users.sessionVersion });
  return row?.sessionVersion ?? null;
}

// invites

export async function insertInvite(db: Db, values: typeof userInvites.$inferInsert) {
  const [row] = await db.insert(userInvites).values(values).returning();
  return row!;
}

export async function getInviteByTokenHash(db: Db, tokenHash: string) {
  return takeFirstOrNull(
    await db
      .select({ invite: userInvites, tenantName: tenants.name })
      .from(userInvites)
      .innerJoin(tenants, eq(tenants.id, userInvites.tenantId))
      .where(eq(userInvites.tokenHash, tokenHash))
      .limit(1),
  );
}

export async function listOpenInvites(db: Db, { tenantId, now }: { tenantId: string; now: Date }) {
  return db
    .select()
    .from(userInvites)
    .where(
      and(
        eq(userInvites.tenantId, tenantId),
        isNull(userInvites.acceptedAt),
        isNull(userInvites.revokedAt),
        gt(userInvites.expiresAt, now),
      ),
    )
    .orderBy(desc(userInvites.createdAt), desc(userInvites.id))
    .limit(100);
}

export async function markInvite(
  db: Db,
  { tenantId, id }: { tenantId: string; id: string },
  values: { acceptedAt?: Date; revokedAt?: Date },
) {
  const [row] = await db
    .update(userInvites)
    .set(values)
    .where(and(eq(userInvites.tenantId, tenantId), eq(userInvites.id, id)))
    .returning();
  return row ?? null;
}

// sign-in throttle

const old = (column: string) => sql.raw(`"auth_throttle"."${column}"`);
const at = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/**
 * Counts one sign-in attempt against each key in ONE statement (insert … on conflict do update …
 * returning), so concurrent attempts serialise on the rows and each sees its own new count. A row
 * starts over once its lock has passed, or (unlocked) once its window has passed; the attempt that
 * takes a key past its limit sets blocked_until = now + lockout, and later attempts keep that lock.
 */
export async function bumpSignInAttempts(
  db: Db,
  { keys, now, windowMs, lockoutMs }: { keys: { key: string; limit: number }[]; now: Date; windowMs: number; lockoutMs: number },
) {
  const windowStart = at(new Date(now.getTime() - windowMs));
  const lockUntil = at(new Date(now.getTime() + lockoutMs));
  const limitOf = sql`(case excluded.key ${sql.join(
    keys.map((k) => sql`when ${k.key} then ${k.limit}::int`),
    sql` `,
  )} end)`;
  const fresh = sql`(${old("blocked_until")} <= ${at(now)} or (${old("blocked_until")} is null and ${old("window_started_at")} <= ${windowStart}))`;
  return db
    .insert(authThrottle)
    .values(keys.map((k) => ({ key: k.key, failures: 1, windowStartedAt: now, blockedUntil: null })))
    .onConflictDoUpdate({
      target: authThrottle.key,
      set: {
        failures: sql`case when ${fresh} then 1 else ${old("failures")} + 1 end`,
        windowStartedAt: sql`case when ${fresh} then ${at(now)} else ${old("window_started_at")} end`,
        blockedUntil: sql`case when ${fresh} then null
          when ${old("blocked_until")} is not null then ${old("blocked_until")}
          when ${old("failures")} + 1 > ${limitOf} then ${lockUntil}
          else null end`,
      },
    })
    .returning({ key: authThrottle.key, failures: authThrottle.failures, blockedUntil: authThrottle.blockedUntil });
}

/** After a successful sign-in: the account's own counter starts over (a lock set meanwhile stays). */
export async function clearSignInAttempts(db: Db, { key, now }: { key: string; now: Date }) {
  await db
    .delete(authThrottle)
    .where(and(eq(authThrottle.key, key), or(isNull(authThrottle.blockedUntil), lte(authThrottle.blockedUntil, now))));
}

/** After a successful sign-in: takes back this attempt's count on a shared key (the client address) only. */
export async function forgiveSignInAttempt(db: Db, { key }: { key: string }) {
  await db
    .update(authThrottle)
    .set({ failures: sql`greatest(${old("failures")} - 1, 0)` })
    .where(and(eq(authThrottle.key, key), isNull(authThrottle.blockedUntil)));
}
