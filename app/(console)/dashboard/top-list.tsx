// A ranking of the period (top campaigns or ads, by conversations or by revenue): names link to the
// attribution report narrowed to them, with a bar for the size of each against the first.
import Link from "next/link";
import { Count, Money } from "@/components/console/formatted";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";

export type TopItem = { key: string; name: string; detail?: string | null; href: string; value: number };

export function TopList({
  title,
  description,
  items,
  currency,
  empty,
  testId,
}: {
  title: string;
  description: string;
  items: TopItem[];
  currency?: string | null;
  empty: string;
  testId: string;
}) {
  const max = Math.max(...items.map((i) => i.value), 1);
  return (
    <Card data-testid={testId} className="min-w-0 gap-4">
      <CardHeader>
        <CardTitle>
          <h2>{title}</h2>
        </CardTitle>
        <CardDescription>{description}</CardDescription>
      </CardHeader>
      <CardContent>
        {items.length === 0 ? (
          <p className="py-4 text-center text-sm text-muted-foreground">{empty}</p>
        ) : (
          <ol className="grid gap-3">
            {items.map((item) => (
              <li key={item.key} className="grid gap-1">
                <div className="flex items-baseline justify-between gap-3 text-sm">
                  <span className="min-w-0">
                    <Link href={item.href} className="block truncate font-medium hover:underline" title={item.name}>
                      {item.name}
                    </Link>
                    {item.detail ? (
                      <span className="block truncate text-xs text-muted-foreground" title={item.detail}>
                        {item.detail}
                      </span>
                    ) : null}
                  </span>
                  <span className="shrink-0 font-medium tabular-nums">
                    {currency ? <Money value={item.value} currency={currency} /> : <Count value={item.value} />}
                  </span>
                </div>
                <div className="h-1.5 rounded-full bg-muted" aria-hidden>
                  <div className="h-full rounded-full bg-[var(--chart-ad)]" style={{ width: `${Math.max(2, (item.value / max) * 100)}%` }} />
                </div>
              </li>
            ))}
          </ol>
        )}
      </CardContent>
    </Card>
  );
}
