// Runs before `next start` in the e2e webServer command: creates the fresh Postgres database
// (PGlite needs nothing: the server creates and migrates its new directory itself).
import postgres from "postgres";

const target = process.env.DATABASE_URL;
const admin = process.env.TEST_DATABASE_URL;
if (target && !["127.0.0.1", "localhost", "::1"].includes(new URL(target).hostname)) {
  console.error("[e2e] refusing to run against a database that is not local");
  process.exit(1);
}
if (target && admin) {
  const name = new URL(target).pathname.slice(1);
  const sql = postgres(admin, { max: 1, onnotice: () => {} });
  const exists = await sql`select 1 from pg_database where datname = ${name}`;
  if (exists.length === 0) await sql.unsafe(`create database "${name}"`);
  await sql.end();
  console.info(`[e2e] database ${name} ready`);
}
