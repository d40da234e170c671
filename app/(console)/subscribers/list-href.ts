// Links within the subscriber list that keep the current filters (used by the page and its filters).
export type SubscriberFilterValues = Partial<
  Record<"q" | "number" | "status" | "lifecycle" | "source" | "campaign" | "ad" | "clickId" | "from" | "to" | "window" | "sort", string>
>;

export function listHref(values: SubscriberFilterValues & { cursor?: string }): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v) params.set(k, v);
  const query = params.toString();
  return query ? `/subscribers?${query}` : "/subscribers";
}
