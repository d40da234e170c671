// The manager's call (seeds/003): "Called" → "Target and interested?" Yes starts the WhatsApp drip, No
// records not-target (and stops a running campaign); "No answer" is only recorded. The PATCH of the API
// does the same headlessly, plus stopping a campaign.
import type { Db } from "@/db/client";
import { getLeadRow, type LeadRow, updateLeadRow } from "@/db/queries";
import { enrollLead, stopLeadCampaign } from "@/lib/drip/enroll";
import { notFound } from "@/lib/errors";
import { emitEvents } from "@/lib/webhooks-out/emit";
import { leadEnrolledEvent, leadStoppedEvent } from "@/lib/webhooks-out/lead-events";
import { getLead, type LeadDetail } from "./read";
import type { LeadPatch } from "./schemas";

/** `notQueued`: why a Yes queued nothing (the customer stopped marketing messages in WhatsApp), else null. */
export type CallOutcome = { lead: LeadRow; queued: number; cancelled: number; notQueued: { code: string; message: string } | null };

export type RecordCallInput = {
  tenantId: string;
  leadId: string;
  callStatus: "called" | "no_answer";
  /** the answer to "target and interested?" (only with "called"); left out: not answered yet */
  isTarget?: boolean;
  /** the manager recording it: becomes the lead's assigned manager when it has none */
  userId?: string | null;
  now: Date;
};

/**
 * Records a call in one transaction. `called` + isTarget true enrolls the lead (enrollLead: idempotent, so
 * answering Yes twice queues nothing new); `called` + false marks it not-target and cancels its pending
 * messages; `no_answer` changes nothing else. Throws not_found for a lead of another tenant.
 */
export async function recordCall(db: Db, input: RecordCallInput): Promise<CallOutcome> {
  const { tenantId, leadId, callStatus, isTarget, now } = input;
  return db.transaction(async (tx) => {
    const lead = await getLeadRow(tx, { tenantId, id: leadId }, { forUpdate: true });
    if (!lead) throw notFound("Lead");
    const assignedUserId = lead.assignedUserId ?? input.userId ?? null;
    const answer = callStatus === "called" && isTarget !== undefined ? { isTarget } : {};
    const recorded = (await updateLeadRow(tx, { tenantId, id: leadId }, { callStatus, assignedUserId, ...answer }))!;
    if (callStatus === "called" && isTarget === true) {
      const { lead: enrolled, queued, notQueued } = await enrollLead(tx, { tenantId, leadId, now });
      if (!lead.enrolledAt && enrolled.enrolledAt) await emitEvents(tx, tenantId, [leadEnrolledEvent(enrolled, queued, now)], { kick: true });
      return { lead: enrolled, queued, cancelled: 0, notQueued };
    }
    if (callStatus === "called" && isTarget === false && (lead.campaignActive || lead.enrolledAt)) {
      const { lead: stopped, cancelled } = await stopLeadCampaign(tx, { tenantId, leadId, now });
      if (lead.campaignActive)
        await emitEvents(tx, tenantId, [leadStoppedEvent(stopped, "not_target", now, "The call found the lead is not a target")], { kick: true });
      return { lead: stopped, queued: 0, cancelled, notQueued: null };
    }
    return { lead: recorded, queued: 0, cancelled: 0, notQueued: null };
  });
}

/** "Stop campaign": nothing more is sent to the lead; its pending messages are cancelled. */
export async function stopCampaign(db: Db, { tenantId, leadId, now }: { tenantId: string; leadId: string; now: Date }): Promise<CallOutcome> {
  const { lead, cancelled } = await db.transaction(async (tx) => {
    const before = await getLeadRow(tx, { tenantId, id: leadId }, { forUpdate: true });
    const stopped = await stopLeadCampaign(tx, { tenantId, leadId, now });
    if (before?.campaignActive)
      await emitEvents(tx, tenantId, [leadStoppedEvent(stopped.lead, "stopped_by_user", now, "The campaign was stopped")], { kick: true });
    return stopped;
  });
  return { lead, queued: 0, cancelled, notQueued: null };
}

/**
 * PATCH /api/v1/leads/{id}: `callStatus` and `isTarget` as recordCall (isTarget alone means the call got
 * through), `campaignActive: false` stops the campaign. The patch was validated by leadPatchSchema
 * (campaignActive: true is refused there: setting isTarget is how a campaign starts).
 */
export async function updateLead(
  db: Db,
  { tenantId, leadId, patch, userId, now }: { tenantId: string; leadId: string; patch: LeadPatch; userId?: string | null; now: Date },
): Promise<CallOutcome> {
  return db.transaction(async (tx) => {
    let outcome: CallOutcome | null = null;
    if (patch.callStatus !== undefined || patch.isTarget !== undefined) {
      outcome = await recordCall(tx, { tenantId, leadId, callStatus: patch.callStatus ?? "called", isTarget: patch.isTarget, userId, now });
    }
    if (patch.campaignActive === false) {
      const stopped = await stopCampaign(tx, { tenantId, leadId, now });
      outcome = {
        lead: stopped.lead,
        queued: outcome?.queued ?? 0,
        cancelled: (outcome?.cancelled ?? 0) + stopped.cancelled,
        notQueued: outcome?.notQueued ?? null,
      };
    }
    if (!outcome) throw new Error("an empty lead patch passed validation");
    return outcome;
  });
}

/** updateLead, then the lead as GET /api/v1/leads/{id} shows it, with what the change queued and cancelled. */
export async function patchLead(
  db: Db,
  input: { tenantId: string; leadId: string; patch: LeadPatch; userId?: string | null; now: Date },
): Promise<{ detail: LeadDetail; queued: number; cancelled: number; notQueued: CallOutcome["notQueued"] }> {
  const { queued, cancelled, notQueued } = await updateLead(db, input);
  return { detail: await getLead(db, { tenantId: input.tenantId, id: input.leadId }), queued, cancelled, notQueued };
}
