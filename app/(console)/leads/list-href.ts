// Links within the leads list that keep the current filters (used by the page and its filters).
export const LEAD_FILTER_KEYS = ["q", "callStatus", "isTarget", "campaignActive", "segment"] as const;
export type LeadFilterValues = Partial<Record<(typeof LEAD_FILTER_KEYS)[number], string>>;

export function listHref(values: LeadFilterValues & { cursor?: string }): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v) params.set(k, v);
  const query = params.toString();
  return query ? `/leads?${query}` : "/leads";
}
