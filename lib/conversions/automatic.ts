// The automatic CAPI event of seeds/000: with the number's setting on, the first message of a new
// ad-attributed conversation queues a LeadSubmitted for its click — once per conversation (its event
// id is derived from the conversation), inside the ingestion transaction that created it.
import type { Db } from "@/db/client";
import { cancelPendingDripForConversions, insertConversionsIfAbsent, type RoutingNumber } from "@/db/queries";
import type { NewConversation, NewConversion } from "@/db/schema";
import { sha256Hex } from "@/lib/crypto";
import { convertedReason, emitDripStopped } from "@/lib/drip/stops";
import { CAPI_FORWARD_JOB, CAPI_MAX_ATTEMPTS } from "./deliver-policy";
import { ATTRIBUTION_WINDOW_MS } from "./schema";

export const automaticLeadEventId = (conversationId: string) => `auto-lead:${conversationId}`;

/** The LeadSubmitted rows for the new conversations that carry a click id on numbers with the setting on (and a dataset). */
export function automaticLeadConversions(conversations: NewConversation[], numbers: Map<string, RoutingNumber>, now: Date): (NewConversion & { id: string })[] {
  const out: (NewConversion & { id: string })[] = [];
  for (const c of conversations) {
    const number = c.numberId ? numbers.get(c.numberId) : undefined;
    if (!c.id || !c.ctwaClid || !number?.autoLeadSubmitted || !number.datasetId || number.provider !== "cloud") continue;
    // a replayed old delivery: Meta rejects events older than 7 days, so none is queued
    if (now.getTime() - c.startedAt.getTime() > ATTRIBUTION_WINDOW_MS) continue;
    const eventId = automaticLeadEventId(c.id);
    out.push({
      id: crypto.randomUUID(),
      tenantId: c.tenantId,
      numberId: number.id,
      eventId,
      eventName: "LeadSubmitted",
      eventTime: new Date(Math.floor(c.startedAt.getTime() / 1000) * 1000),
      requestHash: sha256Hex(JSON.stringify({ automatic: "LeadSubmitted", conversationId: c.id })),
      conversationId: c.id,
      subscriberId: c.subscriberId,
      ctwaClid: c.ctwaClid,
      source: "automatic",
      createdAt: now,
      updatedAt: now,
    });
  }
  return out;
}

/**
 * Queues the automatic LeadSubmitted of a batch's new conversations (delivered by the jobs queue); where the
 * workspace lists LeadSubmitted among its drip stop events, the lead's pending drip rows are cancelled (lead.stopped).
 */
export async function queueAutomaticLeads(
  tx: Db,
  { conversations, numbers, now }: { conversations: NewConversation[]; numbers: Map<string, RoutingNumber>; now: Date },
): Promise<number> {
  const rows = automaticLeadConversions(conversations, numbers, now);
  const inserted = await insertConversionsIfAbsent(tx, { rows, job: { kind: CAPI_FORWARD_JOB, maxAttempts: CAPI_MAX_ATTEMPTS, runAt: now } });
  // a workspace that stops the drip on LeadSubmitted: the lead's pending rows end here (conversions not stored match none)
  for (const tenantId of inserted > 0 ? new Set(rows.map((r) => r.tenantId)) : []) {
    const conversionIds = rows.filter((r) => r.tenantId === tenantId).map((r) => r.id);
    const reason = convertedReason("LeadSubmitted");
    const stop = await cancelPendingDripForConversions(tx, { tenantId, conversionIds, now, reason });
    await emitDripStopped(tx, { tenantId, stop, reason, now });
  }
  return inserted;
}
