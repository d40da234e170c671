// createTestDb() for vitest: a fresh, migrated database per test file, on either driver.
// PGlite runs in memory; Postgres gets a throwaway database created next to TEST_DATABASE_URL. Both start
// from a template migrated once per run (db/testing/templates.ts, made by vitest's global setup), because
// migrating a new database for each of a hundred files costs minutes; `fresh: true` migrates from nothing.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { sql } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { type DbHandle, type DbKind, migrationsFolder, openDatabase } from "./client";
import { readJournal, rowsOf } from "./migrations-info";
import { PG_TEMPLATE_ENV, PGLITE_TEMPLATE_ENV } from "./testing/templates";

const testDatabaseUrl = process.env.TEST_DATABASE_URL;

/** The drivers every database test runs on: PGlite always, Postgres when TEST_DATABASE_URL is set. */
export const testDrivers: DbKind[] = testDatabaseUrl ? ["pglite", "postgres"] : ["pglite"];

export type TestDb = DbHandle & { url?: string; cleanup: () => Promise<void> };

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * Creates a database on the Postgres server of TEST_DATABASE_URL, empty or a copy of `template`; returns
 * its URL and a dropper.
 */
export async function createScratchPostgres(prefix = "ct_test", { template }: { template?: string } = {}): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!testDatabaseUrl) throw new Error("TEST_DATABASE_URL is not set");
  const { default: postgres } = await import("postgres");
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(testDatabaseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"${template ? ` template "${template}"` : ""}`);
  await admin.end();
  return {
    url: withDatabase(testDatabaseUrl, name),
    drop: async () => {
      const again = postgres(testDatabaseUrl, { max: 1, onnotice: () => {} });
      await again.unsafe(`drop database if exists "${name}" with (force)`);
      await again.end();
    },
  };
}

let pgliteTemplate: Promise<Blob | undefined> | undefined;
/** The migrated PGlite data directory the global setup dumped, read once per test file's process. */
function pgliteTemplateDump(): Promise<Blob | undefined> {
  const file = process.env[PGLITE_TEMPLATE_ENV];
  pgliteTemplate ??= file ? readFile(file).then((bytes) => new Blob([bytes])) : Promise.resolve(undefined);
  return pgliteTemplate;
}

export async function createTestDb(kind: DbKind = "pglite", { fresh = false }: { fresh?: boolean } = {}): Promise<TestDb> {
  if (kind === "pglite") {
    const handle = await openDatabase({ loadDataDir: fresh ? undefined : await pgliteTemplateDump() });
    await handle.migrate(); // nothing to do on the template; everything on a fresh one
    return { ...handle, cleanup: handle.close };
  }
  const scratch = await createScratchPostgres("ct_test", { template: fresh ? undefined : process.env[PG_TEMPLATE_ENV] });
  const handle = await openDatabase({ url: scratch.url, max: 20 });
  await handle.migrate();
  return {
    ...handle,
    url: scratch.url,
    cleanup: async () => {
      await handle.close();
      await scratch.drop();
    },
  };
}

/** A database migrated up to just before one migration, for a test that inserts the data of before and then applies it. */
export type MigrationTestDb = DbHandle & {
  /** Runs SQL statements one by one, skipping empty ones (a migration file's statements, or the test's own). */
  run: (statements: string[]) => Promise<void>;
  /** The rows one SQL query answers, on either driver. */
  rows: <T>(query: string) => Promise<T[]>;
  /** Applies the migration under test alone. */
  applyMigration: () => Promise<void>;
  /** Applies the migration under test and every later one. */
  applyRemaining: () => Promise<void>;
  cleanup: () => Promise<void>;
};

/**
 * Opens an empty database on `kind` (a scratch one next to TEST_DATABASE_URL for Postgres) and applies the
 * migration files before `tag`, statement by statement, without the migrator's bookkeeping. Throws when `tag`
 * is not in the journal, or is the first migration (there is no data of before).
 */
export async function openDatabaseBefore(kind: DbKind, tag: string): Promise<MigrationTestDb> {
  const index = readJournal().entries.findIndex((e) => e.tag === tag);
  if (index < 1) throw new Error(`migration ${tag} is ${index === 0 ? "the first one" : "not in the journal"}`);
  let handle: DbHandle;
  let drop = async () => {};
  if (kind === "pglite") handle = await openDatabase({});
  else {
    const scratch = await createScratchPostgres();
    handle = await openDatabase({ url: scratch.url, max: 2 });
    drop = scratch.drop;
  }
  const run = async (statements: string[]) => {
    for (const statement of statements) if (statement.trim()) await handle.db.execute(sql.raw(statement));
  };
  const cleanup = async () => {
    await handle.close();
    await drop();
  };
  const migrations = readMigrationFiles({ migrationsFolder });
  try {
    for (const m of migrations.slice(0, index)) await run(m.sql);
  } catch (error) {
    await cleanup();
    throw error;
  }
  return {
    ...handle,
    run,
    rows: async <T>(query: string) => rowsOf<T>(await handle.db.execute(sql.raw(query))),
    applyMigration: () => run(migrations[index]!.sql),
    applyRemaining: async () => {
      for (const m of migrations.slice(index)) await run(m.sql);
    },
    cleanup,
  };
}
