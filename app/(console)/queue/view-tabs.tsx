// The four views as tabs (links: the view is the URL's `status`), and within a view its single statuses.
import Link from "next/link";
import { Count } from "@/components/console/formatted";
import type { QueueStats } from "@/lib/drip/queue";
import { cn } from "@/lib/utils";
import { type OutboundStatus, type QueueFilterValues, type QueueView, queueHref, VIEWS, viewHref } from "./list-href";
import { QUEUE_STATUS } from "./queue-status";

const SUB_FILTERS: Partial<Record<QueueView, { status: string; label: string; statuses: OutboundStatus[] }[]>> = {
  pending: [
    { status: "pending", label: "Waiting", statuses: ["pending"] },
    { status: "sending", label: "Sending now", statuses: ["sending"] },
  ],
  failures: [
    { status: "failures", label: "All", statuses: VIEWS.failures.statuses },
    { status: "failed", label: QUEUE_STATUS.failed.label, statuses: ["failed"] },
    { status: "skipped", label: QUEUE_STATUS.skipped.label, statuses: ["skipped"] },
  ],
};

const sum = (counts: QueueStats["counts"], statuses: OutboundStatus[]) => statuses.reduce((n, s) => n + counts[s], 0);
/** A view's figure: the failures as the server counts them (the Failed figure's number), the others summed. */
const figure = (stats: Pick<QueueStats, "counts" | "failures">, statuses: OutboundStatus[]) =>
  statuses.join(",") === VIEWS.failures.statuses.join(",") ? stats.failures : sum(stats.counts, statuses);

export function ViewTabs({
  view,
  statuses,
  values,
  stats,
}: {
  view: QueueView;
  statuses: OutboundStatus[];
  values: QueueFilterValues;
  stats: Pick<QueueStats, "counts" | "failures">;
}) {
  const subs = SUB_FILTERS[view];
  const current = statuses.join(",");
  return (
    <div className="flex flex-wrap items-center justify-between gap-3 border-b">
      <nav aria-label="Queue views" className="-mb-px flex max-w-full gap-1 overflow-x-auto">
        {(Object.keys(VIEWS) as QueueView[]).map((v) => (
          <Link
            key={v}
            href={viewHref(values, v)}
            aria-current={v === view ? "page" : undefined}
            className={cn(
              "inline-flex shrink-0 items-center gap-2 border-b-2 px-3 py-2 text-sm outline-none focus-visible:ring-2 focus-visible:ring-ring",
              v === view ? "border-primary font-medium text-foreground" : "border-transparent text-muted-foreground hover:text-foreground",
            )}
          >
            {VIEWS[v].label}
            <span className="rounded-full bg-muted px-1.5 text-xs tabular-nums">
              <Count value={figure(stats, VIEWS[v].statuses)} />
            </span>
          </Link>
        ))}
      </nav>
      {subs ? (
        <nav aria-label="Statuses in this view" className="flex gap-1 pb-1.5">
          {subs.map((s) => {
            const active = s.statuses.join(",") === current;
            return (
              <Link
                key={s.status}
                href={queueHref({ ...values, status: s.status })}
                aria-current={active ? "true" : undefined}
                className={cn(
                  "rounded-md px-2.5 py-1 text-xs outline-none focus-visible:ring-2 focus-visible:ring-ring",
                  active ? "bg-muted font-medium" : "text-muted-foreground hover:bg-muted/60",
                )}
              >
                {s.label}{" "}
                <span className="tabular-nums">
                  (<Count value={figure(stats, s.statuses)} />)
                </span>
              </Link>
            );
          })}
        </nav>
      ) : null}
    </div>
  );
}
