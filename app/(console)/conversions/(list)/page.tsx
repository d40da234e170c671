import { BookOpen, FlaskConical, SearchX, Target } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { AutoRefresh } from "@/components/console/auto-refresh";
import { Count, Money, RelativeTime } from "@/components/console/formatted";
import { ErrorText, KeysetPager, ListNotice } from "@/components/console/list-parts";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { StatCard } from "@/components/ui/stat-card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { getDb } from "@/db/client";
import type { ConversionListRow } from "@/db/queries";
import { requireUser } from "@/lib/auth";
import { type ConversionFilters as Filters, conversionFiltersSchema, conversionStatusCounts, listConversions } from "@/lib/conversions/read";
import { CONVERSION_EVENT_OPTIONS, eventLabel } from "@/lib/conversions/schema";
import { listNumbersPage } from "@/lib/numbers/numbers";
import { formatPhone } from "@/lib/phone";
import { CONVERSION_STATUS, ConversionStatusBadge, type ConversionStatus, plainError, SOURCE_SHORT_LABELS, STATUS_OPTIONS } from "../conversion-status";
import { ConversionFilters } from "../filters";
import { CONVERSION_FILTER_KEYS, type ConversionFilterValues, listHref } from "../list-href";
import { loadFilteredPage, readUrlFilters, urlCursor } from "@/lib/url-filters";
import { numberLabel } from "@/components/console/names";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Conversions" };

const STATUS_HINTS: Record<ConversionStatus, string> = {
  queued: "waiting to be sent, or retrying",
  sent: "accepted by Meta",
  failed: "could not be delivered",
  rejected: "refused by Meta",
};
const STATUS_TONES = { queued: "default", sent: "success", failed: "destructive", rejected: "destructive" } as const;

const readFilters = (raw: Record<string, string | string[] | undefined>) => readUrlFilters(raw, CONVERSION_FILTER_KEYS, conversionFiltersSchema, {} as Filters);

/** Poll quickly while an event is about to be (re)tried, slowly while the next retry is far off. */
function refreshInterval(rows: ConversionListRow[], now: number): number | null {
  const queued = rows.filter((r) => r.status === "queued");
  if (queued.length === 0) return null;
  return queued.some((r) => !r.nextAttemptAt || r.nextAttemptAt.getTime() - now < 60_000) ? 3_000 : 30_000;
}

function SubscriberCell({ row }: { row: ConversionListRow }) {
  if (!row.subscriberId) return <span className="text-muted-foreground">—</span>;
  const phone = row.subscriberPhone ? formatPhone(row.subscriberPhone) : null;
  const name = row.subscriberName ?? phone ?? "Subscriber";
  return (
    <div className="grid max-w-44 gap-0.5">
      <Link href={`/subscribers/${row.subscriberId}`} className="truncate font-medium hover:underline" title={name}>
        {name}
      </Link>
      {phone && row.subscriberName ? <span className="text-xs text-muted-foreground tabular-nums">{phone}</span> : null}
    </div>
  );
}

/** The ad and campaign of the conversation the conversion was matched to (ids until Meta's names are fetched). */
function AdCell({ row }: { row: ConversionListRow }) {
  if (!row.adId) {
    return (
      <span className="text-muted-foreground" title={row.conversationId ? "The conversation did not start from an ad click" : "Not matched to a conversation"}>
        —
      </span>
    );
  }
  const ad = row.adName ?? `Ad ${row.adId}`;
  const campaign = row.campaignName ?? (row.campaignId ? `Campaign ${row.campaignId}` : "Campaign not known yet");
  return (
    <div className="grid max-w-52 gap-0.5" data-testid="conversion-ad">
      <span className="truncate font-medium" title={ad}>
        {ad}
      </span>
      <span className="truncate text-xs text-muted-foreground" title={campaign}>
        {campaign}
      </span>
    </div>
  );
}

function EmptyLog({ cursor, filtered, values }: { cursor: string | undefined; filtered: boolean; values: ConversionFilterValues }) {
  if (cursor) {
    return (
      <EmptyState
        icon={SearchX}
        title="No more conversions"
        description="There are no older conversions in this view."
        action={
          <Button asChild variant="outline">
            <Link href={listHref(values)}>First page</Link>
          </Button>
        }
      />
    );
  }
  if (filtered) {
    return (
      <EmptyState
        icon={SearchX}
        title="No conversions match these filters"
        description="Try another status, event, number or dates."
        action={
          <Button asChild variant="outline">
            <Link href="/conversions">Clear filters</Link>
          </Button>
        }
      />
    );
  }
  return (
    <EmptyState
      icon={Target}
      title="No conversions yet"
      data-testid="conversions-empty"
      className="[&>div]:max-w-xl"
      description={
        <>
          A conversion is a lead or a sale (LeadSubmitted, Purchase, …) from someone who wrote to you after clicking a Click-to-WhatsApp ad. Your CRM or shop
          reports it with <code>POST /api/v1/conversions/whatsapp</code> and an API key; Clicktrail finds the ad click of that conversation and forwards the
          event to Meta&apos;s Conversions API, so Meta learns which ads bring buyers. Start with a test event: it shows up in Events Manager under Test events,
          not in your reports.
        </>
      }
      action={
        <>
          <Button asChild>
            <Link href="/conversions/test">
              <FlaskConical aria-hidden />
              Send a test event
            </Link>
          </Button>
          <Button asChild variant="outline">
            <Link href="/api-docs">
              <BookOpen aria-hidden />
              API reference
            </Link>
          </Button>
        </>
      }
    />
  );
}

export default async function ConversionsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser({ role: "marketer" });
  const raw = await searchParams;
  const read = readFilters(raw);
  const { values, errors } = read;
  const db = await getDb();
  const [numbers, counts] = await Promise.all([
    listNumbersPage(db, { tenantId: user.tenantId, limit: 200 }),
    conversionStatusCounts(db, { tenantId: user.tenantId }),
  ]);
  const { page, cursor } = await loadFilteredPage(read, urlCursor(raw), (filters, c) =>
    listConversions(db, { tenantId: user.tenantId, filters, cursor: c, limit: 50 }),
  );
  const now = new Date().getTime(); // one clock for every relative time on the page
  const filtered = Object.values(values).some(Boolean);
  const interval = refreshInterval(page.rows, now);

  return (
    <div className="grid min-w-0 grid-cols-1 gap-6">
      <PageHeader
        className="pb-0"
        title="Conversions"
        description="Leads and sales reported for conversations that started from an ad click, and what Meta's Conversions API answered to each."
        actions={
          <Button asChild>
            <Link href="/conversions/test">
              <FlaskConical aria-hidden />
              Send test event
            </Link>
          </Button>
        }
      />
      <div className="grid grid-cols-2 gap-4 lg:grid-cols-4">
        {(Object.keys(CONVERSION_STATUS) as ConversionStatus[]).map((s) => (
          <div key={s} data-testid={`count-${s}`}>
            <StatCard
              label={CONVERSION_STATUS[s].label}
              value={<Count value={counts[s]} />}
              hint={STATUS_HINTS[s]}
              icon={CONVERSION_STATUS[s].icon}
              tone={counts[s] > 0 ? STATUS_TONES[s] : "default"}
              href={listHref({ status: s })}
              className="h-full"
            />
          </div>
        ))}
      </div>
      <ConversionFilters
        values={values}
        errors={errors}
        statuses={STATUS_OPTIONS}
        eventNames={CONVERSION_EVENT_OPTIONS}
        numbers={numbers.rows.filter((n) => n.provider === "cloud").map((n) => ({ value: n.id, label: numberLabel(n) }))}
      />
      <ListNotice text={errors.cursor} />
      <AutoRefresh active={interval !== null} intervalMs={interval ?? 30_000} note="Queued events update by themselves." />
      {page.rows.length === 0 ? (
        <EmptyLog cursor={cursor} filtered={filtered} values={values} />
      ) : (
        <Card className="min-w-0 py-0">
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Received</TableHead>
                <TableHead>Event</TableHead>
                <TableHead>Subscriber</TableHead>
                <TableHead>Ad / campaign</TableHead>
                <TableHead>Number</TableHead>
                <TableHead className="w-[30%]">Status</TableHead>
                <TableHead className="text-right">Attempts</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {page.rows.map((r) => {
                const error = r.status === "failed" || r.status === "rejected" ? plainError(r.lastError) : null;
                return (
                  <TableRow key={r.id} data-testid="conversion-row">
                    <TableCell>
                      <Link href={`/conversions/${r.id}`} className="relative inline-block font-medium hover:underline">
                        <span className="sr-only">{`${eventLabel(r.eventName)} received `}</span>
                        <RelativeTime value={r.createdAt} />
                      </Link>
                    </TableCell>
                    <TableCell>
                      <div className="grid gap-0.5">
                        <span className="inline-flex items-center gap-1.5 font-medium" title={`Sent to Meta as ${r.eventName}`}>
                          {eventLabel(r.eventName)}
                          {r.testCode ? (
                            <Badge variant="outline" title={`Test event code ${r.testCode}: shown in Events Manager → Test events only`}>
                              Test
                            </Badge>
                          ) : null}
                        </span>
                        {r.value !== null ? <Money value={r.value} currency={r.currency} className="text-xs text-muted-foreground tabular-nums" /> : null}
                        {r.source !== "api" ? <span className="text-xs text-muted-foreground">{SOURCE_SHORT_LABELS[r.source] ?? r.source}</span> : null}
                      </div>
                    </TableCell>
                    <TableCell>
                      <SubscriberCell row={r} />
                    </TableCell>
                    <TableCell>
                      <AdCell row={r} />
                    </TableCell>
                    <TableCell>
                      <span className="block max-w-36 truncate" title={r.numberLabel ?? undefined}>
                        {r.numberLabel ?? <span className="text-muted-foreground">deleted</span>}
                      </span>
                    </TableCell>
                    <TableCell className="whitespace-normal">
                      <div className="grid justify-items-start gap-1">
                        <ConversionStatusBadge status={r.status} nextAttemptAt={r.nextAttemptAt} />
                        {error ? (
                          <span className="text-xs" data-testid="conversion-error">
                            <ErrorText text={error} title={r.lastError ?? undefined} />
                          </span>
                        ) : null}
                      </div>
                    </TableCell>
                    <TableCell className="text-right tabular-nums">{r.attempts}</TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </Card>
      )}
      {page.rows.length > 0 ? (
        <KeysetPager firstHref={cursor ? listHref(values) : null} nextHref={page.nextCursor && listHref({ ...values, cursor: page.nextCursor })} />
      ) : null}
    </div>
  );
}
