// The dashboard's figure cards: a value of the period and its change against the previous period of the same length.
import type { LucideIcon } from "lucide-react";
import type { ReactNode } from "react";
import { Count, Money, Percent } from "@/components/console/formatted";
import { cn } from "@/lib/utils";

type Change = { change: number | null; previous: number | null };

/** "▲ 25% vs 120 in the previous 30 days"; a share's change is in percentage points ("▲ 4.5 pts"). */
export function ChangeLine({ value, previous, days, points = false }: { value: Change; previous: ReactNode; days: number; points?: boolean }) {
  const period = `the previous ${days === 1 ? "day" : `${days} days`}`;
  if (value.change === null) {
    return (
      <p className="text-xs text-muted-foreground">
        {value.previous ? (
          <>
            vs {previous} in {period}
          </>
        ) : (
          <>Nothing in {period} to compare with</>
        )}
      </p>
    );
  }
  const up = value.change > 0;
  const flat = value.change === 0;
  const magnitude = points ? (
    <span>
      <Count value={Math.round(Math.abs(value.change) * 1000) / 10} /> pts
    </span>
  ) : (
    <Percent value={Math.abs(value.change)} />
  );
  return (
    <p className="text-xs text-muted-foreground" data-testid="change">
      <span className={cn("font-medium tabular-nums", flat ? "" : up ? "text-success" : "text-destructive")}>
        {flat ? (
          "No change"
        ) : (
          <>
            <span aria-hidden>{up ? "▲" : "▼"}</span>
            <span className="sr-only">{up ? "Up" : "Down"}</span> {magnitude}
          </>
        )}
      </span>{" "}
      vs {previous} in {period}
    </p>
  );
}

export function FigureCard({ label, icon: Icon, children, testId }: { label: string; icon: LucideIcon; children: ReactNode; testId: string }) {
  return (
    <section aria-label={label} data-testid={testId} className="flex min-w-0 flex-col gap-1 rounded-xl border bg-card p-4 text-card-foreground shadow-xs">
      <div className="flex items-center justify-between gap-2">
        <h2 className="text-sm font-medium text-muted-foreground">{label}</h2>
        <span className="flex size-7 shrink-0 items-center justify-center rounded-md bg-muted text-muted-foreground">
          <Icon className="size-4" aria-hidden />
        </span>
      </div>
      {children}
    </section>
  );
}

export const BigNumber = ({ children }: { children: ReactNode }) => (
  <div className="text-2xl leading-tight font-semibold tracking-tight tabular-nums">{children}</div>
);

/** Revenue per currency, largest first (amounts in different currencies are never added up). */
export function RevenueLines({ revenue, days }: { revenue: { currency: string; current: number; previous: number; change: number | null }[]; days: number }) {
  if (revenue.length === 0) {
    return (
      <>
        <BigNumber>—</BigNumber>
        <p className="text-xs text-muted-foreground">No conversions with a value in this period</p>
      </>
    );
  }
  return (
    <ul className="grid gap-2">
      {revenue.map((r, i) => (
        <li key={r.currency} className="grid gap-0.5">
          <div className={cn("leading-tight font-semibold tracking-tight tabular-nums", i === 0 ? "text-2xl" : "text-lg")}>
            <Money value={r.current} currency={r.currency} />
          </div>
          <ChangeLine value={r} previous={<Money value={r.previous} currency={r.currency} />} days={days} />
        </li>
      ))}
      {revenue.length > 1 ? <li className="text-xs text-muted-foreground">Shown per currency: amounts are not converted.</li> : null}
    </ul>
  );
}
