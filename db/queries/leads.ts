// leads: the website form's and the console's leads, their keyset list with per-lead queue counts (one
// query, a lateral aggregate over outbound_messages), and one lead with its drip messages.
import { and, asc, eq, getTableColumns, inArray, isNotNull, isNull, sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { type CALL_STATUSES, leads, type NewLead, outboundMessages, subscribers, templates, users, whatsappNumbers } from "../schema";
import type { LeadRow } from "./drip";
import { type Cursor, beforeCursor, takeFirstOrNull, newestFirst } from "./keyset";

/** Providers the drip sends through (Gupshup numbers only receive). */
export const DRIP_PROVIDERS = ["cloud", "green"] as const;

export type LeadNumber = { id: string; label: string; phoneE164: string; provider: "cloud" | "gupshup" | "green"; active: boolean };

const numberColumns = {
  id: whatsappNumbers.id,
  label: whatsappNumbers.label,
  phoneE164: whatsappNumbers.phoneE164,
  provider: whatsappNumbers.provider,
  active: whatsappNumbers.active,
  demo: whatsappNumbers.demo,
};

/** The tenant's default sending number: the oldest active Cloud API or Green API number, a real one before a demo one. */
export async function getDefaultLeadNumber(db: Db, { tenantId }: { tenantId: string }): Promise<LeadNumber | null> {
  const rows = await db
    .select(numberColumns)
    .from(whatsappNumbers)
    .where(and(eq(whatsappNumbers.tenantId, tenantId), eq(whatsappNumbers.active, true), inArray(whatsappNumbers.provider, [...DRIP_PROVIDERS])))
    .orderBy(asc(whatsappNumbers.demo), asc(whatsappNumbers.createdAt), asc(whatsappNumbers.id))
    .limit(1);
  return takeFirstOrNull(rows);
}

export async function getLeadNumber(db: Db, { tenantId, id }: { tenantId: string; id: string }): Promise<LeadNumber | null> {
  return takeFirstOrNull(
    await db
      .select(numberColumns)
      .from(whatsappNumbers)
      .where(and(eq(whatsappNumbers.tenantId, tenantId), eq(whatsappNumbers.id, id)))
      .limit(1),
  );
}

/** The subscriber with this WhatsApp phone (E.164), if they ever wrote to the tenant. */
export async function findSubscriberIdByPhone(db: Db, { tenantId, phone }: { tenantId: string; phone: string }): Promise<string | null> {
  const rows = await db
    .select({ id: subscribers.id })
    .from(subscribers)
    .where(and(eq(subscribers.tenantId, tenantId), eq(subscribers.waPhone, phone)))
    .limit(1);
  return rows[0]?.id ?? null;
}

/** Inserts a lead; with an externalRef already used by the tenant nothing is written and null is returned. */
export async function insertLeadIfAbsent(db: Db, values: NewLead): Promise<LeadRow | null> {
  const [row] = await db
    .insert(leads)
    .values(values)
    .onConflictDoNothing({ target: [leads.tenantId, leads.externalRef] })
    .returning();
  return row ?? null;
}

export async function getLeadByExternalRef(db: Db, { tenantId, externalRef }: { tenantId: string; externalRef: string }): Promise<LeadRow | null> {
  return takeFirstOrNull(
    await db
      .select()
      .from(leads)
      .where(and(eq(leads.tenantId, tenantId), eq(leads.externalRef, externalRef)))
      .limit(1),
  );
}

export type LeadQueueCounts = { pending: number; sent: number; failed: number; cancelled: number; skipped: number };
export type LeadListRow = LeadRow & { numberLabel: string | null; queue: LeadQueueCounts };

export type LeadListQuery = {
  tenantId: string;
  callStatus?: (typeof CALL_STATUSES)[number];
  isTarget?: "yes" | "no" | "unanswered";
  campaignActive?: boolean;
  segment?: string;
  search?: { kind: "phone"; digits: string } | { kind: "name"; text: string } | null;
  cursor?: Cursor;
  limit: number;
};

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function leadListWhere(q: LeadListQuery): SQL {
  const conds: (SQL | undefined)[] = [eq(leads.tenantId, q.tenantId)];
  if (q.callStatus) conds.push(eq(leads.callStatus, q.callStatus));
  if (q.isTarget === "yes") conds.push(eq(leads.isTarget, true));
  if (q.isTarget === "no") conds.push(eq(leads.isTarget, false));
  if (q.isTarget === "unanswered") conds.push(isNull(leads.isTarget));
  if (q.campaignActive !== undefined) conds.push(eq(leads.campaignActive, q.campaignActive));
  if (q.segment) conds.push(eq(leads.segment, q.segment));
  if (q.search?.kind === "phone") conds.push(sql`${leads.phone} like ${`%${q.search.digits}%`}`);
  if (q.search?.kind === "name") conds.push(sql`${leads.name} ilike ${`%${likeEscape(q.search.text)}%`}`);
  conds.push(beforeCursor(leads.createdAt, leads.id, q.cursor));
  return and(...conds)!;
}

const count = (filter: SQL) => sql<number>`count(*) filter (where ${filter})`.mapWith(Number);

/** A page of leads, newest first (limit + 1 rows), each with its number's label and its queue rows counted by status. */
export async function listLeadRows(db: Db, q: LeadListQuery): Promise<LeadListRow[]> {
  const o = outboundMessages;
  const queue = db
    .select({
      pending: count(sql`${o.status} in ('pending', 'sending')`).as("pending"),
      sent: count(sql`${o.status} = 'sent'`).as("sent"),
      failed: count(sql`${o.status} = 'failed'`).as("failed"),
      cancelled: count(sql`${o.status} = 'cancelled'`).as("cancelled"),
      skipped: count(sql`${o.status} = 'skipped'`).as("skipped"),
    })
    .from(o)
    .where(and(eq(o.leadId, leads.id), eq(o.tenantId, q.tenantId))) // (lead_id, template_id) index
    .as("queue");
  const rows = await db
    .select({
      ...getTableColumns(leads),
      numberLabel: whatsappNumbers.label,
      pending: queue.pending,
      sent: queue.sent,
      failed: queue.failed,
      cancelled: queue.cancelled,
      skipped: queue.skipped,
    })
    .from(leads)
    .leftJoin(whatsappNumbers, eq(whatsappNumbers.id, leads.numberId))
    .leftJoinLateral(queue, sql`true`)
    .where(leadListWhere(q))
    .orderBy(...newestFirst(leads.createdAt, leads.id))
    .limit(q.limit + 1);
  return rows.map(({ pending, sent, failed, cancelled, skipped, ...lead }) => ({
    ...lead,
    queue: {
      pending: Number(pending ?? 0),
      sent: Number(sent ?? 0),
      failed: Number(failed ?? 0),
      cancelled: Number(cancelled ?? 0),
      skipped: Number(skipped ?? 0),
    },
  }));
}

/** Segments in use (leads and templates), for the list's filter; at most 50. */
export async function listLeadSegments(db: Db, { tenantId }: { tenantId: string }): Promise<string[]> {
  const fromLeads = db
    .selectDistinct({ segment: leads.segment })
    .from(leads)
    .where(and(eq(leads.tenantId, tenantId), isNotNull(leads.segment)));
  const fromTemplates = db
    .selectDistinct({ segment: templates.segment })
    .from(templates)
    .where(and(eq(templates.tenantId, tenantId), isNotNull(templates.segment)));
  const rows = await fromLeads
    .union(fromTemplates)
    .orderBy(asc(sql`segment`))
    .limit(50);
  return rows.map((r) => r.segment).filter((s): s is string => s !== null);
}

export type LeadDetailRow = LeadRow & {
  number: LeadNumber | null;
  subscriber: { id: string; profileName: string | null; waPhone: string | null; status: string } | null;
  assignedUser: { id: string; name: string } | null;
};

/** One lead with its sending number, its subscriber and the manager who took it. */
export async function getLeadDetailRow(db: Db, { tenantId, id }: { tenantId: string; id: string }): Promise<LeadDetailRow | null> {
  const [row] = await db
    .select({
      lead: leads,
      // the id first: drizzle decides a left-joined object is null by its first column
      number: numberColumns,
      subscriber: { id: subscribers.id, profileName: subscribers.profileName, waPhone: subscribers.waPhone, status: subscribers.status },
      assignedUser: { id: users.id, name: users.name },
    })
    .from(leads)
    .leftJoin(whatsappNumbers, eq(whatsappNumbers.id, leads.numberId))
    .leftJoin(subscribers, eq(subscribers.id, leads.subscriberId))
    .leftJoin(users, eq(users.id, leads.assignedUserId))
    .where(and(eq(leads.tenantId, tenantId), eq(leads.id, id)))
    .limit(1);
  if (!row) return null;
  return { ...row.lead, number: row.number, subscriber: row.subscriber, assignedUser: row.assignedUser };
}

export type LeadMessageRow = {
  id: string;
  templateId: string | null;
  templateName: string;
  templateTitle: string | null;
  scheduledAt: Date;
  status: (typeof outboundMessages.$inferSelect)["status"];
  attempts: number;
  nextAttemptAt: Date | null;
  sentAt: Date | null;
  deliveredAt: Date | null;
  readAt: Date | null;
  errorCode: string | null;
  errorMessage: string | null;
  renderedText: string | null;
};

/** A lead's queue rows in schedule order, with their template's title. */
export async function listLeadMessages(db: Db, { tenantId, leadId }: { tenantId: string; leadId: string }): Promise<LeadMessageRow[]> {
  const o = outboundMessages;
  return db
    .select({
      id: o.id,
      templateId: o.templateId,
      templateName: o.templateName,
      templateTitle: templates.title,
      scheduledAt: o.scheduledAt,
      status: o.status,
      attempts: o.attempts,
      nextAttemptAt: o.nextAttemptAt,
      sentAt: o.sentAt,
      deliveredAt: o.deliveredAt,
      readAt: o.readAt,
      errorCode: o.errorCode,
      errorMessage: o.errorMessage,
      renderedText: o.renderedText,
    })
    .from(o)
    .leftJoin(templates, eq(templates.id, o.templateId))
    .where(and(eq(o.tenantId, tenantId), eq(o.leadId, leadId)))
    .orderBy(asc(o.scheduledAt), asc(o.templateName));
}
