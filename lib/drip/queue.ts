// The queue monitor: live figures, the filtered list, and the hands-on actions (retry, cancel, cancel a
// lead's pending rows, run now).
import { z } from "zod";
import type { Db } from "@/db/client";
import { cancelOutbound, cancelPendingForLead, getLeadRow, getOutboundRow, listQueueRows, type OutboundRow, queueStats, requeueOutbound } from "@/db/queries";
import { OUTBOUND_STATUSES } from "@/db/schema";
import { AppError, notFound } from "@/lib/errors";
import { type Page, decodeCursor, encodeCursor, toPage } from "@/lib/pagination";
import { optionalParam } from "@/lib/subscribers/list-filters";
import { clip } from "@/lib/whatsapp/green-client";
import { shownProviderResponse } from "./providers";

export const queueFiltersSchema = z.object({
  status: optionalParam(z.enum(OUTBOUND_STATUSES, { error: `status must be one of ${OUTBOUND_STATUSES.join(", ")}` })),
  numberId: optionalParam(z.uuid("numberId must be a number id")),
  templateId: optionalParam(z.uuid("templateId must be a template id")),
  leadId: optionalParam(z.uuid("leadId must be a lead id")),
  order: optionalParam(z.enum(["desc", "asc"], { error: "order must be asc or desc" })),
});
export type QueueFilterValues = z.output<typeof queueFiltersSchema>;

export async function getQueueStats(db: Db, { tenantId, filters, now }: { tenantId: string; filters: QueueFilterValues; now: Date }) {
  const s = await queueStats(db, { tenantId, ...filters, now });
  const counts = Object.fromEntries(OUTBOUND_STATUSES.map((st) => [st, 0])) as Record<OutboundRow["status"], number>;
  for (const r of s.byStatus) counts[r.status] = Number(r.n);
  return {
    counts,
    failures: s.failures,
    dueNow: s.due,
    oldestDueAt: s.oldestDue?.toISOString() ?? null,
    oldestDueAgeSeconds: s.oldestDue ? Math.max(0, Math.round((now.getTime() - s.oldestDue.getTime()) / 1000)) : null,
    sentPerHour: s.perHour,
    at: now.toISOString(),
  };
}
export type QueueStats = Awaited<ReturnType<typeof getQueueStats>>;

export type QueueListRow = Awaited<ReturnType<typeof listQueueRows>>[number];

/** What the page and the API may show of a row: the provider's answer reduced to its shown fields, the error clipped. */
function shownRow<T extends { row: OutboundRow }>(r: T): T {
  return {
    ...r,
    row: {
      ...r.row,
      providerResponse: shownProviderResponse(r.row.providerResponse),
      errorMessage: r.row.errorMessage === null ? null : clip(r.row.errorMessage, 1000),
    },
  };
}

export async function listQueue(
  db: Db,
  { tenantId, filters, cursor, limit }: { tenantId: string; filters: QueueFilterValues; cursor?: string; limit: number },
): Promise<Page<QueueListRow>> {
  const rows = await listQueueRows(db, { tenantId, ...filters, cursor: cursor ? decodeCursor(cursor) : undefined, limit });
  return toPage(rows.map(shownRow), limit, (r) => ({ at: r.row.scheduledAt, id: r.row.id }));
}

const bySchedule = (order: "asc" | "desc") => (a: QueueListRow, b: QueueListRow) => {
  const byTime = a.row.scheduledAt.getTime() - b.row.scheduledAt.getTime() || (a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0);
  return order === "asc" ? byTime : -byTime;
};

/**
 * One keyset page over several statuses (the monitor's "failures" view): each status is read from the same
 * cursor in the same order, and the first `limit` rows of their union are the union's page.
 */
export async function listQueueView(
  db: Db,
  {
    tenantId,
    filters,
    statuses,
    order,
    cursor,
    limit,
  }: {
    tenantId: string;
    filters: Omit<QueueFilterValues, "status" | "order">;
    statuses: OutboundRow["status"][];
    order: "asc" | "desc";
    cursor?: string;
    limit: number;
  },
): Promise<Page<QueueListRow>> {
  if (statuses.length === 1) return listQueue(db, { tenantId, filters: { ...filters, status: statuses[0], order }, cursor, limit });
  const pages = await Promise.all(statuses.map((status) => listQueue(db, { tenantId, filters: { ...filters, status, order }, cursor, limit })));
  const rows = pages.flatMap((p) => p.rows).sort(bySchedule(order));
  const page = rows.slice(0, limit);
  const more = rows.length > limit || pages.some((p) => p.nextCursor !== null);
  const last = page.at(-1);
  return { rows: page, nextCursor: more && last ? encodeCursor({ at: last.row.scheduledAt, id: last.row.id }) : null };
}

/** The lead a `leadId` filter names, or null when it is not one of the tenant's. */
export async function getQueueLead(db: Db, { tenantId, leadId }: { tenantId: string; leadId: string }): Promise<{ id: string; name: string } | null> {
  const lead = await getLeadRow(db, { tenantId, id: leadId });
  return lead ? { id: lead.id, name: lead.name } : null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A queue row as the API returns it (times ISO 8601). */
export function queueRowJson({ row, leadName, numberLabel }: { row: OutboundRow; leadName?: string | null; numberLabel?: string | null }) {
  return {
    id: row.id,
    status: row.status,
    leadId: row.leadId,
    leadName: leadName ?? null,
    subscriberId: row.subscriberId,
    numberId: row.numberId,
    numberLabel: numberLabel ?? null,
    phone: row.phone,
    templateId: row.templateId,
    templateName: row.templateName,
    renderedText: row.renderedText,
    scheduledAt: row.scheduledAt.toISOString(),
    attempts: row.attempts,
    nextAttemptAt: iso(row.nextAttemptAt),
    providerMessageId: row.providerMessageId,
    sentAt: iso(row.sentAt),
    deliveredAt: iso(row.deliveredAt),
    readAt: iso(row.readAt),
    errorCode: row.errorCode,
    errorMessage: row.errorMessage === null ? null : clip(row.errorMessage, 1000),
    providerResponse: shownProviderResponse(row.providerResponse),
  };
}

/** A failed, skipped or cancelled row back in the queue, due now. */
export async function retryQueueRow(db: Db, { tenantId, id, now }: { tenantId: string; id: string; now: Date }): Promise<OutboundRow> {
  const row = await requeueOutbound(db, { tenantId, id, now });
  if (row) return row;
  const current = await getOutboundRow(db, { tenantId, id });
  if (!current) throw notFound("Queue row");
  throw new AppError(
    "conflict",
    `Only failed, skipped or cancelled messages can be retried; this one is ${current.status}`,
    { status: current.status },
    "not_retryable",
  );
}

/** Cancels one pending row. */
export async function cancelQueueRow(db: Db, { tenantId, id, now }: { tenantId: string; id: string; now: Date }): Promise<OutboundRow> {
  const row = await cancelOutbound(db, { tenantId, id, now });
  if (row) return row;
  const current = await getOutboundRow(db, { tenantId, id });
  if (!current) throw notFound("Queue row");
  throw new AppError("conflict", `Only pending messages can be cancelled; this one is ${current.status}`, { status: current.status }, "not_cancellable");
}

/** Cancels every pending row of one lead (its campaign stays as it is). */
export async function cancelLeadQueue(db: Db, { tenantId, leadId, now }: { tenantId: string; leadId: string; now: Date }): Promise<number> {
  return cancelPendingForLead(db, { tenantId, leadId, now, code: "cancelled_by_user", message: "Cancelled from the queue monitor" });
}
