// Vitest global setup: the migrated database templates every test database starts from (db/testing/templates.ts).
import { prepareTestTemplates } from "@/db/testing/templates";

export default async function setup(): Promise<() => Promise<void>> {
  return prepareTestTemplates();
}
