// The queue's rows in each view: pending (next due first), recent sends (with delivery and the provider's
// message id), failures (what to do, then the provider's code, message and raw answer) and cancelled (why, as a
// note). Server-rendered; times show in the reader's time zone (components/console/formatted.tsx).
import { ListFilter } from "lucide-react";
import Link from "next/link";
import { ErrorHint } from "@/components/console/error-hint";
import { RelativeTime } from "@/components/console/formatted";
import { ErrorText } from "@/components/console/list-parts";
import { Card } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { MANAGER_CANCEL_CODES } from "@/lib/drip/error-hints";
import type { QueueListRow } from "@/lib/drip/queue";
import { formatPhone } from "@/lib/phone";
import { type QueueFilterValues, type QueueView, queueHref } from "./list-href";
import { RowAction } from "./queue-actions";
import { QueueStatusBadge } from "./queue-status";

type Props = { view: QueueView; rows: QueueListRow[]; now: number; canManage: boolean; values: QueueFilterValues };

const muted = <span className="text-muted-foreground">—</span>;

function When({ at, prefix }: { at: Date | null; prefix?: string }) {
  if (!at) return muted;
  return (
    <span className="whitespace-nowrap">
      {prefix}
      <RelativeTime value={at} />
    </span>
  );
}

function LeadCell({ r, values }: { r: QueueListRow; values: QueueFilterValues }) {
  const name = r.leadName ?? formatPhone(r.row.phone);
  return (
    <div className="flex items-start gap-1">
      <div className="grid min-w-0 gap-0.5">
        {r.row.leadId ? (
          <Link href={`/leads/${r.row.leadId}`} className="max-w-44 truncate font-medium hover:underline" title={`Open the lead ${name}`}>
            {name}
          </Link>
        ) : (
          <span className="max-w-44 truncate font-medium">{name}</span>
        )}
        {r.leadName ? <span className="text-xs text-muted-foreground tabular-nums">{formatPhone(r.row.phone)}</span> : null}
      </div>
      {r.row.leadId && values.leadId !== r.row.leadId ? (
        <Link
          href={queueHref({ ...values, leadId: r.row.leadId })}
          className="rounded-sm p-1 text-muted-foreground hover:bg-accent hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none"
          aria-label={`Only ${name}'s messages`}
          title={`Only ${name}'s messages`}
        >
          <ListFilter className="size-3.5" aria-hidden />
        </Link>
      ) : null}
    </div>
  );
}

function NumberCell({ label }: { label: string | null }) {
  return (
    <span className="block max-w-36 truncate" title={label ?? undefined}>
      {label ?? <span className="text-muted-foreground">none</span>}
    </span>
  );
}

function ProviderResponse({ value }: { value: Record<string, unknown> | null }) {
  if (!value) return null;
  return (
    <details className="group text-xs">
      <summary className="w-fit cursor-pointer rounded-sm text-muted-foreground hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none">
        Provider response
      </summary>
      <pre
        tabIndex={0}
        aria-label="Provider response"
        data-testid="provider-response"
        className="mt-1 max-h-64 max-w-sm overflow-auto rounded-md border bg-muted/50 p-2 font-mono text-xs leading-relaxed break-words whitespace-pre-wrap focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none"
      >
        {JSON.stringify(value, null, 2)}
      </pre>
    </details>
  );
}

const HEADS: Record<QueueView, string[]> = {
  pending: ["Scheduled", "Lead", "Template", "Number", "Status"],
  sent: ["Sent", "Lead", "Message", "Number", "Delivered", "Read", "Provider message id"],
  failures: ["Scheduled", "Lead", "Template", "Number", "Status", "Error and what to do"],
  cancelled: ["Scheduled", "Lead", "Template", "Number", "Status", "Reason"],
};

function Cells({ view, r, now, values }: { view: QueueView; r: QueueListRow; now: number; values: QueueFilterValues }) {
  const o = r.row;
  const lead = <LeadCell r={r} values={values} />;
  const template = (
    <span className="block max-w-40 truncate font-mono text-xs" title={o.templateName}>
      {o.templateName}
    </span>
  );
  if (view === "sent") {
    return (
      <>
        <TableCell>
          <When at={o.sentAt ?? o.scheduledAt} />
        </TableCell>
        <TableCell>{lead}</TableCell>
        <TableCell className="min-w-48 whitespace-normal">
          <div className="grid gap-0.5">
            {template}
            {o.renderedText ? (
              <span className="line-clamp-2 max-w-72 text-xs text-muted-foreground" title={o.renderedText}>
                {o.renderedText}
              </span>
            ) : null}
          </div>
        </TableCell>
        <TableCell>
          <NumberCell label={r.numberLabel} />
        </TableCell>
        <TableCell data-testid="delivered-at">
          <When at={o.deliveredAt} />
        </TableCell>
        <TableCell data-testid="read-at">
          <When at={o.readAt} />
        </TableCell>
        <TableCell>
          {o.providerMessageId ? (
            <code className="text-xs break-all" data-testid="provider-message-id">
              {o.providerMessageId}
            </code>
          ) : (
            muted
          )}
        </TableCell>
      </>
    );
  }
  const retrying = o.status === "pending" && o.nextAttemptAt !== null;
  const status = (
    <div className="grid justify-items-start gap-1">
      <QueueStatusBadge status={o.status} retrying={retrying} />
      {o.attempts > 0 ? <span className="text-xs text-muted-foreground tabular-nums">{o.attempts === 1 ? "1 attempt" : `${o.attempts} attempts`}</span> : null}
    </div>
  );
  if (view === "pending") {
    const at = o.nextAttemptAt ?? o.scheduledAt;
    return (
      <>
        <TableCell>
          <When at={at} prefix={at.getTime() <= now ? "due " : ""} />
        </TableCell>
        <TableCell>{lead}</TableCell>
        <TableCell>{template}</TableCell>
        <TableCell>
          <NumberCell label={r.numberLabel} />
        </TableCell>
        <TableCell className="whitespace-normal">
          {status}
          {retrying && o.errorMessage ? (
            <span className="mt-1 block max-w-64 text-xs">
              <ErrorText text={o.errorMessage} />
            </span>
          ) : null}
        </TableCell>
      </>
    );
  }
  return (
    <>
      <TableCell>
        <When at={o.scheduledAt} />
      </TableCell>
      <TableCell>{lead}</TableCell>
      <TableCell>{template}</TableCell>
      <TableCell>
        <NumberCell label={r.numberLabel} />
      </TableCell>
      <TableCell>{status}</TableCell>
      <TableCell className="max-w-96 min-w-56 whitespace-normal" data-testid={view === "cancelled" ? "queue-reason" : "queue-error"}>
        <div className="grid gap-1">
          {o.errorCode || o.errorMessage ? <ErrorHint code={o.errorCode} message={o.errorMessage} neutral={o.status === "cancelled"} /> : muted}
          <ProviderResponse value={o.providerResponse ?? null} />
        </div>
      </TableCell>
    </>
  );
}

export function QueueTable({ view, rows, now, canManage, values }: Props) {
  const actions = canManage && view !== "sent";
  return (
    <Card className="min-w-0 py-0">
      <Table>
        <TableHeader>
          <TableRow>
            {HEADS[view].map((h) => (
              <TableHead key={h}>{h}</TableHead>
            ))}
            {actions ? (
              <TableHead className="text-right">
                <span className="sr-only">Actions</span>
              </TableHead>
            ) : null}
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((r) => {
            const o = r.row;
            const what = `${o.templateName} to ${r.leadName ?? formatPhone(o.phone)}`;
            return (
              <TableRow key={o.id} data-testid="queue-row" data-status={o.status} data-id={o.id}>
                <Cells view={view} r={r} now={now} values={values} />
                {actions ? (
                  <TableCell className="text-right">
                    {o.status === "pending" ? <RowAction id={o.id} kind="cancel" what={what} /> : null}
                    {o.status === "failed" || o.status === "skipped" ? <RowAction id={o.id} kind="retry" what={what} /> : null}
                    {o.status === "cancelled" && o.errorCode && MANAGER_CANCEL_CODES.includes(o.errorCode) ? (
                      <RowAction id={o.id} kind="requeue" what={what} />
                    ) : null}
                  </TableCell>
                ) : null}
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </Card>
  );
}
