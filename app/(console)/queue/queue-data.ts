// What the queue page reads besides the figures: one page of a view (a view may span several statuses),
// the tenant's templates for the filter, and the lead a `leadId` filter names.
import { asc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { getLeadRow } from "@/db/queries";
import { templates } from "@/db/schema";
import { listQueue, type QueueFilterValues as Filters, type QueueListRow } from "@/lib/drip/queue";
import { encodeCursor, type Page } from "@/lib/pagination";
import type { OutboundStatus } from "./list-href";

type ViewInput = { tenantId: string; filters: Omit<Filters, "status" | "order">; statuses: OutboundStatus[]; order: "asc" | "desc"; cursor?: string; limit: number };

const compare = (order: "asc" | "desc") => (a: QueueListRow, b: QueueListRow) => {
  const byTime = a.row.scheduledAt.getTime() - b.row.scheduledAt.getTime() || (a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0);
  return order === "asc" ? byTime : -byTime;
};

/**
 * One keyset page over several statuses: each status is read from the same cursor in the same order, and
 * the first `limit` rows of their union are the union's page (so the pager works as for one status).
 */
export async function listQueueView(db: Db, { tenantId, filters, statuses, order, cursor, limit }: ViewInput): Promise<Page<QueueListRow>> {
  if (statuses.length === 1) return listQueue(db, { tenantId, filters: { ...filters, status: statuses[0], order }, cursor, limit });
  const pages = await Promise.all(statuses.map((status) => listQueue(db, { tenantId, filters: { ...filters, status, order }, cursor, limit })));
  const merged = pages.flatMap((p) => p.rows).sort(compare(order));
  const rows = merged.slice(0, limit);
  const more = merged.length > limit || pages.some((p) => p.nextCursor !== null);
  const last = rows.at(-1);
  return { rows, nextCursor: more && last ? encodeCursor({ at: last.row.scheduledAt, id: last.row.id }) : null };
}

/** The tenant's templates for the filter, by name. */
export async function listTemplateOptions(db: Db, { tenantId }: { tenantId: string }) {
  return db
    .select({ id: templates.id, name: templates.name, title: templates.title, active: templates.active })
    .from(templates)
    .where(eq(templates.tenantId, tenantId))
    .orderBy(asc(templates.name))
    .limit(500);
}

/** The lead a `leadId` filter names, or null when it is not one of the tenant's. */
export async function getLeadName(db: Db, { tenantId, leadId }: { tenantId: string; leadId: string }): Promise<{ id: string; name: string } | null> {
  const lead = await getLeadRow(db, { tenantId, id: leadId });
  return lead ? { id: lead.id, name: lead.name } : null;
}
