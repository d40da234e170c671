// Links within the subscriber list that keep the current filters (used by the page and its filters).
export type SubscriberFilterValues = Partial<
  Record<"q" | "number" | "status" | "lifecycle" | "source" | "campaign" | "ad" | "clickId" | "from" | "to" | "window" | "score" | "sort", string>
>;

export function listHref(values: SubscriberFilterValues & { cursor?: string }): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v) params.set(k, v);
  const query = params.toString();
  return query ? `/subscribers?${query}` : "/subscribers";
}

/**
 * The same filters as GET /api/v1/subscribers and its export take them: `numberId` for the page's `number`,
 * and `clickId` as `true`/`false` for the page's `yes`/`no`.
 */
export function apiQuery(values: SubscriberFilterValues): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) {
    if (!v) continue;
    if (k === "number") params.set("numberId", v);
    else if (k === "clickId") params.set("clickId", v === "yes" ? "true" : "false");
    else params.set(k, v);
  }
  return params.toString();
}
