import { Download, Megaphone, SearchX, Users } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { DateTitle, RelativeTime } from "@/components/console/formatted";
import { KeysetPager, ListNotice } from "@/components/console/list-parts";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { getDb } from "@/db/client";
import { LIFECYCLE_STATES, SUBSCRIBER_STATUSES } from "@/db/schema";
import { requireUser } from "@/lib/auth";
import { listNumbersPage } from "@/lib/numbers/numbers";
import { listAdFilterOptions } from "@/lib/subscribers/ad-options";
import { formatPhone } from "@/lib/phone";
import { type SubscriberFilters as Filters, subscriberFiltersSchema } from "@/lib/subscribers/list-filters";
import { listSubscribers } from "@/lib/subscribers/list";
import { SubscriberFilters } from "./filters";
import { apiQuery, listHref } from "./list-href";
import { NewArrivals } from "./new-arrivals";
import {
  LIFECYCLE_LABELS,
  LifecycleScoreMeter,
  MarketingStoppedBadge,
  MessageStatusLabel,
  SOURCE_LABELS,
  SUBSCRIBER_STATUS,
  SubscriberStatusBadge,
} from "./subscriber-badges";
import { loadFilteredPage, readUrlFilters, urlCursor } from "@/lib/url-filters";
import { numberLabel, subscriberName } from "@/components/console/names";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Subscribers" };

const FILTER_KEYS = ["q", "number", "status", "lifecycle", "source", "campaign", "ad", "clickId", "from", "to", "window", "score", "sort"] as const;

const readFilters = (raw: Record<string, string | string[] | undefined>) =>
  readUrlFilters(raw, FILTER_KEYS, subscriberFiltersSchema, { sort: "last_inbound" } as Filters);

export default async function SubscribersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser({ role: "marketer" });
  const raw = await searchParams;
  const read = readFilters(raw);
  const { values, errors } = read;
  const db = await getDb();
  const [numbers, adOptions] = await Promise.all([listNumbersPage(db, { tenantId: user.tenantId, limit: 200 }), listAdFilterOptions(db, user.tenantId)]);
  const now = new Date();
  const { page, cursor } = await loadFilteredPage(read, urlCursor(raw), (filters, c) =>
    listSubscribers(db, { tenantId: user.tenantId, filters, cursor: c, limit: 50, now }),
  );
  const { filters } = read;

  const filtered = Object.entries(values).some(([k, v]) => k !== "sort" && v);
  const query = apiQuery(values); // the API's names for the same filters (export, new arrivals)
  const first = page.rows[0]?.subscriber;
  const nowMs = now.getTime();

  return (
    <div className="grid min-w-0 grid-cols-[minmax(0,1fr)] gap-6">
      <PageHeader
        className="pb-0"
        title="Subscribers"
        description="Everyone who wrote to your WhatsApp numbers: which ad brought them, when they last wrote, and whether you can still reply for free."
        actions={
          <Button asChild variant="outline">
            <a href={`/api/v1/subscribers/export${query ? `?${query}` : ""}`} download>
              <Download aria-hidden />
              Export CSV
            </a>
          </Button>
        }
      />
      <SubscriberFilters
        values={values}
        errors={errors}
        numbers={numbers.rows.map((n) => ({ value: n.id, label: numberLabel(n) }))}
        campaigns={adOptions.campaigns}
        ads={adOptions.ads}
        statuses={SUBSCRIBER_STATUSES.map((s) => ({ value: s, label: SUBSCRIBER_STATUS[s]?.label ?? s }))}
        lifecycles={LIFECYCLE_STATES.map((s) => ({ value: s, label: LIFECYCLE_LABELS[s] ?? s }))}
      />
      <ListNotice text={errors.cursor} />
      {!cursor ? (
        <NewArrivals
          query={query}
          sort={filters.sort}
          topId={first?.id ?? null}
          topAt={first ? (filters.sort === "first_seen" ? first.firstSeenAt.getTime() : (first.lastInboundAt?.getTime() ?? null)) : null}
        />
      ) : null}
      {page.rows.length === 0 ? (
        cursor ? (
          <EmptyState
            icon={SearchX}
            title="No more subscribers"
            description="This is the end of the list."
            action={
              <Button asChild variant="outline">
                <Link href={listHref(values)}>First page</Link>
              </Button>
            }
          />
        ) : filtered ? (
          <EmptyState
            icon={SearchX}
            title="Nobody matches these filters"
            description="Try a shorter search or fewer filters."
            action={
              <Button asChild variant="outline">
                <Link href={listHref({ sort: values.sort })}>Clear filters</Link>
              </Button>
            }
          />
        ) : (
          <EmptyState
            icon={Users}
            title="No subscribers yet"
            description="Subscribers appear here when someone writes to one of your WhatsApp numbers, for example after clicking a Click-to-WhatsApp ad. Connect a number and set up its webhook, or try the simulator (npm run simulate) to see data flow in."
            action={
              <Button asChild>
                <Link href="/numbers">Set up a number</Link>
              </Button>
            }
          />
        )
      ) : (
        <Card className="min-w-0 py-0">
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Name</TableHead>
                <TableHead>Phone</TableHead>
                <TableHead>Status</TableHead>
                <TableHead title="Lifecycle score, 0–100: ad click, replies, open window, conversions, recency">Score</TableHead>
                <TableHead>First seen</TableHead>
                <TableHead>Last message</TableHead>
                <TableHead className="text-right">In</TableHead>
                <TableHead className="w-[24%]">First touch</TableHead>
                <TableHead>Delivery</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {page.rows.map(({ subscriber: s, firstTouch: ft }) => {
                const name = subscriberName(s, "Unknown");
                const windowOpen = s.conversationExpiresAt && s.conversationExpiresAt.getTime() > nowMs;
                return (
                  <TableRow key={s.id} data-testid="subscriber-row">
                    <TableCell className="max-w-48">
                      <Link href={`/subscribers/${s.id}`} className="block truncate font-medium hover:underline" title={name}>
                        {name}
                      </Link>
                      <span className="text-xs text-muted-foreground">{LIFECYCLE_LABELS[s.lifecycleState]}</span>
                    </TableCell>
                    <TableCell className="tabular-nums">
                      {s.waPhone ? formatPhone(s.waPhone) : <span className="text-muted-foreground">hidden</span>}
                      {s.country ? <span className="ml-1.5 text-xs text-muted-foreground">{s.country}</span> : null}
                    </TableCell>
                    <TableCell>
                      <span className="inline-flex flex-wrap gap-1">
                        <SubscriberStatusBadge status={s.status} />
                        <MarketingStoppedBadge preference={s.marketingPreference} />
                      </span>
                    </TableCell>
                    <TableCell>
                      <LifecycleScoreMeter score={s.lifecycleScore} />
                    </TableCell>
                    <TableCell>
                      <RelativeTime value={s.firstSeenAt} className="whitespace-nowrap" />
                    </TableCell>
                    <TableCell>
                      {s.lastInboundAt ? (
                        <RelativeTime value={s.lastInboundAt} className="whitespace-nowrap" />
                      ) : (
                        <span className="text-muted-foreground">never</span>
                      )}
                      {windowOpen ? (
                        <DateTitle value={s.conversationExpiresAt} prefix="Free replies until " className="ml-1.5 text-xs text-success">
                          · window open
                        </DateTitle>
                      ) : null}
                    </TableCell>
                    <TableCell className="text-right tabular-nums">{s.inboundCount}</TableCell>
                    <TableCell className="max-w-64 whitespace-normal">
                      {ft ? (
                        <div className="grid gap-0.5">
                          <span className="line-clamp-1 font-medium" title={ft.headline ?? undefined}>
                            {ft.headline ?? (ft.sourceType ? (SOURCE_LABELS[ft.sourceType] ?? ft.sourceType) : "Referral")}
                          </span>
                          <span className="line-clamp-1 text-xs text-muted-foreground">
                            <Megaphone className="mr-1 inline size-3" aria-hidden />
                            {ft.campaignName ?? ft.utmCampaign ?? (ft.adId ? `Ad ${ft.adId}` : (SOURCE_LABELS[ft.sourceType ?? ""] ?? "—"))}
                          </span>
                        </div>
                      ) : (
                        <span className="text-muted-foreground">Organic</span>
                      )}
                    </TableCell>
                    <TableCell>
                      <MessageStatusLabel status={s.lastMessageStatus} />
                    </TableCell>
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
