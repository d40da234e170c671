import { countUsers, insertTenant, insertUser } from "@/db/queries";
import { lockSetup } from "@/db/queries/tenants";
import type { Db } from "@/db/client";
import { AppError } from "@/lib/errors";
import { hashPassword } from "@/lib/passwords";

export type FirstAdminInput = { organisation: string; name: string; email: string; password: string };

/** True while the console has no user at all: /setup is open only then. */
export async function isSetupOpen(db: Db): Promise<boolean> {
  return (await countUsers(db)) === 0;
}

/**
 * Creates the first tenant and its admin. Closed for good once any user exists; two racing
 * requests are serialised by an advisory lock, so exactly one wins and the other gets `conflict`.
 */
export async function createFirstAdmin(db: Db, input: FirstAdminInput) {
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    await lockSetup(tx);
    if ((await countUsers(tx)) > 0) throw new AppError("conflict", "Setup is already complete. Sign in instead.");
    const tenant = await insertTenant(tx, { name: input.organisation });
    const user = await insertUser(tx, {
      tenantId: tenant.id,
      email: input.email.trim().toLowerCase(),
      name: input.name,
      passwordHash,
      role: "admin",
    });
    return { tenant, user };
  });
}
