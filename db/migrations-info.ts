import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { Db } from "./client";
import { migrationsFolder } from "./client";

type Journal = { entries: { idx: number; when: number; tag: string }[] };

export function readJournal(folder = migrationsFolder): Journal {
  return JSON.parse(fs.readFileSync(path.join(folder, "meta", "_journal.json"), "utf8")) as Journal;
}

/** Rows of `db.execute()`: postgres.js returns an array, PGlite an object with `rows`. */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/** The tag of the newest migration applied to this database (null before any). */
export async function latestAppliedMigration(db: Db): Promise<string | null> {
  const rows = rowsOf<{ created_at: string | number }>(
    await db.execute(sql`select created_at from drizzle.__drizzle_migrations order by created_at desc limit 1`),
  );
  const when = rows[0] ? Number(rows[0].created_at) : null;
  if (when === null) return null;
  return readJournal().entries.find((e) => e.when === when)?.tag ?? `unknown (${when})`;
}
