// Workspaces (tenants) as a product feature: a user belongs to one or more, with a role in each.
import { countMembershipsOfUser, getMembership, insertMembership, insertTenant, listMembershipsOfUser } from "@/db/queries";
import type { Db } from "@/db/client";
import { AppError } from "@/lib/errors";

/** The workspaces the user belongs to, with their role in each (the switcher's list). */
export async function listWorkspaces(db: Db, userId: string) {
  return listMembershipsOfUser(db, userId);
}

/**
 * Creates an empty workspace with the user as its only admin. Only someone who is an admin of at
 * least one workspace may (an agency's admins open one per client); a manager or marketer may not.
 */
export async function createWorkspace(db: Db, { userId, name }: { userId: string; name: string }) {
  return db.transaction(async (tx) => {
    if ((await countMembershipsOfUser(tx, userId, "admin")) === 0) {
      throw new AppError("forbidden", "Only an admin of a workspace can create another workspace");
    }
    const tenant = await insertTenant(tx, { name });
    const membership = await insertMembership(tx, { userId, tenantId: tenant.id, role: "admin" });
    return { tenantId: tenant.id, tenantName: tenant.name, role: membership.role };
  });
}

/** The user's membership of the workspace they ask to switch to; refused when they are not a member. */
export async function requireMembership(db: Db, key: { userId: string; tenantId: string }) {
  const membership = await getMembership(db, key);
  if (!membership) throw new AppError("forbidden", "You are not a member of that workspace");
  return membership;
}
