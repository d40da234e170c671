// npm run db:migrate – apply drizzle/ migrations to DATABASE_URL, or to the PGlite directory.
import { latestAppliedMigration } from "@/db/migrations-info";
import { openScriptDb, runScript } from "./open-script-db";

void runScript(async () => {
  const handle = await openScriptDb("npm run db:migrate");
  try {
    await handle.migrate();
    console.info(`[clicktrail] ${handle.kind}: migrated to ${await latestAppliedMigration(handle.db)}`);
  } finally {
    await handle.close();
  }
});
