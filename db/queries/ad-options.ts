// The ads and campaigns a tenant has seen, for the list's filter menus (small: one row per ad id).
import { desc, eq } from "drizzle-orm";
import type { Db } from "../client";
import { ads } from "../schema";

export async function listAdOptions(db: Db, tenantId: string, limit = 500) {
  return db
    .select({ adId: ads.adId, adName: ads.adName, campaignId: ads.campaignId, campaignName: ads.campaignName })
    .from(ads)
    .where(eq(ads.tenantId, tenantId))
    .orderBy(desc(ads.firstSeenAt))
    .limit(limit);
}
