// "Remove demo data" (Settings, admins): the rows the demo loader wrote, in one transaction, and nothing
// real, even when real numbers, subscribers and leads were added to the workspace since. Afterwards the
// demo can be loaded again.
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { getTenantById } from "@/db/queries";
import { type DemoCounts, countDemoRows, deleteDemoRows, keepDemoLeftovers } from "@/db/queries/demo";
import { tenants } from "@/db/schema";
import { notFound } from "@/lib/errors";
import { SEGMENT_VARIABLES } from "./demo-content";

export type DemoRemoval = { removed: DemoCounts; kept: { subscribers: number; ads: number; templates: number } };

/** The tenant's segment values without the ones the demo set (a value changed since is the workspace's own). */
function withoutDemoSegments(values: Record<string, Record<string, string>>): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [segment, vars] of Object.entries(values)) {
    const demo = SEGMENT_VARIABLES[segment as keyof typeof SEGMENT_VARIABLES] as Record<string, string> | undefined;
    const own = Object.fromEntries(Object.entries(vars).filter(([k, v]) => demo?.[k] !== v));
    if (Object.keys(own).length > 0) out[segment] = own;
  }
  return out;
}

/**
 * Deletes the workspace's demo rows (each carries `demo`) and clears its demo mark, so that Load demo data
 * works again. Demo rows that real activity came to depend on are kept as real rows (see keepDemoLeftovers).
 * Locks the tenant row like loadDemoData, so a load and a removal never interleave.
 */
export async function removeDemoData(db: Db, { tenantId, now }: { tenantId: string; now: Date }): Promise<DemoRemoval> {
  return db.transaction(async (tx) => {
    const [tenant] = await tx.select({ segmentVariables: tenants.segmentVariables }).from(tenants).where(eq(tenants.id, tenantId)).for("update");
    if (!tenant) throw notFound("Workspace");
    const removed = await deleteDemoRows(tx, tenantId);
    const kept = await keepDemoLeftovers(tx, { tenantId, now });
    await tx
      .update(tenants)
      .set({ demoLoadedAt: null, segmentVariables: withoutDemoSegments(tenant.segmentVariables), updatedAt: now })
      .where(eq(tenants.id, tenantId));
    return { removed, kept };
  });
}

/** For Settings: when the demo was loaded (null: not now) and how many demo rows of each kind the workspace holds. */
export async function getDemoStatus(db: Db, tenantId: string): Promise<{ loadedAt: Date | null; counts: DemoCounts }> {
  const [tenant, counts] = await Promise.all([getTenantById(db, tenantId), countDemoRows(db, tenantId)]);
  if (!tenant) throw notFound("Workspace");
  return { loadedAt: tenant.demoLoadedAt, counts };
}
