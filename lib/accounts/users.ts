import {
  bumpSessionVersion,
  countMembershipsOfUser,
  deleteMembership,
  deleteUser,
  getUserById,
  insertUser,
  listMembershipsOfUser,
  listUsers,
  lockAdmins,
  lockUser,
  updateMembershipRole,
  updateUserIdentity,
} from "@/db/queries";
import type { Db } from "@/db/client";
import { isUniqueViolation } from "@/db/errors";
import { AppError, notFound } from "@/lib/errors";
import { type PageParams, decodeCursor, toPage } from "@/lib/pagination";
import { hashPassword } from "@/lib/passwords";
import type { CreateUserInput, UpdateUserInput } from "./schemas";

const emailTaken = () =>
  new AppError("conflict", "A user with this email already exists", {
    fieldErrors: { email: ["This email already has an account: invite it to add it to this workspace"] },
  });

/** The members of one workspace, each with their role there. */
export async function listUsersPage(db: Db, { tenantId, cursor, limit }: { tenantId: string } & PageParams) {
  const rows = await listUsers(db, { tenantId, cursor: cursor ? decodeCursor(cursor) : undefined, limit });
  return toPage(rows, limit, (r) => ({ at: r.createdAt, id: r.id }));
}

/** A member of the workspace, or `not_found` (also for members of other workspaces only). */
export async function requireUser(db: Db, key: { tenantId: string; id: string }) {
  const user = await getUserById(db, key);
  if (!user) throw notFound("User");
  return user;
}

/** A new account (with a password chosen by the admin) that belongs to this workspace. */
export async function createUser(db: Db, { tenantId, input }: { tenantId: string; input: CreateUserInput }) {
  try {
    return await insertUser(db, {
      tenantId,
      email: input.email,
      name: input.name,
      role: input.role,
      passwordHash: await hashPassword(input.password),
      // the admin knows this password: the member must choose their own at first sign-in
      passwordChangeRequired: true,
    });
  } catch (e) {
    if (isUniqueViolation(e, "users_email_key")) throw emailTaken();
    throw e;
  }
}

/**
 * The name and password belong to the account, which other workspaces share: an admin may change
 * them only when they are an admin of every workspace the account belongs to (an API key: when the
 * account belongs to its workspace alone). Otherwise an admin of one client's workspace could take
 * over an agency user's access to all the others by setting their password.
 */
export async function canChangeAccount(db: Db, { tenantId, actorId, userId }: { tenantId: string; actorId: string | null; userId: string }) {
  if (actorId === userId) return true;
  const adminOf = new Set(actorId ? (await listMembershipsOfUser(db, actorId)).filter((m) => m.role === "admin").map((m) => m.tenantId) : [tenantId]);
  return (await listMembershipsOfUser(db, userId)).every((m) => adminOf.has(m.tenantId));
}

export const SHARED_ACCOUNT_MESSAGE =
  "This person also belongs to a workspace you are not an admin of: only they, or an admin of all their workspaces, can change their name or password";

/**
 * Changes the role in this workspace, or the account's name or password (a new password ends the
 * user's sessions, and one set for someone else must be changed by them at their next sign-in).
 * A workspace always keeps at least one admin.
 */
export async function updateUserAccount(
  db: Db,
  { tenantId, actorId, userId, input }: { tenantId: string; actorId: string | null; userId: string; input: UpdateUserInput },
) {
  return db.transaction(async (tx) => {
    await lockUser(tx, userId);
    const user = await requireUser(tx, { tenantId, id: userId });
    if (input.role && input.role !== "admin" && user.role === "admin") {
      if (userId === actorId) throw new AppError("forbidden", "You cannot remove your own admin role");
      if ((await lockAdmins(tx, tenantId)) <= 1) throw new AppError("conflict", "A workspace needs at least one admin");
    }
    const rename = input.name !== undefined && input.name !== user.name;
    if ((rename || input.password) && !(await canChangeAccount(tx, { tenantId, actorId, userId }))) {
      throw new AppError("forbidden", SHARED_ACCOUNT_MESSAGE);
    }
    if (input.role) await updateMembershipRole(tx, { userId, tenantId }, input.role);
    if (rename || input.password) {
      await updateUserIdentity(tx, userId, {
        ...(rename ? { name: input.name } : {}),
        // a password set for someone else is known to whoever set it: they must choose their own
        ...(input.password ? { passwordHash: await hashPassword(input.password), passwordChangeRequired: userId !== actorId } : {}),
      });
    }
    // a new password ends every session signed in with the old one
    if (input.password) await bumpSessionVersion(tx, userId);
    return requireUser(tx, { tenantId, id: userId });
  });
}

/**
 * Removes the user from this workspace only; an account left without any workspace is deleted
 * (it could not sign in anyway). Never yourself, never the workspace's last admin.
 */
export async function removeUser(db: Db, { tenantId, actorId, userId }: { tenantId: string; actorId: string | null; userId: string }) {
  return db.transaction(async (tx) => {
    // one user's memberships change one at a time: the last removal sees that none is left
    await lockUser(tx, userId);
    const user = await requireUser(tx, { tenantId, id: userId });
    if (userId === actorId) throw new AppError("forbidden", "You cannot remove yourself");
    if (user.role === "admin" && (await lockAdmins(tx, tenantId)) <= 1) {
      throw new AppError("conflict", "A workspace needs at least one admin");
    }
    await deleteMembership(tx, { userId, tenantId });
    if ((await countMembershipsOfUser(tx, userId)) === 0) await deleteUser(tx, userId);
    return user;
  });
}

export { emailTaken };
