// The Campaign and Ad menus of the subscriber list and the attribution report: the workspace's ads
// cache, named as enrichment left it (an id until then).
import type { Db } from "@/db/client";
import { listAdOptions } from "@/db/queries";

export type AdFilterOptions = {
  campaigns: { value: string; label: string }[];
  ads: { value: string; label: string; campaignId: string | null }[];
};

export async function listAdFilterOptions(db: Db, tenantId: string): Promise<AdFilterOptions> {
  const campaigns = new Map<string, string>();
  const ads: AdFilterOptions["ads"] = [];
  for (const a of await listAdOptions(db, tenantId)) {
    if (a.campaignId && !campaigns.has(a.campaignId)) campaigns.set(a.campaignId, a.campaignName ?? `Campaign ${a.campaignId}`);
    ads.push({ value: a.adId, label: a.adName ?? `Ad ${a.adId}`, campaignId: a.campaignId });
  }
  const byLabel = (x: { label: string }, y: { label: string }) => x.label.localeCompare(y.label);
  return { campaigns: [...campaigns].map(([value, label]) => ({ value, label })).sort(byLabel), ads: ads.sort(byLabel) };
}
