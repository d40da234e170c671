// Headless set-up from the environment: ADMIN_EMAIL + ADMIN_PASSWORD create the first tenant and
// admin when no user exists; BOOTSTRAP_API_KEY becomes a valid key of the first tenant.
import { getFirstTenant } from "@/db/queries";
import type { Db } from "@/db/client";
import { ensureBootstrapApiKey } from "@/lib/api-keys";
import { AppError } from "@/lib/errors";
import { createFirstAdmin, isSetupOpen } from "./setup";

export type BootstrapConfig = { ADMIN_EMAIL?: string; ADMIN_PASSWORD?: string; BOOTSTRAP_API_KEY?: string };

export async function bootstrapFromEnv(db: Db, env: BootstrapConfig): Promise<string[]> {
  const notes: string[] = [];
  if (env.ADMIN_EMAIL && env.ADMIN_PASSWORD && (await isSetupOpen(db))) {
    try {
      await createFirstAdmin(db, {
        organisation: "My organisation",
        name: "Admin",
        email: env.ADMIN_EMAIL,
        password: env.ADMIN_PASSWORD,
      });
      notes.push(`created the first admin ${env.ADMIN_EMAIL.toLowerCase()} from ADMIN_EMAIL/ADMIN_PASSWORD`);
    } catch (e) {
      if (!(e instanceof AppError && e.code === "conflict")) throw e; // another instance won the race
    }
  }
  if (env.BOOTSTRAP_API_KEY) {
    const tenant = await getFirstTenant(db);
    if (!tenant) {
      notes.push("BOOTSTRAP_API_KEY is set but no tenant exists yet: it becomes valid when /setup completes");
    } else if ((await ensureBootstrapApiKey(db, { tenantId: tenant.id, secret: env.BOOTSTRAP_API_KEY })).created) {
      notes.push(`registered BOOTSTRAP_API_KEY for tenant "${tenant.name}"`);
    }
  }
  return notes;
}
