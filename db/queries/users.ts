import { and, count, desc, eq, gt, isNull } from "drizzle-orm";
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
      .select({ id: users.id, tenantId: users.tenantId, passwordHash: users.passwordHash })
      .from(users)
      .where(eq(users.email, email))
      .limit(1),
  );
}

/** The signed-in user with their tenant's name (null when the user no longer exists). */
export async function getSessionUser(db: Db, id: string) {
  return takeFirstOrNull(
    await db
      .select({ ...publicUserColumns, tenantName: tenants.name })
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

export async function getThrottle(db: Db, key: string) {
  return takeFirstOrNull(await db.select().from(authThrottle).where(eq(authThrottle.key, key)).limit(1));
}

export async function saveThrottle(db: Db, row: typeof authThrottle.$inferInsert) {
  await db
    .insert(authThrottle)
    .values(row)
    .onConflictDoUpdate({
      target: authThrottle.key,
      set: { failures: row.failures, windowStartedAt: row.windowStartedAt, blockedUntil: row.blockedUntil ?? null },
    });
}

export async function clearThrottle(db: Db, key: string) {
  await db.delete(authThrottle).where(eq(authThrottle.key, key));
}
