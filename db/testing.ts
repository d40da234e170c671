// createTestDb() for vitest: a fresh, migrated database per test file, on either driver.
// PGlite runs in memory; Postgres gets a throwaway database created next to TEST_DATABASE_URL.
import { randomBytes } from "node:crypto";
import { type DbHandle, type DbKind, openDatabase } from "./client";

const testDatabaseUrl = process.env.TEST_DATABASE_URL;

/** The drivers every database test runs on: PGlite always, Postgres when TEST_DATABASE_URL is set. */
export const testDrivers: DbKind[] = testDatabaseUrl ? ["pglite", "postgres"] : ["pglite"];

export type TestDb = DbHandle & { url?: string; cleanup: () => Promise<void> };

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Creates an empty database on the Postgres server of TEST_DATABASE_URL; returns its URL and a dropper. */
export async function createScratchPostgres(prefix = "ct_test"): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!testDatabaseUrl) throw new Error("TEST_DATABASE_URL is not set");
  const { default: postgres } = await import("postgres");
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(testDatabaseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
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

export async function createTestDb(kind: DbKind = "pglite"): Promise<TestDb> {
  if (kind === "pglite") {
    const handle = await openDatabase({});
    await handle.migrate();
    return { ...handle, cleanup: handle.close };
  }
  const scratch = await createScratchPostgres();
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
