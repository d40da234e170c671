// npm run db:seed – load the demo tenant. Into the first existing tenant; on an empty database it
// creates the tenant and an admin (ADMIN_EMAIL/ADMIN_PASSWORD, or printed demo credentials).
import { getFirstTenant } from "@/db/queries";
import { createFirstAdmin, isSetupOpen } from "@/lib/accounts/setup";
import { loadDemoData } from "@/lib/demo/demo-data";
import { getEnv } from "@/lib/env";
import { openScriptDb, runScript } from "./open-script-db";

const DEMO_EMAIL = "demo@clicktrail.local";
const DEMO_PASSWORD = "clicktrail-demo";

void runScript(async () => {
  const env = getEnv();
  const handle = await openScriptDb("npm run db:seed");
  try {
    await handle.migrate();
    const db = handle.db;
    if (await isSetupOpen(db)) {
      const email = env.ADMIN_EMAIL ?? DEMO_EMAIL;
      const password = env.ADMIN_PASSWORD ?? DEMO_PASSWORD;
      await createFirstAdmin(db, { organisation: "Demo: Acting & Oratory School", name: "Demo Admin", email, password });
      console.info(`[clicktrail] created the demo workspace; sign in as ${email} / ${env.ADMIN_PASSWORD ? "(ADMIN_PASSWORD)" : password}`);
    }
    const tenant = await getFirstTenant(db);
    if (!tenant) throw new Error("no tenant to seed");
    const started = Date.now();
    const summary = await loadDemoData(db, { tenantId: tenant.id, now: new Date(), encryptionKey: env.ENCRYPTION_KEY });
    if (summary.skipped) {
      console.info(`[clicktrail] demo data is already loaded in "${tenant.name}"; nothing to do`);
    } else {
      const { skipped: _skipped, ...counts } = summary;
      const list = Object.entries(counts)
        .map(([k, v]) => `${v} ${k}`)
        .join(", ");
      console.info(`[clicktrail] loaded demo data into "${tenant.name}" in ${Date.now() - started} ms: ${list}`);
    }
  } finally {
    await handle.close();
  }
});
