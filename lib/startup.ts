// Runs once per server process (instrumentation.ts): validate env, open + migrate the database,
// apply the headless bootstrap. Any failure here stops the server with a clear message.
import path from "node:path";
import { configureDatabase, getDatabase, getDb } from "@/db/client";
import { latestAppliedMigration } from "@/db/migrations-info";
import { bootstrapFromEnv } from "./accounts/bootstrap";
import { getEnv } from "./env";
import { startInternalTicker } from "./scheduler";
import { deliveryDepsFromEnv, startDeliveryLoop } from "./webhooks-out/loop";

const log = (line: string) => console.info(`[clicktrail] ${line}`);

export async function startConsole(): Promise<void> {
  const env = getEnv();
  const rel = (p: string) => path.relative(process.cwd(), p) || p;
  if (env.generatedSecrets.length > 0 && env.secretsFile) {
    log(
      `generated ${env.generatedSecrets.join(", ")} and saved them to ${rel(env.secretsFile)} ` +
        `(keep this file with the database: ENCRYPTION_KEY decrypts the stored provider tokens)`,
    );
  } else if (env.secretsFile) {
    log(`using the generated secrets in ${rel(env.secretsFile)}`);
  }
  configureDatabase(
    env.DATABASE_URL ? { url: env.DATABASE_URL, prepare: env.DATABASE_PREPARE === "true" } : { dataDir: env.PGLITE_DIR, role: "console server" },
  );
  const handle = await getDatabase();
  const where = handle.kind === "pglite" ? `embedded PGlite at ${rel(env.PGLITE_DIR)}` : "PostgreSQL (DATABASE_URL)";
  log(`database: ${where}, migration ${await latestAppliedMigration(handle.db)}`);
  for (const note of await bootstrapFromEnv(handle.db, env)) log(note);
  if (!env.VERCEL) {
    // outgoing webhooks go out from this process as soon as they are emitted (the scheduled work drains them too)
    startDeliveryLoop(handle.db, deliveryDepsFromEnv());
  }
  if (env.CRON_MODE === "internal") {
    startInternalTicker(getDb);
    log("scheduler: internal (drip queue, jobs and webhook retries run every minute in this process)");
  } else {
    log("scheduler: external (call GET /api/cron/drip with Authorization: Bearer $CRON_SECRET every minute)");
  }
}

/** startConsole, and on failure one clear line and exit 1 (a half-configured server helps nobody). */
export async function startConsoleOrExit(): Promise<void> {
  try {
    await startConsole();
  } catch (e) {
    console.error(`\n[clicktrail] cannot start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
