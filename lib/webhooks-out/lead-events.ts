// Outgoing-webhook events of leads: lead.created, lead.enrolled (a call's Yes starts the drip), lead.stopped (with
// the reason: not target, stopped by a user, or the drip's automatic stops). Emitted in the lead's own transaction.
import type { LeadRow } from "@/db/queries";
import type { OutgoingEventInput } from "./events";

export function leadData(l: LeadRow): Record<string, unknown> {
  return {
    lead: {
      id: l.id,
      name: l.name,
      phone: l.phone,
      segment: l.segment,
      source: l.source,
      externalRef: l.externalRef,
      subscriberId: l.subscriberId,
      numberId: l.numberId,
      createdAt: l.createdAt.toISOString(),
    },
  };
}

export const leadCreatedEvent = (l: LeadRow): OutgoingEventInput => ({
  type: "lead.created",
  sourceKey: l.id,
  subscriberId: l.subscriberId,
  occurredAt: l.createdAt,
  data: leadData(l),
});

/** One per enrollment (a lead stopped and enrolled again is a new one). */
export const leadEnrolledEvent = (l: LeadRow, queued: number, now: Date): OutgoingEventInput => ({
  type: "lead.enrolled",
  sourceKey: `${l.id}:${(l.enrolledAt ?? now).toISOString()}`,
  subscriberId: l.subscriberId,
  occurredAt: l.enrolledAt ?? now,
  data: { ...leadData(l), enrolledAt: (l.enrolledAt ?? now).toISOString(), messagesQueued: queued },
});

/**
 * One per enrollment's stop; `reason` is a code (not_target, stopped_by_user, lead_replied, converted, opted_out…).
 * `automatic`: the drip's own stops (a reply, a conversion) are keyed by their reason as well, since they may
 * cancel only part of the series: each happens once per enrollment, and a later stop by hand is still reported.
 * (db/queries/webhooks-out.ts leadStoppedEventsSql builds the same event inside a statement.)
 */
export const leadStoppedEvent = (
  l: Pick<LeadRow, "id"> & Partial<LeadRow>,
  reason: string,
  now: Date,
  message?: string,
  { automatic = false }: { automatic?: boolean } = {},
): OutgoingEventInput => ({
  type: "lead.stopped",
  sourceKey: `${l.id}:${l.enrolledAt ? l.enrolledAt.toISOString() : "never"}:stopped${automatic ? `:${reason}` : ""}`,
  subscriberId: l.subscriberId ?? null,
  occurredAt: now,
  data: { ...(l.createdAt ? leadData(l as LeadRow) : { lead: { id: l.id } }), reason, message: message ?? null, stoppedAt: now.toISOString() },
});
