"use client";

// The report's table: campaign → ad set → ad rows, sortable by any column (each level sorted within its parent),
// with the totals in the footer. It scrolls inside its card on a narrow screen, the names column staying put.
import { ArrowDown, ArrowUp, ArrowUpDown } from "lucide-react";
import Link from "next/link";
import { Fragment, useState } from "react";
import { Count, Money, Percent } from "@/components/console/formatted";
import { Table, TableBody, TableCell, TableFooter, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { eventLabel } from "@/lib/conversions/schema";
import type { CampaignLine, Totals } from "@/lib/subscribers/attribution";
import { cn } from "@/lib/utils";
import { CreativeThumbnail } from "@/components/console/creative-thumbnail";

type SortKey = "name" | "conversations" | "subscribers" | "value" | "rate" | `event:${string}`;
type Sort = { key: SortKey; desc: boolean };

const NAME_CELL = "sticky left-0 z-10 max-w-44 bg-card sm:max-w-80";

function sortValue(t: Totals, key: SortKey, currency: string | null): number {
  if (key === "conversations") return t.conversations;
  if (key === "subscribers") return t.subscribers;
  if (key === "rate") return t.rate;
  if (key === "value") return currency ? (t.value[currency] ?? 0) : 0;
  if (key.startsWith("event:")) return t.events[key.slice(6)] ?? 0;
  return 0;
}

function sorted<T extends { name: string; totals: Totals }>(rows: T[], sort: Sort, currency: string | null): T[] {
  const dir = sort.desc ? -1 : 1;
  return [...rows].sort((a, b) =>
    sort.key === "name"
      ? dir * a.name.localeCompare(b.name)
      : dir * (sortValue(a.totals, sort.key, currency) - sortValue(b.totals, sort.key, currency)) || b.totals.conversations - a.totals.conversations,
  );
}

function Figures({ t, events, currencies }: { t: Totals; events: string[]; currencies: string[] }) {
  return (
    <>
      <TableCell className="text-right tabular-nums">
        <Count value={t.conversations} />
      </TableCell>
      <TableCell className="text-right tabular-nums">
        <Count value={t.subscribers} />
      </TableCell>
      {events.map((e) => (
        <TableCell key={e} className="text-right tabular-nums">
          <Count value={t.events[e] ?? 0} />
        </TableCell>
      ))}
      <TableCell className="text-right tabular-nums">
        {currencies.some((c) => t.value[c]) ? (
          <span className="inline-grid justify-items-end">
            {currencies
              .filter((c) => t.value[c])
              .map((c) => (
                <Money key={c} value={t.value[c]} currency={c} />
              ))}
          </span>
        ) : (
          <span className="text-muted-foreground">—</span>
        )}
      </TableCell>
      <TableCell className="text-right tabular-nums">
        <Percent value={t.rate} />
      </TableCell>
    </>
  );
}

function SortHead({
  label,
  sortKey,
  sort,
  onSort,
  align = "right",
  title,
}: {
  label: string;
  sortKey: SortKey;
  sort: Sort;
  onSort: (k: SortKey) => void;
  align?: "left" | "right";
  title?: string;
}) {
  const active = sort.key === sortKey;
  const Icon = active ? (sort.desc ? ArrowDown : ArrowUp) : ArrowUpDown;
  return (
    <TableHead aria-sort={active ? (sort.desc ? "descending" : "ascending") : "none"} className={cn(align === "right" ? "text-right" : NAME_CELL)}>
      <button
        type="button"
        onClick={() => onSort(sortKey)}
        title={title}
        className={cn(
          "inline-flex items-center gap-1 rounded-sm hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none",
          active && "text-foreground",
          align === "right" && "flex-row-reverse",
        )}
      >
        {label}
        <Icon className={cn("size-3.5", !active && "opacity-50")} aria-hidden />
      </button>
    </TableHead>
  );
}

export function ReportTable({ campaigns, total, events, currencies }: { campaigns: CampaignLine[]; total: Totals; events: string[]; currencies: string[] }) {
  const [sort, setSort] = useState<Sort>({ key: "conversations", desc: true });
  const onSort = (key: SortKey) => setSort((s) => (s.key === key ? { key, desc: !s.desc } : { key, desc: key !== "name" }));
  // amounts in different currencies do not compare: Value sorts by the currency with the largest total
  const currency = [...currencies].sort((a, b) => (total.value[b] ?? 0) - (total.value[a] ?? 0))[0] ?? null;
  const named = sorted(
    campaigns.map((c) => ({
      ...c,
      name: c.name ?? (c.id ? `Campaign ${c.id}` : "Not enriched yet"),
      adsets: sorted(
        c.adsets.map((s) => ({
          ...s,
          name: s.name ?? (s.id ? `Ad set ${s.id}` : "Ad set not known yet"),
          ads: sorted(
            s.ads.map((a) => ({ ...a, label: a.name ?? a.headline ?? `Ad ${a.id}`, name: a.name ?? a.headline ?? `Ad ${a.id}` })),
            sort,
            currency,
          ),
        })),
        sort,
        currency,
      ),
    })),
    sort,
    currency,
  );
  const head = { sort, onSort };
  return (
    <Table aria-label="Conversations and conversions per campaign, ad set and ad" data-testid="attribution-table">
      <TableHeader>
        <TableRow className="hover:bg-transparent">
          <SortHead label="Campaign / ad set / ad" sortKey="name" align="left" {...head} />
          <SortHead label="Conversations" sortKey="conversations" {...head} />
          <SortHead label="Subscribers" sortKey="subscribers" {...head} />
          {events.map((e) => (
            <SortHead key={e} label={eventLabel(e, "many")} sortKey={`event:${e}`} title={`${e} events`} {...head} />
          ))}
          <SortHead label="Value" sortKey="value" title={currency && currencies.length > 1 ? `Sorted by the ${currency} amount` : undefined} {...head} />
          <SortHead label="Conversion rate" sortKey="rate" {...head} />
        </TableRow>
      </TableHeader>
      <TableBody>
        {named.map((c) => (
          <Fragment key={`c-${c.id}`}>
            <TableRow className="font-medium" data-testid="campaign-row">
              <TableCell className={cn(NAME_CELL, "truncate")} title={c.name}>
                {c.name}
              </TableCell>
              <Figures t={c.totals} events={events} currencies={currencies} />
            </TableRow>
            {c.adsets.map((s) => (
              <Fragment key={`s-${s.id}`}>
                <TableRow>
                  <TableCell className={cn(NAME_CELL, "truncate pl-6")} title={s.name}>
                    {s.name}
                  </TableCell>
                  <Figures t={s.totals} events={events} currencies={currencies} />
                </TableRow>
                {s.ads.map((a) => (
                  <TableRow key={`a-${a.id}`} className="text-muted-foreground">
                    <TableCell className={cn(NAME_CELL, "pl-10")} title={a.headline ?? undefined}>
                      <Link href={`/subscribers?ad=${encodeURIComponent(a.id)}`} className="flex min-w-0 items-center gap-2 hover:underline">
                        <CreativeThumbnail src={a.thumbnailUrl} />
                        <span className="truncate">{a.label}</span>
                      </Link>
                    </TableCell>
                    <Figures t={a.totals} events={events} currencies={currencies} />
                  </TableRow>
                ))}
              </Fragment>
            ))}
          </Fragment>
        ))}
      </TableBody>
      <TableFooter>
        <TableRow className="font-semibold hover:bg-transparent" data-testid="total-row">
          <TableCell className={cn(NAME_CELL, "bg-muted")}>Total</TableCell>
          <Figures t={total} events={events} currencies={currencies} />
        </TableRow>
      </TableFooter>
    </Table>
  );
}
