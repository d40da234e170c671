import { and, asc, count, eq } from "drizzle-orm";
import type { Db } from "../client";
import { memberships, type NewMembership, type Role, tenants } from "../schema";
import { takeFirstOrNull } from "./keyset";

export async function insertMembership(db: Db, values: NewMembership) {
  const [row] = await db.insert(memberships).values(values).returning();
  return row!;
}

/** The user's membership of one workspace, or null when they are not a member there. */
export async function getMembership(db: Db, { userId, tenantId }: { userId: string; tenantId: string }) {
  return takeFirstOrNull(
    await db
      .select()
      .from(memberships)
      .where(and(eq(memberships.userId, userId), eq(memberships.tenantId, tenantId)))
      .limit(1),
  );
}

/** Every workspace the user belongs to, with their role there (for the switcher), by name. */
export async function listMembershipsOfUser(db: Db, userId: string) {
  return db
    .select({ tenantId: memberships.tenantId, tenantName: tenants.name, role: memberships.role, createdAt: memberships.createdAt })
    .from(memberships)
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(tenants.name), asc(memberships.tenantId))
    .limit(500);
}

export async function countMembershipsOfUser(db: Db, userId: string, role?: Role): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(memberships)
    .where(and(eq(memberships.userId, userId), role ? eq(memberships.role, role) : undefined));
  return row?.n ?? 0;
}

/**
 * The workspace's admins, counted with their membership rows locked (FOR UPDATE) until the
 * transaction ends: two concurrent demotions or removals cannot both see "another admin remains".
 */
export async function lockAdmins(db: Db, tenantId: string): Promise<number> {
  const rows = await db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.role, "admin")))
    .for("update");
  return rows.length;
}

export async function updateMembershipRole(db: Db, { userId, tenantId }: { userId: string; tenantId: string }, role: Role) {
  const [row] = await db
    .update(memberships)
    .set({ role })
    .where(and(eq(memberships.userId, userId), eq(memberships.tenantId, tenantId)))
    .returning();
  return row ?? null;
}

export async function deleteMembership(db: Db, { userId, tenantId }: { userId: string; tenantId: string }) {
  const rows = await db
    .delete(memberships)
    .where(and(eq(memberships.userId, userId), eq(memberships.tenantId, tenantId)))
    .returning({ userId: memberships.userId });
  return rows.length > 0;
}
