// Migration 0014 marks demo data loaded before it by its fingerprint: the demo's rows are marked exactly as the
// loader marks them now, and real rows written after the load (a lead and a conversion on a demo number) are not.
import fs from "node:fs";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrationsFolder } from "@/db/client";
import { insertTenant } from "@/db/queries";
import { countDemoRows } from "@/db/queries/demo";
import { conversions, leads, whatsappNumbers } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { loadDemoData } from "./demo-data";

const TABLES = [
  "whatsapp_numbers",
  "subscribers",
  "conversations",
  "messages",
  "ads",
  "templates",
  "leads",
  "outbound_messages",
  "conversions",
  "webhook_events",
];
// the data statements of 0014 (after its schema statements)
const backfill = fs
  .readFileSync(path.join(migrationsFolder, "0014_demo_rows.sql"), "utf8")
  .split("--> statement-breakpoint")
  .map((s) => s.replace(/^\s*--.*$/gm, "").trim())
  .filter((s) => s.startsWith("UPDATE"));

describe.each(testDrivers)("migration 0014 backfill (%s)", (kind) => {
  let t: TestDb;
  let tenantId = "";
  let loaded: Awaited<ReturnType<typeof countDemoRows>>;
  const now = new Date("2025-11-03T09:30:00.000Z");
  const later = new Date(now.getTime() + 60_000);

  beforeAll(async () => {
    t = await createTestDb(kind);
    tenantId = (await insertTenant(t.db, { name: "Loaded before 0014" })).id;
    await loadDemoData(t.db, { tenantId, now, encryptionKey: Buffer.alloc(32, 1).toString("base64") });
    loaded = await countDemoRows(t.db, tenantId);
    const [demoNumber] = await t.db.select().from(whatsappNumbers).where(eq(whatsappNumbers.tenantId, tenantId)).limit(1);
    await t.db.insert(leads).values({ tenantId, name: "Real", phone: "+12125550198", numberId: demoNumber!.id, createdAt: later });
    await t.db
      .insert(conversions)
      .values({ tenantId, numberId: demoNumber!.id, eventId: "real-1", eventName: "Purchase", eventTime: later, requestHash: "h", createdAt: later });
    // as it was before 0014: nothing marked
    for (const table of TABLES) await t.db.execute(sql.raw(`update ${table} set demo = false`));
    for (const statement of backfill) await t.db.execute(sql.raw(statement));
  });
  afterAll(() => t.cleanup());

  it("has statements to run", () => {
    expect(backfill).toHaveLength(9);
  });

  it("marks the demo rows as the loader does, and no real row", async () => {
    expect(await countDemoRows(t.db, tenantId)).toEqual({ ...loaded, ads: 0 }); // the loader before 0014 wrote no ads
  });
});
