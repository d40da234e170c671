// Enrollment (seeds/003): a lead a manager marked "target and interested" gets one queue row per active
// template of its segment (and the all-segment ones), scheduled at enrollment + the template's delay.
// Enrolling again adds nothing; stopping the campaign cancels what is still pending. A customer who stopped
// marketing messages in WhatsApp is not enrolled at all (the answer is recorded, nothing is queued).
import type { Db } from "@/db/client";
import {
  activeTemplatesForSegment,
  cancelPendingForLead,
  getLeadRow,
  getSubscriberById,
  getSubscriberByWaPhone,
  insertOutboundIfAbsent,
  type LeadRow,
  updateLeadRow,
} from "@/db/queries";
import { notFound } from "@/lib/errors";
import { MARKETING_STOPPED, isMarketingStopped } from "@/lib/subscribers/marketing-preference";

const HOUR_MS = 3_600_000;

export type EnrollResult = { lead: LeadRow; queued: number; notQueued: { code: string; message: string } | null };

/**
 * Starts the lead's drip: one row per active template of its segment, each at most once per lead. While the
 * lead's subscriber (by link, else by phone) has stopped marketing messages, only isTarget is recorded: the
 * campaign does not start and nothing is queued (`notQueued` says why), so a lead first enrolled after the
 * resume is scheduled from then.
 */
export async function enrollLead(db: Db, { tenantId, leadId, now }: { tenantId: string; leadId: string; now: Date }): Promise<EnrollResult> {
  return db.transaction(async (tx) => {
    const lead = await getLeadRow(tx, { tenantId, id: leadId }, { forUpdate: true });
    if (!lead) throw notFound("Lead");
    const subscriber =
      (lead.subscriberId ? await getSubscriberById(tx, { tenantId, id: lead.subscriberId }) : null) ??
      (await getSubscriberByWaPhone(tx, { tenantId, waPhone: lead.phone }));
    if (isMarketingStopped(subscriber)) {
      const recorded = (await updateLeadRow(tx, { tenantId, id: lead.id }, { isTarget: true }))!;
      return { lead: recorded, queued: 0, notQueued: { ...MARKETING_STOPPED } };
    }
    const enrolledAt = lead.enrolledAt ?? now; // the schedule counts from the first enrollment
    const updated = (await updateLeadRow(tx, { tenantId, id: lead.id }, { isTarget: true, campaignActive: true, enrolledAt }))!;
    const list = await activeTemplatesForSegment(tx, { tenantId, segment: lead.segment });
    const queued = await insertOutboundIfAbsent(
      tx,
      list.map((t) => ({
        tenantId,
        leadId: lead.id,
        subscriberId: lead.subscriberId,
        numberId: lead.numberId,
        phone: lead.phone,
        templateId: t.id,
        templateName: t.name,
        scheduledAt: new Date(enrolledAt.getTime() + (t.delayDays * 24 + t.delayHours) * HOUR_MS),
        createdAt: now,
        updatedAt: now,
      })),
    );
    return { lead: updated, queued, notQueued: null };
  });
}

/** "Stop campaign": the lead gets nothing more; its pending rows are cancelled. */
export async function stopLeadCampaign(
  db: Db,
  { tenantId, leadId, now }: { tenantId: string; leadId: string; now: Date },
): Promise<{ lead: LeadRow; cancelled: number }> {
  return db.transaction(async (tx) => {
    const lead = await updateLeadRow(tx, { tenantId, id: leadId }, { campaignActive: false });
    if (!lead) throw notFound("Lead");
    const cancelled = await cancelPendingForLead(tx, { tenantId, leadId, now, code: "campaign_stopped", message: "The lead's campaign was stopped" });
    return { lead, cancelled };
  });
}
