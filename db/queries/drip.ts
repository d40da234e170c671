// The drip queue (outbound_messages) as enrollment writes it: one row per (lead, template), so enrolling
// twice enqueues nothing new; stopping a campaign cancels what is still pending.
import { and, eq, inArray, isNull, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import { leads, outboundMessages, subscribers, templates, tenants, whatsappNumbers } from "../schema";
import { takeFirstOrNull } from "./keyset";

export type LeadRow = typeof leads.$inferSelect;
export type TemplateRow = typeof templates.$inferSelect;
export type OutboundRow = typeof outboundMessages.$inferSelect;

export async function getLeadRow(db: Db, { tenantId, id }: { tenantId: string; id: string }, opts: { forUpdate?: boolean } = {}): Promise<LeadRow | null> {
  const query = db.select().from(leads).where(and(eq(leads.tenantId, tenantId), eq(leads.id, id))).limit(1);
  return takeFirstOrNull(await (opts.forUpdate ? query.for("update") : query));
}

/** Active templates for a segment: those of that segment and those for every segment (segment null). */
export async function activeTemplatesForSegment(db: Db, { tenantId, segment }: { tenantId: string; segment: string | null }): Promise<TemplateRow[]> {
  return db
    .select()
    .from(templates)
    .where(and(eq(templates.tenantId, tenantId), eq(templates.active, true), segment === null ? isNull(templates.segment) : or(isNull(templates.segment), eq(templates.segment, segment))))
    .orderBy(templates.delayDays, templates.delayHours, templates.name);
}

/** Inserts queue rows, skipping (lead, template) pairs already queued; returns how many were new. */
export async function insertOutboundIfAbsent(db: Db, rows: (typeof outboundMessages.$inferInsert)[]): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await db.insert(outboundMessages).values(rows).onConflictDoNothing({ target: [outboundMessages.leadId, outboundMessages.templateId] }).returning({ id: outboundMessages.id });
  return inserted.length;
}

/** Cancels a lead's pending (and not yet sending) rows with a reason; returns how many. */
export async function cancelPendingForLead(db: Db, { tenantId, leadId, now, code, message }: { tenantId: string; leadId: string; now: Date; code: string; message: string }): Promise<number> {
  const rows = await db
    .update(outboundMessages)
    .set({ status: "cancelled", errorCode: code, errorMessage: message, leaseExpiresAt: null, nextAttemptAt: null, updatedAt: now })
    .where(and(eq(outboundMessages.tenantId, tenantId), eq(outboundMessages.leadId, leadId), eq(outboundMessages.status, "pending")))
    .returning({ id: outboundMessages.id });
  return rows.length;
}

export async function updateLeadRow(db: Db, { tenantId, id }: { tenantId: string; id: string }, values: Partial<typeof leads.$inferInsert>): Promise<LeadRow | null> {
  const [row] = await db
    .update(leads)
    .set({ ...values, updatedAt: sql`now()` })
    .where(and(eq(leads.tenantId, tenantId), eq(leads.id, id)))
    .returning();
  return row ?? null;
}

/**
 * Claims due rows for sending: pending ones whose time (and retry time) has come, and `sending` ones whose
 * lease expired (a crashed run). Rows of inactive numbers stay where they are. `FOR UPDATE SKIP LOCKED`
 * lets any number of runs claim side by side without ever taking the same row; each claim counts an attempt.
 */
export async function claimDueOutbound(db: Db, { now, limit, leaseMs }: { now: Date; limit: number; leaseMs: number }): Promise<OutboundRow[]> {
  const nowIso = now.toISOString();
  const due = sql`select o.id from ${outboundMessages} o
    left join ${whatsappNumbers} n on n.id = o.number_id
    where ((o.status = 'pending' and o.scheduled_at <= ${nowIso}::timestamptz and (o.next_attempt_at is null or o.next_attempt_at <= ${nowIso}::timestamptz))
        or (o.status = 'sending' and o.lease_expires_at < ${nowIso}::timestamptz))
      and (n.id is null or n.active)
    order by o.scheduled_at
    limit ${limit}
    for update of o skip locked`;
  return db
    .update(outboundMessages)
    .set({ status: "sending", attempts: sql`${outboundMessages.attempts} + 1`, leaseExpiresAt: new Date(now.getTime() + leaseMs), updatedAt: now })
    .where(sql`${outboundMessages.id} in (${due})`)
    .returning();
}

export type OutboundOutcome = Partial<Pick<OutboundRow, "status" | "renderedText" | "providerMessageId" | "sentAt" | "errorCode" | "errorMessage" | "providerResponse" | "nextAttemptAt" | "subscriberId">>;

/** Records a claimed row's outcome, only while this claim still holds it (same attempt, still sending). */
export async function finishOutbound(db: Db, { id, attempts, outcome, now }: { id: string; attempts: number; outcome: OutboundOutcome; now: Date }): Promise<boolean> {
  const rows = await db
    .update(outboundMessages)
    .set({ ...outcome, leaseExpiresAt: null, updatedAt: now })
    .where(and(eq(outboundMessages.id, id), eq(outboundMessages.status, "sending"), eq(outboundMessages.attempts, attempts)))
    .returning({ id: outboundMessages.id });
  return rows.length > 0;
}

/** What a batch of claimed rows needs to be sent: their leads, subscribers, numbers, templates and segment values. */
export async function loadDispatchContext(db: Db, rows: OutboundRow[]) {
  const ids = <T>(values: (T | null)[]) => [...new Set(values.filter((v): v is T => v !== null))];
  const leadIds = ids(rows.map((r) => r.leadId));
  const numberIds = ids(rows.map((r) => r.numberId));
  const templateIds = ids(rows.map((r) => r.templateId));
  const tenantIds = ids(rows.map((r) => r.tenantId));
  const [leadRows, numberRows, templateRows, tenantRows] = await Promise.all([
    leadIds.length ? db.select().from(leads).where(inArray(leads.id, leadIds)) : [],
    numberIds.length ? db.select().from(whatsappNumbers).where(inArray(whatsappNumbers.id, numberIds)) : [],
    templateIds.length ? db.select().from(templates).where(inArray(templates.id, templateIds)) : [],
    tenantIds.length ? db.select({ id: tenants.id, segmentVariables: tenants.segmentVariables }).from(tenants).where(inArray(tenants.id, tenantIds)) : [],
  ]);
  const subscriberIds = ids([...rows.map((r) => r.subscriberId), ...leadRows.map((l) => l.subscriberId)]);
  const phones = ids(rows.map((r) => r.phone));
  const subscriberRows = await db
    .select({ id: subscribers.id, tenantId: subscribers.tenantId, waPhone: subscribers.waPhone, status: subscribers.status, profileName: subscribers.profileName, conversationExpiresAt: subscribers.conversationExpiresAt })
    .from(subscribers)
    .where(and(inArray(subscribers.tenantId, tenantIds), or(subscriberIds.length ? inArray(subscribers.id, subscriberIds) : sql`false`, phones.length ? inArray(subscribers.waPhone, phones) : sql`false`)));
  return {
    leads: new Map(leadRows.map((l) => [l.id, l])),
    numbers: new Map(numberRows.map((n) => [n.id, n])),
    templates: new Map(templateRows.map((t) => [t.id, t])),
    segmentVariables: new Map(tenantRows.map((t) => [t.id, t.segmentVariables])),
    subscribersById: new Map(subscriberRows.map((s) => [s.id, s])),
    subscribersByPhone: new Map(subscriberRows.map((s) => [`${s.tenantId}:${s.waPhone}`, s])),
  };
}
export type DispatchContext = Awaited<ReturnType<typeof loadDispatchContext>>;
