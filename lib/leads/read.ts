// Reading leads: the keyset list (filters, queue counts per lead), one lead with its drip messages, and
// the JSON the API answers with (times ISO 8601, as in the conversions API).
import type { Db } from "@/db/client";
import { type LeadDetailRow, type LeadListRow, type LeadMessageRow, type LeadRow, getLeadDetailRow, listLeadMessages, listLeadRows } from "@/db/queries";
import { notFound } from "@/lib/errors";
import { type Page, decodeCursor, toPage } from "@/lib/pagination";
import { type LeadFilters, parseLeadSearch } from "./schemas";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function leadJson(l: LeadRow) {
  return {
    id: l.id,
    name: l.name,
    phone: l.phone,
    segment: l.segment,
    source: l.source,
    externalRef: l.externalRef,
    callStatus: l.callStatus,
    /** null until a manager answered "target and interested?" */
    isTarget: l.isTarget,
    campaignActive: l.campaignActive,
    enrolledAt: iso(l.enrolledAt),
    numberId: l.numberId,
    subscriberId: l.subscriberId,
    assignedUserId: l.assignedUserId,
    lastWhatsappSentAt: iso(l.lastWhatsappSentAt),
    createdAt: l.createdAt.toISOString(),
    updatedAt: l.updatedAt.toISOString(),
  };
}
export type LeadJson = ReturnType<typeof leadJson>;

export function leadListJson(r: LeadListRow) {
  return { ...leadJson(r), numberLabel: r.numberLabel, queue: r.queue };
}

export function leadMessageJson(m: LeadMessageRow) {
  return {
    id: m.id,
    templateId: m.templateId,
    templateName: m.templateName,
    templateTitle: m.templateTitle,
    scheduledAt: m.scheduledAt.toISOString(),
    status: m.status,
    attempts: m.attempts,
    nextAttemptAt: iso(m.nextAttemptAt),
    sentAt: iso(m.sentAt),
    deliveredAt: iso(m.deliveredAt),
    readAt: iso(m.readAt),
    errorCode: m.errorCode,
    errorMessage: m.errorMessage,
    /** the text as sent (null until the message is rendered for sending) */
    renderedText: m.renderedText,
  };
}

export type LeadDetail = LeadDetailRow & { messages: LeadMessageRow[] };

export function leadDetailJson(d: LeadDetail) {
  return {
    ...leadJson(d),
    number: d.number && { id: d.number.id, label: d.number.label, phoneE164: d.number.phoneE164, provider: d.number.provider, active: d.number.active },
    subscriber: d.subscriber && { id: d.subscriber.id, profileName: d.subscriber.profileName, waPhone: d.subscriber.waPhone, status: d.subscriber.status },
    assignedUser: d.assignedUser && { id: d.assignedUser.id, name: d.assignedUser.name },
    messages: d.messages.map(leadMessageJson),
  };
}

/** One lead with its number, subscriber, manager and drip messages; not_found for another tenant's. */
export async function getLead(db: Db, { tenantId, id }: { tenantId: string; id: string }): Promise<LeadDetail> {
  const [lead, messages] = await Promise.all([getLeadDetailRow(db, { tenantId, id }), listLeadMessages(db, { tenantId, leadId: id })]);
  if (!lead) throw notFound("Lead");
  return { ...lead, messages };
}

/** A page of leads, newest first, each with its queue rows counted by status. */
export async function listLeads(
  db: Db,
  { tenantId, filters, cursor, limit }: { tenantId: string; filters: LeadFilters; cursor?: string; limit: number },
): Promise<Page<LeadListRow>> {
  const rows = await listLeadRows(db, {
    tenantId,
    callStatus: filters.callStatus,
    isTarget: filters.isTarget,
    campaignActive: filters.campaignActive,
    segment: filters.segment,
    search: parseLeadSearch(filters.q),
    cursor: cursor ? decodeCursor(cursor) : undefined,
    limit,
  });
  return toPage(rows, limit, (r) => ({ at: r.createdAt, id: r.id }));
}
