// Opens the database for a one-off script. On PGlite it refuses (PgliteLockedError, with a clear
// message) while another live process, such as the running console, holds the data directory.
import { type DbHandle, openDatabase } from "@/db/client";
import { PgliteLockedError } from "@/db/pglite-lock";
import { EnvError, getEnv } from "@/lib/env";

export async function openScriptDb(role: string): Promise<DbHandle> {
  const env = getEnv();
  return openDatabase(env.DATABASE_URL ? { url: env.DATABASE_URL, max: 2, prepare: env.DATABASE_PREPARE === "true" } : { dataDir: env.PGLITE_DIR, role });
}

/** Runs a script body and exits with a readable message instead of a stack for expected failures. */
export async function runScript(main: () => Promise<void>) {
  try {
    await main();
    process.exit(0);
  } catch (e) {
    if (e instanceof PgliteLockedError || e instanceof EnvError) {
      console.error(`\n${e.message}\n`);
      process.exit(2);
    }
    console.error(e);
    process.exit(1);
  }
}
