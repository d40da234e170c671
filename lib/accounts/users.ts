import { bumpSessionVersion, countAdmins, deleteUser, getUserById, insertUser, listUsers, updateUser } from "@/db/queries";
import type { Db } from "@/db/client";
import { isUniqueViolation } from "@/db/errors";
import { AppError, notFound } from "@/lib/errors";
import { type PageParams, decodeCursor, toPage } from "@/lib/pagination";
import { hashPassword } from "@/lib/passwords";
import type { CreateUserInput, UpdateUserInput } from "./schemas";

const emailTaken = () =>
  new AppError("conflict", "A user with this email already exists", { fieldErrors: { email: ["This email is already in use"] } });

export async function listUsersPage(db: Db, { tenantId, cursor, limit }: { tenantId: string } & PageParams) {
  const rows = await listUsers(db, { tenantId, cursor: cursor ? decodeCursor(cursor) : undefined, limit });
  return toPage(rows, limit, (r) => ({ at: r.createdAt, id: r.id }));
}

export async function requireUser(db: Db, key: { tenantId: string; id: string }) {
  const user = await getUserById(db, key);
  if (!user) throw notFound("User");
  return user;
}

export async function createUser(db: Db, { tenantId, input }: { tenantId: string; input: CreateUserInput }) {
  try {
    return await insertUser(db, {
      tenantId,
      email: input.email,
      name: input.name,
      role: input.role,
      passwordHash: await hashPassword(input.password),
    });
  } catch (e) {
    if (isUniqueViolation(e, "users_email_key")) throw emailTaken();
    throw e;
  }
}

/** Changes name, role or password (which ends the user's sessions). A tenant always keeps at least one admin. */
export async function updateUserAccount(
  db: Db,
  { tenantId, actorId, userId, input }: { tenantId: string; actorId: string | null; userId: string; input: UpdateUserInput },
) {
  return db.transaction(async (tx) => {
    const user = await requireUser(tx, { tenantId, id: userId });
    if (input.role && input.role !== "admin" && user.role === "admin") {
      if (userId === actorId) throw new AppError("forbidden", "You cannot remove your own admin role");
      if ((await countAdmins(tx, tenantId)) <= 1) throw new AppError("conflict", "A workspace needs at least one admin");
    }
    const updated = await updateUser(
      tx,
      { tenantId, id: userId },
      {
        ...(input.name ? { name: input.name } : {}),
        ...(input.role ? { role: input.role } : {}),
        ...(input.password ? { passwordHash: await hashPassword(input.password) } : {}),
      },
    );
    if (!updated) throw notFound("User");
    // a new password ends every session signed in with the old one
    if (input.password) await bumpSessionVersion(tx, userId);
    return updated;
  });
}

export async function removeUser(db: Db, { tenantId, actorId, userId }: { tenantId: string; actorId: string | null; userId: string }) {
  return db.transaction(async (tx) => {
    const user = await requireUser(tx, { tenantId, id: userId });
    if (userId === actorId) throw new AppError("forbidden", "You cannot remove yourself");
    if (user.role === "admin" && (await countAdmins(tx, tenantId)) <= 1) {
      throw new AppError("conflict", "A workspace needs at least one admin");
    }
    await deleteUser(tx, { tenantId, id: userId });
    return user;
  });
}

export { emailTaken };
