// The option lists the audience pages need, read once per request: the workspace's numbers (all of them for the
// segment's "Number" filter, the Cloud API ones for the token picker) and its campaigns and ads.
import { numberLabel } from "@/components/console/names";
import type { Db } from "@/db/client";
import { listNumbersPage } from "@/lib/numbers/numbers";
import { listAdFilterOptions } from "@/lib/subscribers/ad-options";
import type { SegmentOptions } from "./view";

export async function loadSegmentOptions(db: Db, tenantId: string): Promise<SegmentOptions & { cloudNumbers: { value: string; label: string }[] }> {
  const [numbers, ads] = await Promise.all([listNumbersPage(db, { tenantId, limit: 200 }), listAdFilterOptions(db, tenantId)]);
  return {
    numbers: numbers.rows.map((n) => ({ value: n.id, label: numberLabel(n) })),
    cloudNumbers: numbers.rows.filter((n) => n.provider === "cloud" && n.accessTokenEnc).map((n) => ({ value: n.id, label: numberLabel(n) })),
    campaigns: ads.campaigns,
    ads: ads.ads.map(({ value, label }) => ({ value, label })),
  };
}
