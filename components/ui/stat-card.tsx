import * as React from "react";
import Link from "next/link";
import type { LucideIcon } from "lucide-react";

import { cn } from "@/lib/utils";

type StatCardTone = "default" | "warning" | "destructive" | "success";

type StatCardProps = {
  label: React.ReactNode;
  value: React.ReactNode;
  hint?: React.ReactNode;
  icon?: LucideIcon;
  tone?: StatCardTone;
  /** When set, the whole card becomes a link. */
  href?: string;
  className?: string;
};

const toneStyles: Record<StatCardTone, { value: string; icon: string; card: string }> = {
  default: { value: "text-foreground", icon: "bg-muted text-muted-foreground", card: "" },
  success: { value: "text-success", icon: "bg-success/10 text-success", card: "" },
  warning: {
    value: "text-warning",
    icon: "bg-warning/10 text-warning",
    card: "border-warning/30",
  },
  destructive: {
    value: "text-destructive",
    icon: "bg-destructive/10 text-destructive",
    card: "border-destructive/30",
  },
};

function StatCard({ label, value, hint, icon: Icon, tone = "default", href, className }: StatCardProps) {
  const styles = toneStyles[tone];
  const classes = cn(
    "flex flex-col gap-1 rounded-xl border bg-card p-4 text-card-foreground shadow-xs",
    styles.card,
    href &&
      "transition-[background-color,box-shadow] outline-none hover:bg-accent/50 focus-visible:border-ring focus-visible:ring-[3px] focus-visible:ring-ring/50",
    className,
  );

  const content = (
    <>
      <div className="flex items-center justify-between gap-2">
        <span className="truncate text-sm font-medium text-muted-foreground">{label}</span>
        {Icon ? (
          <span className={cn("flex size-7 shrink-0 items-center justify-center rounded-md", styles.icon)}>
            <Icon className="size-4" aria-hidden="true" />
          </span>
        ) : null}
      </div>
      <div className={cn("text-2xl leading-tight font-semibold tracking-tight tabular-nums", styles.value)}>{value}</div>
      {hint ? <p className="text-xs text-muted-foreground">{hint}</p> : null}
    </>
  );

  if (href) {
    return (
      <Link href={href} data-slot="stat-card" data-tone={tone} className={classes}>
        {content}
      </Link>
    );
  }

  return (
    <div data-slot="stat-card" data-tone={tone} className={classes}>
      {content}
    </div>
  );
}

export { StatCard, type StatCardProps, type StatCardTone };
