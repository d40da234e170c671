// Links within the queue monitor that keep the current filters: its views (pending, recent sends, failures,
// cancelled) and filters live in the URL. Safe for client components (db/outbound-failures.ts is a plain constant).
import { OUTBOUND_FAILURE_STATUSES } from "@/db/outbound-failures";
import type { OutboundRow } from "@/db/queries";

export type OutboundStatus = OutboundRow["status"];
export type QueueView = "pending" | "sent" | "failures" | "cancelled";

export const VIEWS: Record<QueueView, { label: string; statuses: OutboundStatus[]; order: "asc" | "desc" }> = {
  pending: { label: "Pending", statuses: ["pending"], order: "asc" }, // next due first
  sent: { label: "Recent sends", statuses: ["sent"], order: "desc" },
  // the same set the Failed figure counts (db/outbound-failures.ts)
  failures: { label: "Failures", statuses: [...OUTBOUND_FAILURE_STATUSES], order: "desc" },
  // stopped on purpose: by a manager, a stopped campaign, an opt-out, a reply or a conversion; not failures
  cancelled: { label: "Cancelled", statuses: ["cancelled"], order: "desc" },
};

export const VIEW_OF: Record<OutboundStatus, QueueView> = {
  pending: "pending",
  sending: "pending",
  sent: "sent",
  failed: "failures",
  skipped: "failures",
  cancelled: "cancelled",
};

/** `status` is one status, or `failures` for the failed and skipped ones together. */
export const QUEUE_FILTER_KEYS = ["status", "numberId", "templateId", "leadId"] as const;
export type QueueFilterValues = Partial<Record<(typeof QUEUE_FILTER_KEYS)[number], string>>;

export function queueHref(values: QueueFilterValues & { cursor?: string }): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v) params.set(k, v);
  const query = params.toString();
  return query ? `/queue?${query}` : "/queue";
}

/** The link of a view's tab (the other filters kept, back to page one). */
export function viewHref(values: QueueFilterValues, view: QueueView): string {
  return queueHref({ ...values, status: view });
}
