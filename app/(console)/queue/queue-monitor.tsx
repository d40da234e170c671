"use client";

import { useQuery } from "@tanstack/react-query";
import { AlarmClock, Hourglass } from "lucide-react";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useTransition } from "react";
import { formatDateTime } from "@/components/console/format";
import { Count, FormattedTime, useFormatContext } from "@/components/console/formatted";
import { Card } from "@/components/ui/card";
import { StatCard } from "@/components/ui/stat-card";
import type { QueueStats } from "@/lib/drip/queue";
import { QUEUE_STATUS, STATUS_ORDER } from "./queue-status";
import { SendsChart } from "./sends-chart";

export const QUEUE_STATS_KEY = "queue-stats";
const POLL_MS = 4_000;

/** "45 s", "3 min", "2 h 5 min", "3 days": how long the oldest due message has been waiting. */
export function formatAge(seconds: number | null): string {
  if (seconds === null) return "—";
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return days === 1 ? "1 day" : `${days} days`;
}

const signature = (s: QueueStats) => `${STATUS_ORDER.map((k) => s.counts[k]).join(",")}|${s.failures}|${s.dueNow}`;

/** The figures across the top: a card per state; Failed counts the queue's failures (failed and skipped), as its view does. */
export type QueueCard = "pending" | "sending" | "sent" | "failed" | "cancelled";
const CARDS: QueueCard[] = ["pending", "sending", "sent", "failed", "cancelled"];
const TONES: Partial<Record<QueueCard, "success" | "destructive">> = { sent: "success", failed: "destructive" };

function cardValue(stats: QueueStats, card: QueueCard): number {
  return card === "failed" ? stats.failures : stats.counts[card];
}

/**
 * The live header: counts per status, due now and the oldest due age, and sends per hour. It polls
 * GET /api/v1/queue/stats (paused while the tab is hidden); when the figures change, the list below is
 * re-rendered in place so it follows them.
 */
export function QueueMonitor({ initial, query, hrefs }: { initial: QueueStats; query: string; hrefs: Record<QueueCard, string> }) {
  const router = useRouter();
  const ctx = useFormatContext();
  const [refreshing, startTransition] = useTransition();
  const { data, error, isFetching } = useQuery({
    queryKey: [QUEUE_STATS_KEY, query],
    queryFn: async (): Promise<QueueStats> => {
      const res = await fetch(`/api/v1/queue/stats${query ? `?${query}` : ""}`, { cache: "no-store" });
      if (!res.ok) throw new Error(res.status === 401 ? "your session has ended; sign in again" : `the server answered HTTP ${res.status}`);
      return (await res.json()) as QueueStats;
    },
    initialData: initial,
    initialDataUpdatedAt: Date.parse(initial.at),
    refetchInterval: POLL_MS,
    refetchIntervalInBackground: false,
  });
  // the newer of the last poll and the server's own render (right after an action)
  const stats = Date.parse(data.at) >= Date.parse(initial.at) ? data : initial;
  const seen = useRef(signature(initial));
  useEffect(() => {
    const next = signature(data);
    if (next === signature(initial) || next === seen.current || Date.parse(data.at) < Date.parse(initial.at)) return;
    seen.current = next;
    startTransition(() => router.refresh());
  }, [data, initial, router]);

  return (
    <section aria-label="Queue figures" className="grid gap-4">
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5">
        {CARDS.map((card) => {
          const n = cardValue(stats, card);
          const s = QUEUE_STATUS[card];
          const skipped = card === "failed" ? stats.counts.skipped : 0;
          return (
            <div key={card} data-testid={`count-${card}`}>
              <StatCard
                label={s.label}
                value={<Count value={n} />}
                hint={skipped > 0 ? `${skipped === 1 ? "1 was" : `${skipped} were`} skipped by a rule` : undefined}
                icon={s.icon}
                tone={n > 0 ? (TONES[card] ?? "default") : "default"}
                href={hrefs[card]}
                className="h-full p-3"
              />
            </div>
          );
        })}
      </div>
      <Card className="grid gap-4 px-4 py-4 md:grid-cols-[13rem_1fr]">
        <div className="grid content-start gap-3">
          <dl className="grid content-start gap-3">
            <div className="grid gap-0.5" data-testid="due-now">
              <dt className="inline-flex items-center gap-1.5 text-sm text-muted-foreground">
                <AlarmClock className="size-4" aria-hidden />
                Due now
              </dt>
              <dd className="text-2xl font-semibold tabular-nums">
                <Count value={stats.dueNow} />
              </dd>
            </div>
            <div className="grid gap-0.5" data-testid="oldest-due">
              <dt className="inline-flex items-center gap-1.5 text-sm text-muted-foreground">
                <Hourglass className="size-4" aria-hidden />
                Oldest due waiting
              </dt>
              <dd
                className={stats.oldestDueAgeSeconds !== null && stats.oldestDueAgeSeconds > 300 ? "text-lg font-medium text-warning" : "text-lg font-medium"}
              >
                {stats.oldestDueAt ? (
                  <time dateTime={stats.oldestDueAt} suppressHydrationWarning title={`Due since ${formatDateTime(stats.oldestDueAt, "—", ctx)}`}>
                    {formatAge(stats.oldestDueAgeSeconds)}
                  </time>
                ) : (
                  "Nothing due"
                )}
              </dd>
            </div>
          </dl>
          <p className="text-xs text-muted-foreground" data-testid="stats-updated">
            {error ? (
              <span className="text-destructive" role="status">
                Live figures paused: {error.message}. Retrying…
              </span>
            ) : (
              <>
                Live{isFetching || refreshing ? " · updating" : ""} · as of <FormattedTime value={stats.at} seconds />
              </>
            )}
          </p>
        </div>
        <SendsChart perHour={stats.sentPerHour} at={stats.at} />
      </Card>
    </section>
  );
}
