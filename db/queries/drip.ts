// The drip queue (outbound_messages) as enrollment writes it: one row per (lead, template), so enrolling
// twice enqueues nothing new; stopping a campaign cancels what is still pending.
import { and, eq, isNull, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import { leads, outboundMessages, templates } from "../schema";
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
