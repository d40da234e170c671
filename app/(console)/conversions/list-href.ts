// Links within the conversions log that keep the current filters (used by the page and its filters).
export const CONVERSION_FILTER_KEYS = ["status", "eventName", "numberId", "from", "to", "test"] as const;
export type ConversionFilterValues = Partial<Record<(typeof CONVERSION_FILTER_KEYS)[number], string>>;

export function listHref(values: ConversionFilterValues & { cursor?: string }): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v) params.set(k, v);
  const query = params.toString();
  return query ? `/conversions?${query}` : "/conversions";
}
