// Delivery outcomes are written in groups (lib/group-writer.ts: one statement, one commit for the
// outcomes that finish together). A delivery made right after its request's answer waits a few
// milliseconds for the ones finishing beside it (nobody waits for it); the queue's drain, whose
// throughput is its latency, does not wait. Each caller resumes once its own outcome is committed.
// A final outcome emits its outgoing-webhook event (conversion.sent, or conversion.rejected for a refusal or a
// delivery given up) in the same transaction.
import type { Db } from "@/db/client";
import { type ConversionAttemptRecord, saveConversionAttempts } from "@/db/queries";
import { groupWriter } from "@/lib/group-writer";
import { emitEvents } from "@/lib/webhooks-out/emit";
import type { OutgoingEventInput } from "@/lib/webhooks-out/events";
import { kickDeliveries } from "@/lib/webhooks-out/kick";
import { CAPI_FORWARD_JOB } from "./deliver-policy";

/** How long an outcome of a delivery right after the answer waits for company. */
export const AFTER_ANSWER_LINGER_MS = 10;

type CapiEvent = { event_name?: string; event_id?: string; custom_data?: { value?: number; currency?: string }; user_data?: { ctwa_clid?: string } };

/**
 * An attempt's outcome with the conversion's subscriber: a subscriber's conversion.sent / conversion.rejected share
 * the order key of the subscriber's other events (delivered in order); null only for a conversion with no subscriber.
 */
export type ConversionOutcomeRecord = ConversionAttemptRecord & { subscriberId: string | null };

/** The event of a final outcome (null while the conversion is still queued). */
export function conversionOutcomeEvent(r: ConversionOutcomeRecord): OutgoingEventInput | null {
  const status = r.patch.status;
  if (status !== "sent" && status !== "rejected" && status !== "failed") return null;
  const sent = (r.patch.requestPayload as { data?: CapiEvent[] } | null | undefined)?.data?.[0];
  const at = r.patch.lastAttemptAt ?? r.job.now;
  return {
    type: status === "sent" ? "conversion.sent" : "conversion.rejected",
    sourceKey: r.id,
    subscriberId: r.subscriberId,
    occurredAt: at,
    data: {
      conversionId: r.id,
      status,
      eventName: sent?.event_name ?? null,
      eventId: sent?.event_id ?? null,
      value: sent?.custom_data?.value ?? null,
      currency: sent?.custom_data?.currency ?? null,
      clickId: sent?.user_data?.ctwa_clid ?? null,
      metaResponse: r.patch.response ?? null,
      fbtraceId: r.patch.fbtraceId ?? null,
      eventsReceived: r.patch.eventsReceived ?? null,
      error: r.patch.lastError ?? null,
      at: at.toISOString(),
    },
  };
}

const writeAttempts = groupWriter<ConversionOutcomeRecord>(
  "conversion-attempts",
  async (db, records) => {
    const byTenant = new Map<string, OutgoingEventInput[]>();
    for (const r of records) {
      const e = conversionOutcomeEvent(r);
      if (e) byTenant.set(r.tenantId, [...(byTenant.get(r.tenantId) ?? []), e]);
    }
    if (byTenant.size === 0) return saveConversionAttempts(db, { kind: CAPI_FORWARD_JOB, records });
    let emitted = 0;
    await db.transaction(async (tx) => {
      await saveConversionAttempts(tx, { kind: CAPI_FORWARD_JOB, records });
      for (const [tenantId, events] of byTenant) emitted += await emitEvents(tx, tenantId, events);
    });
    if (emitted > 0) kickDeliveries();
  },
  { maxItems: 200 },
);

/** Records one delivery attempt on its conversion and job; resolves once committed. */
export function recordConversionAttempt(db: Db, record: ConversionOutcomeRecord, opts: { lingerMs?: number } = {}): Promise<void> {
  return writeAttempts(db, record, opts);
}
