import { defineConfig } from "drizzle-kit";

// Migrations are generated from the schema alone (no database needed) and applied at
// server start or by `npm run db:migrate` (scripts/db-migrate.ts), never by `drizzle-kit push`.
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema.ts",
  out: "./drizzle",
  strict: true,
  verbose: true,
});
