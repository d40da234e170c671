import { Phone, SearchX, Webhook } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { RelativeTime } from "@/components/console/formatted";
import { ErrorText, KeysetPager } from "@/components/console/list-parts";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth";
import { listNumbersPage } from "@/lib/numbers/numbers";
import { formatPhone } from "@/lib/phone";
import { hasRole } from "@/lib/roles";
import { listWebhookEventsPage, type WebhookEventSummary, webhookEventSearchSchema } from "@/lib/webhook-events/list";
import { EventStatusBadge, PROVIDER_NAMES, PROVIDER_OPTIONS, SignatureResultLabel, STATUS_OPTIONS } from "../event-status";
import { WebhookFilters } from "../filters";
import { numberLabel } from "@/components/console/names";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Webhook events" };

const UNOWNED_NOTE = "Events for Phone Number IDs not connected here are kept and processed automatically when you connect that number.";

function listHref(filters: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
  const query = params.toString();
  return query ? `/webhooks?${query}` : "/webhooks";
}

function NumberCell({ event }: { event: WebhookEventSummary }) {
  const provider = PROVIDER_NAMES[event.provider];
  if (event.number) {
    return (
      <div className="grid gap-0.5">
        <span className="max-w-44 truncate font-medium" title={event.number.label}>
          {event.number.label}
        </span>
        <span className="text-xs text-muted-foreground tabular-nums">
          {formatPhone(event.number.phoneE164)} · {provider}
        </span>
      </div>
    );
  }
  const pnids = event.routedPhoneNumberIds.join(", ");
  return (
    <div className="grid gap-0.5">
      <span className="max-w-44 truncate text-muted-foreground" title={pnids || undefined}>
        {pnids ? `ID ${pnids}` : "No number"}
      </span>
      <span className="text-xs text-muted-foreground">{provider}</span>
    </div>
  );
}

export default async function WebhookEventsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser({ role: "marketer" });
  const canInspect = hasRole(user.role, "manager");
  const parsed = webhookEventSearchSchema.parse(await searchParams);
  const db = await getDb();
  const numbers = await listNumbersPage(db, { tenantId: user.tenantId, limit: 200 });
  // a number that is not (or no longer) this workspace's is an invalid filter: fall back to "any number"
  const search = { ...parsed, numberId: numbers.rows.some((n) => n.id === parsed.numberId) ? parsed.numberId : undefined };
  const page = await listWebhookEventsPage(db, { tenantId: user.tenantId, ...search, limit: 50 });
  const filters = { status: search.status, provider: search.provider, numberId: search.numberId };
  const filtered = Boolean(filters.status || filters.provider || filters.numberId);
  const numberOptions = numbers.rows.map((n) => ({ value: n.id, label: numberLabel(n) }));

  return (
    <div className="grid gap-6">
      <PageHeader
        className="pb-0"
        title="Webhook events"
        description={
          <>
            Every delivery Meta and Gupshup sent to this workspace, stored exactly as received before processing.{" "}
            {canInspect ? "Open one to see its raw JSON or replay it." : "Managers and admins can open an event to see its raw JSON and replay it."}{" "}
            {UNOWNED_NOTE}
          </>
        }
      />
      <WebhookFilters values={filters} statuses={STATUS_OPTIONS} providers={PROVIDER_OPTIONS} numbers={numberOptions} />
      {page.rows.length === 0 ? (
        search.cursor ? (
          <EmptyState
            icon={SearchX}
            title="No more events"
            description="There are no older events on this list."
            action={
              <Button asChild variant="outline">
                <Link href={listHref(filters)}>First page</Link>
              </Button>
            }
          />
        ) : filtered ? (
          <EmptyState
            icon={SearchX}
            title="No events match these filters"
            description="Try another status, provider or number."
            action={
              <Button asChild variant="outline">
                <Link href="/webhooks">Clear filters</Link>
              </Button>
            }
          />
        ) : (
          <EmptyState
            icon={Webhook}
            title="No webhook events yet"
            description={
              <>
                Meta (and Gupshup) call this console for every inbound message and delivery status. Connect a number and paste its callback URL and verify token
                into Meta&apos;s dashboard, subscribed to the <code>messages</code> field: deliveries appear here within seconds. {UNOWNED_NOTE}
              </>
            }
            action={
              <Button asChild>
                <Link href="/numbers">
                  <Phone aria-hidden />
                  Set up a number
                </Link>
              </Button>
            }
          />
        )
      ) : (
        <Card className="py-0">
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Received</TableHead>
                <TableHead>Number</TableHead>
                <TableHead>Contents</TableHead>
                <TableHead>Status</TableHead>
                <TableHead>Signature</TableHead>
                <TableHead className="text-right">Attempts</TableHead>
                <TableHead className="w-[26%]">Error</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {page.rows.map((e) => {
                const when = <RelativeTime value={e.receivedAt} />;
                return (
                  <TableRow key={e.id} data-testid="webhook-row">
                    <TableCell>
                      {canInspect ? (
                        <Link href={`/webhooks/${e.id}`} className="relative inline-block font-medium hover:underline">
                          <span className="sr-only">Event received </span>
                          {when}
                        </Link>
                      ) : (
                        when
                      )}
                    </TableCell>
                    <TableCell>
                      <NumberCell event={e} />
                    </TableCell>
                    <TableCell className="min-w-32 whitespace-normal text-muted-foreground">{e.summary}</TableCell>
                    <TableCell>
                      <EventStatusBadge status={e.status} />
                    </TableCell>
                    <TableCell>
                      <SignatureResultLabel result={e.signatureResult} />
                    </TableCell>
                    <TableCell className="text-right tabular-nums">{e.attempts}</TableCell>
                    <TableCell className="text-sm whitespace-normal">
                      <ErrorText text={e.error} />
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </Card>
      )}
      {page.rows.length > 0 ? (
        <KeysetPager firstHref={search.cursor ? listHref(filters) : null} nextHref={page.nextCursor && listHref({ ...filters, cursor: page.nextCursor })} />
      ) : null}
    </div>
  );
}
