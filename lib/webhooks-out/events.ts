// The events of outgoing webhooks (issue 22) and the JSON body each delivery carries:
// `{ id, type, createdAt, workspaceId, data }`. `id` is stable across retries and resends (the receiver's dedupe key).
import { z } from "zod";
import { OUTGOING_EVENT_TYPES } from "@/db/schema";

export const outgoingEventTypeSchema = z.enum(OUTGOING_EVENT_TYPES);
export type OutgoingEventType = z.infer<typeof outgoingEventTypeSchema>;

/**
 * One event to emit. `sourceKey` names the fact it reports (a message id, a conversation id…): emitting the same
 * (type, sourceKey) again in the tenant is a no-op. `subscriberId` orders the deliveries of one subscriber.
 */
export const outgoingEventInputSchema = z.object({
  type: outgoingEventTypeSchema,
  sourceKey: z.string().min(1).max(300),
  subscriberId: z.uuid().nullable(),
  data: z.record(z.string(), z.unknown()),
  occurredAt: z.date(),
});
export type OutgoingEventInput = z.infer<typeof outgoingEventInputSchema>;

export type OutgoingWebhookBody = { id: string; type: OutgoingEventType; createdAt: string; workspaceId: string; data: Record<string, unknown> };

/** The exact bytes a delivery posts (and signs): the same for every attempt of the event. */
export function webhookBody(e: { id: string; type: OutgoingEventType; createdAt: Date; tenantId: string; data: Record<string, unknown> }): string {
  const body: OutgoingWebhookBody = { id: e.id, type: e.type, createdAt: e.createdAt.toISOString(), workspaceId: e.tenantId, data: e.data };
  return JSON.stringify(body);
}

/** The subscriber fields every subscriber-related event carries (null when unknown). */
export type SubscriberRef = { id: string; phone: string | null; waId?: string | null; userId?: string | null; name: string | null };
export function subscriberData(s: SubscriberRef): Record<string, unknown> {
  return { id: s.id, phone: s.phone, waId: s.waId ?? null, userId: s.userId ?? null, name: s.name };
}

/**
 * subscriber.opted_out / subscriber.opted_in: the subscriber's consent changed. `source` says how (`keyword`: an opt
 * keyword they wrote; `marketing_preference`: they stopped or resumed marketing messages in WhatsApp); `details` are
 * the source's own fields. `sourceKey` names the change, so emitting it again is a no-op.
 */
export function subscriberOptEvent({
  optIn,
  sourceKey,
  subscriber,
  at,
  source,
  details = {},
}: {
  optIn: boolean;
  sourceKey: string;
  subscriber: SubscriberRef;
  at: Date;
  source: "keyword" | "marketing_preference";
  details?: Record<string, unknown>;
}): OutgoingEventInput {
  return {
    type: optIn ? "subscriber.opted_in" : "subscriber.opted_out",
    sourceKey,
    subscriberId: subscriber.id,
    occurredAt: at,
    data: { subscriber: subscriberData(subscriber), source, ...details, at: at.toISOString() },
  };
}
