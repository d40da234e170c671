import type { Db } from "@/db/client";
import { ensureBootstrapApiKey } from "@/lib/api-keys";
import { loadDemoData } from "@/lib/demo/demo-data";
import type { SetupInput } from "./schemas";
import { createFirstAdmin } from "./setup";

/** The /setup form: first tenant + admin, the bootstrap API key, and demo data when asked for. */
export async function completeSetup(
  db: Db,
  { input, encryptionKey, bootstrapApiKey, now }: { input: SetupInput; encryptionKey: string; bootstrapApiKey?: string; now: Date },
) {
  const { tenant, user } = await createFirstAdmin(db, input);
  if (bootstrapApiKey) await ensureBootstrapApiKey(db, { tenantId: tenant.id, secret: bootstrapApiKey });
  const demo = input.loadDemo ? await loadDemoData(db, { tenantId: tenant.id, now, encryptionKey }) : null;
  return { tenant, user, demo };
}
