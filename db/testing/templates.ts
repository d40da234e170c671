// Databases for tests start from a template migrated once per vitest run (the global setup), not each from
// nothing: a PGlite data directory dumped to a file (kept between runs in node_modules/.cache while the
// migrations are unchanged) and, with TEST_DATABASE_URL, a Postgres database that CREATE DATABASE … TEMPLATE
// copies. The test processes find them through two environment variables.
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { migrationsFolder, openDatabase } from "../client";

export const PGLITE_TEMPLATE_ENV = "CLICKTRAIL_TEST_PGLITE_TEMPLATE";
export const PG_TEMPLATE_ENV = "CLICKTRAIL_TEST_PG_TEMPLATE";

/** A hash of every migration file and the journal: a template is reused only for the same migrations. */
function migrationsHash(): string {
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else hash.update(entry.name).update(readFileSync(file));
    }
  };
  walk(migrationsFolder);
  return hash.digest("hex").slice(0, 16);
}

async function pgliteTemplateFile(hash: string): Promise<string> {
  const dir = path.join(process.cwd(), "node_modules", ".cache", "clicktrail");
  const file = path.join(dir, `pglite-template-${hash}.tar`);
  if (existsSync(file)) return file;
  const handle = await openDatabase({});
  try {
    await handle.migrate();
    const dump = await (handle.db as unknown as { $client: PGlite }).$client.dumpDataDir("none");
    mkdirSync(dir, { recursive: true });
    const partial = `${file}.${randomBytes(4).toString("hex")}.partial`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, file); // whole or not at all, should two runs make it at once
    for (const old of readdirSync(dir))
      if (old.startsWith("pglite-template-") && old !== path.basename(file) && !old.endsWith(".partial")) rmSync(path.join(dir, old), { force: true });
  } finally {
    await handle.close();
  }
  return file;
}

/** Migrated Postgres template next to TEST_DATABASE_URL; returns its name and a dropper. */
async function postgresTemplate(url: string, hash: string): Promise<{ name: string; drop: () => Promise<void> }> {
  const { default: postgres } = await import("postgres");
  const name = `ct_template_${hash.slice(0, 8)}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const target = new URL(url);
  target.pathname = `/${name}`;
  const handle = await openDatabase({ url: target.toString(), max: 1 });
  try {
    await handle.migrate();
  } finally {
    await handle.close();
  }
  return {
    name,
    drop: async () => {
      const again = postgres(url, { max: 1, onnotice: () => {} });
      await again.unsafe(`drop database if exists "${name}" with (force)`).finally(() => again.end());
    },
  };
}

/** Vitest global setup: makes the templates and names them in the environment the test processes inherit. */
export async function prepareTestTemplates(): Promise<() => Promise<void>> {
  const hash = migrationsHash();
  process.env[PGLITE_TEMPLATE_ENV] = await pgliteTemplateFile(hash);
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return async () => {};
  const pg = await postgresTemplate(url, hash);
  process.env[PG_TEMPLATE_ENV] = pg.name;
  return pg.drop;
}
