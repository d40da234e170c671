import { BookOpen, KeyRound, ListChecks, Plus, SearchX } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { RelativeTime } from "@/components/console/formatted";
import { KeysetPager, ListNotice } from "@/components/console/list-parts";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { getDb } from "@/db/client";
import { type LeadListRow, listLeadSegments } from "@/db/queries";
import { requireUser } from "@/lib/auth";
import { getEnv } from "@/lib/env";
import { listLeads } from "@/lib/leads/read";
import { type LeadFilters as Filters, leadFiltersSchema } from "@/lib/leads/schemas";
import { formatPhone } from "@/lib/phone";
import { hasRole } from "@/lib/roles";
import { LeadFilters } from "../filters";
import { CallStatusBadge, CampaignBadge, QueueSummary, TargetBadge } from "../lead-badges";
import { LEAD_FILTER_KEYS, listHref } from "../list-href";
import { WebsiteFormSnippet } from "../website-form-snippet";
import { loadFilteredPage, readUrlFilters, urlCursor } from "@/lib/url-filters";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Leads" };

const readFilters = (raw: Record<string, string | string[] | undefined>) => readUrlFilters(raw, LEAD_FILTER_KEYS, leadFiltersSchema, {} as Filters);

function NoLeads({ appUrl, canManage, isAdmin }: { appUrl: string; canManage: boolean; isAdmin: boolean }) {
  return (
    <EmptyState
      icon={ListChecks}
      title="No leads yet"
      data-testid="leads-empty"
      className="[&>div]:max-w-2xl"
      description={
        <>
          A lead is a request someone left on your website. Your form posts it to <code>POST /api/v1/leads</code> with an API key; a manager calls, and
          answering &ldquo;Target and interested?&rdquo; with Yes starts the WhatsApp drip from your templates.
        </>
      }
      action={
        <div className="grid justify-items-center gap-4">
          <WebsiteFormSnippet appUrl={appUrl} />
          <div className="flex flex-wrap justify-center gap-2">
            {canManage ? (
              <Button asChild>
                <Link href="/leads/new">
                  <Plus aria-hidden />
                  New lead
                </Link>
              </Button>
            ) : null}
            {isAdmin ? (
              <Button asChild variant="outline">
                <Link href="/settings">
                  <KeyRound aria-hidden />
                  Create an API key
                </Link>
              </Button>
            ) : null}
            <Button asChild variant="outline">
              <Link href="/api-docs">
                <BookOpen aria-hidden />
                API reference
              </Link>
            </Button>
          </div>
        </div>
      }
    />
  );
}

function LeadTable({ rows }: { rows: LeadListRow[] }) {
  return (
    <Card className="py-0">
      <Table>
        <TableHeader>
          <TableRow>
            <TableHead>Lead</TableHead>
            <TableHead>Segment</TableHead>
            <TableHead>Call</TableHead>
            <TableHead>Target and interested?</TableHead>
            <TableHead>Campaign</TableHead>
            <TableHead>Messages</TableHead>
            <TableHead>Received</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((r) => (
            <TableRow key={r.id} data-testid="lead-row">
              <TableCell className="max-w-56">
                <Link href={`/leads/${r.id}`} className="block truncate font-medium hover:underline" title={r.name}>
                  {r.name}
                </Link>
                <span className="text-xs text-muted-foreground tabular-nums">{formatPhone(r.phone)}</span>
              </TableCell>
              <TableCell>{r.segment ?? <span className="text-muted-foreground">—</span>}</TableCell>
              <TableCell>
                <CallStatusBadge status={r.callStatus} />
              </TableCell>
              <TableCell>
                <TargetBadge isTarget={r.isTarget} />
              </TableCell>
              <TableCell>
                <CampaignBadge active={r.campaignActive} enrolledAt={r.enrolledAt} />
              </TableCell>
              <TableCell>
                <QueueSummary queue={r.queue} />
              </TableCell>
              <TableCell>
                <RelativeTime value={r.createdAt} />
                {r.source ? <span className="block text-xs text-muted-foreground">{r.source}</span> : null}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Card>
  );
}

export default async function LeadsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser({ role: "marketer" });
  const raw = await searchParams;
  const read = readFilters(raw);
  const { values, errors } = read;
  const db = await getDb();
  const canManage = hasRole(user.role, "manager");
  const { page, cursor } = await loadFilteredPage(read, urlCursor(raw), (filters, c) =>
    listLeads(db, { tenantId: user.tenantId, filters, cursor: c, limit: 50 }),
  );
  const segments = await listLeadSegments(db, { tenantId: user.tenantId });
  const filtered = Object.values(values).some(Boolean);

  return (
    <div className="grid gap-6">
      <PageHeader
        className="pb-0"
        title="Leads"
        description="Requests from your website and the console: call them, and those who are target and interested get the WhatsApp drip."
        actions={
          canManage ? (
            <Button asChild>
              <Link href="/leads/new">
                <Plus aria-hidden />
                New lead
              </Link>
            </Button>
          ) : null
        }
      />
      <LeadFilters values={values} errors={errors} segments={segments} />
      <ListNotice text={errors.cursor} />
      {page.rows.length === 0 ? (
        cursor ? (
          <EmptyState
            icon={SearchX}
            title="No more leads"
            description="There are no older leads in this view."
            action={
              <Button asChild variant="outline">
                <Link href={listHref(values)}>First page</Link>
              </Button>
            }
          />
        ) : filtered ? (
          <EmptyState
            icon={SearchX}
            title="No leads match these filters"
            description="Try another search or fewer filters."
            action={
              <Button asChild variant="outline">
                <Link href="/leads">Clear filters</Link>
              </Button>
            }
          />
        ) : (
          <NoLeads appUrl={getEnv().APP_URL} canManage={canManage} isAdmin={hasRole(user.role, "admin")} />
        )
      ) : (
        <LeadTable rows={page.rows} />
      )}
      {page.rows.length > 0 ? (
        <KeysetPager firstHref={cursor ? listHref(values) : null} nextHref={page.nextCursor && listHref({ ...values, cursor: page.nextCursor })} />
      ) : null}
    </div>
  );
}
