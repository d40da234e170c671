// Each spec's server removes its own database when its worker ends; this catches what a killed worker left:
// the run's directory and the run's Postgres databases.
import fs from "node:fs";
import { databasePrefix, runDir, withAdminSql } from "./app-server";

export default async function globalTeardown() {
  fs.rmSync(runDir(), { recursive: true, force: true });
  if (process.env.TEST_DATABASE_URL) {
    await withAdminSql(async (sql) => {
      const rows = await sql`select datname from pg_database where datname like ${`${databasePrefix()}%`}`;
      for (const { datname } of rows) await sql.unsafe(`drop database if exists "${datname}" with (force)`);
    }).catch(() => {});
  }
}
