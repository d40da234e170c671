"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { cn } from "@/lib/utils";
import { dashboardHref } from "./dashboard-href";
import { DayRangeFields } from "@/components/console/day-range-fields";

const PRESETS = [7, 30, 90] as const;

/** The dashboard's period, kept in the URL: a preset ending today, or any from/to (whole UTC days). */
export function RangePicker({ from, to, preset, error }: { from: string; to: string; preset: number | null; error?: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <div className="flex flex-wrap items-end gap-x-4 gap-y-3">
      <nav aria-label="Period" className="flex rounded-md border p-0.5">
        {PRESETS.map((days) => (
          <Link
            key={days}
            href={dashboardHref({ days })}
            aria-current={preset === days ? "page" : undefined}
            className={cn(
              "rounded-sm px-3 py-1 text-sm whitespace-nowrap",
              preset === days ? "bg-primary text-primary-foreground" : "text-muted-foreground hover:bg-muted hover:text-foreground",
            )}
          >
            {days} days
          </Link>
        ))}
      </nav>
      <form
        aria-label="Custom period"
        className="flex flex-wrap items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          startTransition(() => router.push(dashboardHref({ from: String(data.get("from")), to: String(data.get("to")) })));
        }}
      >
        <DayRangeFields idPrefix="dashboard" from={from} to={to} invalid={!!error} pending={pending} />
      </form>
      {error ? (
        <p className="w-full text-xs text-destructive" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
