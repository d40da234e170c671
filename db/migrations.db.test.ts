import { sql } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrationsFolder } from "./client";
import { latestAppliedMigration, readJournal, rowsOf } from "./migrations-info";
import { createTestDb, type TestDb, testDrivers } from "./testing";

describe.each(testDrivers)("migrations (%s)", (kind) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(kind, { fresh: true }); // from nothing: every other test starts from a migrated template
  });
  afterAll(() => t.cleanup());

  it("applies every migration file with the same hashes on this driver", async () => {
    const applied = rowsOf<{ hash: string }>(await t.db.execute(sql`select hash from drizzle.__drizzle_migrations order by created_at`));
    expect(applied.map((r) => r.hash)).toEqual(readMigrationFiles({ migrationsFolder }).map((m) => m.hash));
  });

  it("reports the newest journal tag as the applied migration", async () => {
    const journal = readJournal();
    expect(await latestAppliedMigration(t.db)).toBe(journal.entries.at(-1)?.tag);
  });

  it("is idempotent: migrating again changes nothing", async () => {
    await t.migrate();
    const count = rowsOf<{ n: number }>(await t.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`));
    expect(count[0]?.n).toBe(readJournal().entries.length);
  });
});
