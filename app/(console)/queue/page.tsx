import { FileText, Inbox, ListChecks, SearchX } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { KeysetPager } from "@/components/console/list-parts";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { getDb } from "@/db/client";
import { listTemplateOptions } from "@/db/queries";
import { requireUser } from "@/lib/auth";
import { getQueueLead, getQueueStats, listQueueView } from "@/lib/drip/queue";
import { listNumbersPage } from "@/lib/numbers/numbers";
import { loadPageOrFirst } from "@/lib/pagination";
import { hasRole } from "@/lib/roles";
import { QueueFilters } from "./filters";
import { type QueueFilterValues, type QueueView, queueHref, VIEWS } from "./list-href";
import { CancelLeadButton, RunNowButton } from "./queue-actions";
import { type QueueCard, QueueMonitor } from "./queue-monitor";
import { STATUS_ORDER } from "./queue-status";
import { QueueTable } from "./queue-table";
import { readQueueParams } from "./search-params";
import { ViewTabs } from "./view-tabs";
import { numberLabel } from "@/components/console/names";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Queue" };

const DRAIN_NOTE = (
  <>
    Due messages are sent every minute by the scheduled run: the server&apos;s own ticker, or <code>GET /api/cron/drip</code> when an external scheduler such as
    Vercel Cron calls it.
  </>
);

const FILL_NOTE = (
  <>
    A lead&apos;s messages are queued when a manager marks it <em>target and interested</em> in Leads: one message per active template of its segment, scheduled
    by the template&apos;s delay.
  </>
);

function EmptyView({
  view,
  cursor,
  filtered,
  values,
  total,
  canRun,
}: {
  view: QueueView;
  cursor?: string;
  filtered: boolean;
  values: QueueFilterValues;
  total: number;
  canRun: boolean;
}) {
  if (cursor) {
    return (
      <EmptyState
        icon={SearchX}
        title="No more messages"
        description="There is nothing further in this view."
        action={
          <Button asChild variant="outline">
            <Link href={queueHref(values)}>First page</Link>
          </Button>
        }
      />
    );
  }
  if (total === 0 && !filtered) {
    return (
      <EmptyState
        icon={Inbox}
        title="The queue is empty"
        data-testid="queue-empty"
        className="[&>div]:max-w-xl"
        description={
          <>
            {FILL_NOTE} Write the templates first (Day 0, Day 1, Day 3 …), then mark leads after the call. {DRAIN_NOTE}
          </>
        }
        action={
          <>
            <Button asChild>
              <Link href="/leads">
                <ListChecks aria-hidden />
                Go to leads
              </Link>
            </Button>
            <Button asChild variant="outline">
              <Link href="/templates">
                <FileText aria-hidden />
                Templates
              </Link>
            </Button>
          </>
        }
      />
    );
  }
  const text: Record<QueueView, { title: string; description: React.ReactNode }> = {
    pending: { title: "Nothing pending", description: <>Every queued message was sent or stopped. {FILL_NOTE}</> },
    sent: {
      title: "Nothing sent yet",
      description: (
        <>
          {DRAIN_NOTE}
          {canRun ? " An admin can also send what is due now with Run now." : ""}
        </>
      ),
    },
    failures: {
      title: "No failures",
      description:
        "Messages the provider refused, or a rule skipped (outside the 24 h window without an approved template, no number), appear here with the reason and what to do about it.",
    },
    cancelled: {
      title: "Nothing cancelled",
      description:
        "Messages stopped on purpose appear here: cancelled by a manager, a stopped campaign, an opt-out, a reply or a conversion. They are not failures.",
    },
  };
  const action = filtered ? (
    <Button asChild variant="outline">
      <Link href={queueHref({ status: values.status })}>Clear filters</Link>
    </Button>
  ) : undefined;
  return (
    <EmptyState
      icon={filtered ? SearchX : Inbox}
      title={filtered ? `${text[view].title} for these filters` : text[view].title}
      description={text[view].description}
      action={action}
      className="[&>div]:max-w-xl"
      data-testid="queue-view-empty"
    />
  );
}

export default async function QueuePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser({ role: "marketer" });
  const tenantId = user.tenantId;
  const canManage = hasRole(user.role, "manager");
  const canRun = hasRole(user.role, "admin");
  const { view, statuses, values, errors, cursor: urlCursor } = readQueueParams(await searchParams);
  const db = await getDb();
  const [numbers, templates, lead] = await Promise.all([
    listNumbersPage(db, { tenantId, limit: 200 }),
    listTemplateOptions(db, { tenantId }),
    values.leadId ? getQueueLead(db, { tenantId, leadId: values.leadId }) : null,
  ]);
  // an id that is not (or no longer) this workspace's is ignored, and said so
  const drop = (key: "numberId" | "templateId" | "leadId", known: boolean, message: string) => {
    if (values[key] && !known) {
      errors[key] = message;
      delete values[key];
    }
  };
  drop(
    "numberId",
    numbers.rows.some((n) => n.id === values.numberId),
    "that number is not connected here",
  );
  drop(
    "templateId",
    templates.some((t) => t.id === values.templateId),
    "that template does not exist here",
  );
  drop("leadId", lead !== null, "that lead does not exist here");
  const filters = { numberId: values.numberId, templateId: values.templateId, leadId: values.leadId };
  const now = new Date();
  const [stats, loaded] = await Promise.all([
    getQueueStats(db, { tenantId, filters, now }),
    loadPageOrFirst(urlCursor, (c) => listQueueView(db, { tenantId, filters, statuses, order: VIEWS[view].order, cursor: c, limit: 50 })),
  ]);
  const { page, cursor } = loaded;
  if (loaded.cursorError) errors.cursor = loaded.cursorError;
  const filtered = Boolean(filters.numberId || filters.templateId || filters.leadId);
  const total = STATUS_ORDER.reduce((n, s) => n + stats.counts[s], 0);
  const statsQuery = new URLSearchParams(Object.entries(filters).filter((e): e is [string, string] => Boolean(e[1]))).toString();
  const hrefs: Record<QueueCard, string> = {
    pending: queueHref({ ...values, status: "pending" }),
    sending: queueHref({ ...values, status: "sending" }),
    sent: queueHref({ ...values, status: "sent" }),
    failed: queueHref({ ...values, status: "failures" }),
    cancelled: queueHref({ ...values, status: "cancelled" }),
  };

  return (
    <div className="grid min-w-0 grid-cols-[minmax(0,1fr)] gap-6">
      <PageHeader
        className="pb-0"
        title="Queue"
        description={<>The drip messages scheduled for leads, what was sent and what failed, live. {DRAIN_NOTE}</>}
        actions={
          <>
            {lead && canManage ? <CancelLeadButton leadId={lead.id} leadName={lead.name} pending={stats.counts.pending} /> : null}
            {canRun ? <RunNowButton /> : null}
          </>
        }
      />
      <QueueMonitor initial={stats} query={statsQuery} hrefs={hrefs} />
      <QueueFilters
        values={values}
        errors={errors}
        lead={lead}
        numbers={numbers.rows.map((n) => ({ value: n.id, label: numberLabel(n) }))}
        templates={templates.map((t) => ({ value: t.id, label: t.active ? t.name : `${t.name} (inactive)` }))}
      />
      <ViewTabs view={view} statuses={statuses} values={values} stats={stats} />
      {page.rows.length === 0 ? (
        <EmptyView view={view} cursor={cursor} filtered={filtered} values={values} total={total} canRun={canRun} />
      ) : (
        <QueueTable view={view} rows={page.rows} now={now.getTime()} canManage={canManage} values={values} />
      )}
      {page.rows.length > 0 ? (
        <KeysetPager firstHref={cursor ? queueHref(values) : null} nextHref={page.nextCursor && queueHref({ ...values, cursor: page.nextCursor })} />
      ) : null}
    </div>
  );
}
