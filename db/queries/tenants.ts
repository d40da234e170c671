import { asc, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { type NewTenant, tenants } from "../schema";
import { takeFirstOrNull } from "./keyset";

export async function insertTenant(db: Db, values: NewTenant) {
  const [row] = await db.insert(tenants).values(values).returning();
  return row!;
}

export async function getTenantById(db: Db, id: string) {
  return takeFirstOrNull(await db.select().from(tenants).where(eq(tenants.id, id)).limit(1));
}

export async function getFirstTenant(db: Db) {
  return takeFirstOrNull(await db.select().from(tenants).orderBy(asc(tenants.createdAt)).limit(1));
}

/** The workspace's own settings (Settings → Organisation). */
export async function updateTenantSettings(db: Db, id: string, values: Pick<NewTenant, "name" | "inactiveAfterDays" | "webhookEventRetentionDays">) {
  const [row] = await db.update(tenants).set(values).where(eq(tenants.id, id)).returning();
  return row ?? null;
}

/** Transaction-scoped lock that serialises first-run setup and bootstrap across processes. */
export async function lockSetup(db: Db) {
  await db.execute(sql`select pg_advisory_xact_lock(727275)`);
}
