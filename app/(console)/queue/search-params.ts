// Reads the queue monitor's URL: a bad value is reported beside its field and otherwise ignored.
import { queueFiltersSchema } from "@/lib/drip/queue";
import { type OutboundStatus, QUEUE_FILTER_KEYS, type QueueFilterValues, type QueueView, VIEW_OF, VIEWS } from "./list-href";

export type QueueParams = {
  view: QueueView;
  /** the statuses listed: the view's, or the one status the URL names */
  statuses: OutboundStatus[];
  /** the valid filters, as they appear in the URL */
  values: QueueFilterValues;
  /** a message per filter that was ignored */
  errors: Partial<Record<string, string>>;
  cursor?: string;
};

export function readQueueParams(raw: Record<string, string | string[] | undefined>): QueueParams {
  const values: QueueFilterValues = {};
  for (const key of QUEUE_FILTER_KEYS) {
    const v = raw[key];
    if (typeof v === "string" && v.trim() !== "") values[key] = v.trim();
  }
  const errors: Partial<Record<string, string>> = {};
  const { status, ...rest } = values;
  // "failures" is the monitor's own name for three statuses; the schema knows single statuses
  const parsed = queueFiltersSchema.safeParse({ ...rest, status: status === "failures" ? undefined : status });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? "status") as keyof QueueFilterValues;
      errors[key] ??= issue.message;
      delete values[key];
    }
  }
  const single = values.status && values.status !== "failures" ? (values.status as OutboundStatus) : undefined;
  const view: QueueView = single ? VIEW_OF[single] : values.status === "failures" ? "failures" : "pending";
  const cursor = typeof raw.cursor === "string" && raw.cursor !== "" ? raw.cursor : undefined;
  return { view, statuses: single ? [single] : VIEWS[view].statuses, values, errors, cursor };
}
