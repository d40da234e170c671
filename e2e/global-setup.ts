// Refuses to run against anything but a local database (the specs create users and data), and on PGlite
// makes the run's template: one directory, created and migrated once, that each spec's server gets a copy of
// (initdb takes seconds; a copy takes a fraction of one).
import fs from "node:fs";
import { openDatabase } from "@/db/client";
import { isLocalDatabase, templateDir } from "./app-server";

export default async function globalSetup() {
  const url = process.env.TEST_DATABASE_URL;
  if (url && !isLocalDatabase(url)) {
    throw new Error(`TEST_DATABASE_URL points at ${new URL(url).hostname}: e2e tests only run against a local database`);
  }
  if (!url && !fs.existsSync(templateDir())) {
    const handle = await openDatabase({ dataDir: templateDir(), role: "e2e template" });
    try {
      await handle.migrate();
    } finally {
      await handle.close();
    }
  }
}
