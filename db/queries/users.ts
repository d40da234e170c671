import { and, asc, count, eq, gt, isNull, lte, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import { authThrottle, memberships, type NewUser, type Role, tenants, userInvites, users } from "../schema";
import { rowsOf } from "../migrations-info";
import { type Cursor, beforeCursor, takeFirstOrNull, newestFirst } from "./keyset";
import { insertMembership } from "./memberships";

/** A user as a member of one workspace: their identity, and the workspace and role of that membership. */
export const publicUserColumns = {
  id: users.id,
  tenantId: memberships.tenantId,
  email: users.email,
  name: users.name,
  role: memberships.role,
  lastLoginAt: users.lastLoginAt,
  // when they joined this workspace (the members list's keyset order)
  createdAt: memberships.createdAt,
};

const members = (db: Db) => db.select(publicUserColumns).from(memberships).innerJoin(users, eq(users.id, memberships.userId));

export async function countUsers(db: Db): Promise<number> {
  const [row] = await db.select({ n: count() }).from(users);
  return row?.n ?? 0;
}

/** A new account together with its first membership (every account belongs to at least one workspace). */
export async function insertUser(db: Db, { tenantId, role, ...values }: NewUser & { tenantId: string; role: Role }) {
  return db.transaction(async (tx) => {
    const [user] = await tx.insert(users).values(values).returning();
    const membership = await insertMembership(tx, { userId: user!.id, tenantId, role });
    return {
      id: user!.id,
      tenantId,
      email: user!.email,
      name: user!.name,
      role: membership.role,
      lastLoginAt: user!.lastLoginAt,
      createdAt: membership.createdAt,
    };
  });
}

export async function emailInUse(db: Db, email: string): Promise<boolean> {
  return (await getUserIdByEmail(db, email)) !== null;
}

export async function getUserIdByEmail(db: Db, email: string) {
  return takeFirstOrNull(await db.select({ id: users.id, email: users.email }).from(users).where(eq(users.email, email)).limit(1));
}

/** For sign-in only: the one query that returns the password hash (and whether the account belongs anywhere). */
export async function getUserCredentialsByEmail(db: Db, email: string) {
  const memberOf = db.select({ n: count() }).from(memberships).where(eq(memberships.userId, users.id));
  return takeFirstOrNull(
    await db
      .select({
        id: users.id,
        passwordHash: users.passwordHash,
        sessionVersion: users.sessionVersion,
        workspaces: sql<number>`(${memberOf})::int`,
      })
      .from(users)
      .where(eq(users.email, email))
      .limit(1),
  );
}

/**
 * The signed-in user in their active workspace: the membership of `tenantId` when they have one,
 * otherwise their oldest membership; null when the user no longer exists or belongs nowhere.
 */
export async function getSessionUser(db: Db, { userId, tenantId }: { userId: string; tenantId?: string | null }) {
  const preferred = tenantId ? [sql`(${memberships.tenantId} = ${tenantId}::uuid) desc`] : [];
  return takeFirstOrNull(
    await db
      .select({
        ...publicUserColumns,
        sessionVersion: users.sessionVersion,
        passwordChangeRequired: users.passwordChangeRequired,
        tenantName: tenants.name,
      })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
      .where(eq(memberships.userId, userId))
      .orderBy(...preferred, asc(memberships.createdAt), asc(memberships.tenantId))
      .limit(1),
  );
}

/** A member of the workspace (null for anyone who is not, whatever other workspace they belong to). */
export async function getUserById(db: Db, { tenantId, id }: { tenantId: string; id: string }) {
  return takeFirstOrNull(
    await members(db)
      .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, id)))
      .limit(1),
  );
}

/** The workspace's members, newest membership first (keyset on memberships_tenant_created_idx). */
export async function listUsers(db: Db, { tenantId, cursor, limit }: { tenantId: string; cursor?: Cursor; limit: number }) {
  return members(db)
    .where(and(eq(memberships.tenantId, tenantId), beforeCursor(memberships.createdAt, memberships.userId, cursor)))
    .orderBy(...newestFirst(memberships.createdAt, memberships.userId))
    .limit(limit + 1);
}

/** Changes the account itself (every workspace it belongs to sees the change). */
export async function updateUserIdentity(db: Db, id: string, values: Partial<{ name: string; passwordHash: string; passwordChangeRequired: boolean }>) {
  const [row] = await db.update(users).set(values).where(eq(users.id, id)).returning({ id: users.id });
  return row ?? null;
}

/** The account itself (no password hash): what its own Account page shows. */
export async function getAccount(db: Db, id: string) {
  return takeFirstOrNull(
    await db
      .select({ id: users.id, email: users.email, name: users.name, passwordChangeRequired: users.passwordChangeRequired })
      .from(users)
      .where(eq(users.id, id))
      .limit(1),
  );
}

/** Locks the account's row until the transaction ends (serialises membership changes of one user). */
export async function lockUser(db: Db, id: string) {
  return takeFirstOrNull(await db.select({ id: users.id, email: users.email }).from(users).where(eq(users.id, id)).for("update"));
}

/** Deletes the account (its memberships go with it). */
export async function deleteUser(db: Db, id: string) {
  const rows = await db.delete(users).where(eq(users.id, id)).returning({ id: users.id });
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
    .where(and(eq(userInvites.tenantId, tenantId), isNull(userInvites.acceptedAt), isNull(userInvites.revokedAt), gt(userInvites.expiresAt, now)))
    .orderBy(...newestFirst(userInvites.createdAt, userInvites.id))
    .limit(100);
}

export async function markInvite(db: Db, { tenantId, id }: { tenantId: string; id: string }, values: { acceptedAt?: Date; revokedAt?: Date }) {
  const [row] = await db
    .update(userInvites)
    .set(values)
    .where(and(eq(userInvites.tenantId, tenantId), eq(userInvites.id, id)))
    .returning();
  return row ?? null;
}

/** Marks an open invite accepted, atomically: of two concurrent accepts exactly one gets the row. */
export async function claimInvite(db: Db, { id, now }: { id: string; now: Date }) {
  const [row] = await db
    .update(userInvites)
    .set({ acceptedAt: now })
    .where(and(eq(userInvites.id, id), isNull(userInvites.acceptedAt), isNull(userInvites.revokedAt), gt(userInvites.expiresAt, now)))
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
  await db.delete(authThrottle).where(and(eq(authThrottle.key, key), or(isNull(authThrottle.blockedUntil), lte(authThrottle.blockedUntil, now))));
}

/** After a successful sign-in: takes back this attempt's count on a shared key (the client address) only. */
export async function forgiveSignInAttempt(db: Db, { key }: { key: string }) {
  await db
    .update(authThrottle)
    .set({ failures: sql`greatest(${old("failures")} - 1, 0)` })
    .where(and(eq(authThrottle.key, key), isNull(authThrottle.blockedUntil)));
}

/**
 * Scheduled clean-up: counters whose window ended and whose lock (if any) is over count for nothing any more
 * (the next attempt would start them over), so they are deleted, up to `limit` at a time; returns how many.
 */
export async function deleteStaleSignInAttempts(db: Db, { now, windowMs, limit }: { now: Date; windowMs: number; limit: number }): Promise<number> {
  const rows = rowsOf<{ key: string }>(
    await db.execute(sql`
      delete from ${authThrottle} where key in (
        select key from ${authThrottle}
        where window_started_at <= ${at(new Date(now.getTime() - windowMs))} and (blocked_until is null or blocked_until <= ${at(now)})
        limit ${limit}
      ) returning key`),
  );
  return rows.length;
}
