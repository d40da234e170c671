"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Spinner } from "@/components/ui/spinner";
import { cn } from "@/lib/utils";
import { dashboardHref } from "./dashboard-href";

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
        <div className="grid gap-1.5">
          <Label htmlFor="dashboard-from" className="text-xs text-muted-foreground">
            From
          </Label>
          <Input
            id="dashboard-from"
            name="from"
            type="date"
            defaultValue={from}
            key={`f-${from}`}
            className="h-8 w-40"
            required
            aria-invalid={error ? true : undefined}
          />
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="dashboard-to" className="text-xs text-muted-foreground">
            To
          </Label>
          <Input
            id="dashboard-to"
            name="to"
            type="date"
            defaultValue={to}
            key={`t-${to}`}
            className="h-8 w-40"
            required
            aria-invalid={error ? true : undefined}
          />
        </div>
        <Button type="submit" size="sm" variant="outline" disabled={pending}>
          {pending ? <Spinner /> : null}
          Show
        </Button>
      </form>
      {error ? (
        <p className="w-full text-xs text-destructive" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
