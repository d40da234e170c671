// createTestDb() for vitest: a fresh, migrated database per test file, on either driver.
// PGlite runs in memory; Postgres gets a throwaway database created next to TEST_DATABASE_URL. Both start
// from a template migrated once per run (db/testing/templates.ts, made by vitest's global setup), because
// migrating a new database for each of a hundred files costs minutes; `fresh: true` migrates from nothing.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { type DbHandle, type DbKind, openDatabase } from "./client";
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
