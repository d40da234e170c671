// Why the drip stopped listening to a lead: the reasons written on the rows it cancels (error_code and the
// words the queue monitor and GET /api/v1/queue show), and the quiet hours' note on a row it moved. An automatic
// stop reports lead.stopped for each lead whose pending rows it cancelled, in the stop's own transaction.
import type { Db } from "@/db/client";
import { type DripStop, getLeadRows } from "@/db/queries/drip";
import { emitEvents } from "@/lib/webhooks-out/emit";
import { leadStoppedEvent } from "@/lib/webhooks-out/lead-events";

/** An inbound message from the lead (not history, a system notice or a reaction): series with stop_on_reply end. */
export const LEAD_REPLIED = { code: "lead_replied", message: "The lead replied, so this series stopped (the template stops when the lead replies)" } as const;

/** A conversion of one of the workspace's stop events (tenants.drip_stop_events) was recorded for the lead. */
export const CONVERTED_CODE = "converted";
export const convertedReason = (eventName: string) => ({
  code: CONVERTED_CODE,
  message: `A ${eventName} conversion was recorded for the lead, so the drip stopped`,
});

/**
 * lead.stopped (with the stop's reason and words) for each lead whose drip `stop` actually stopped (a pending row
 * cancelled), inside the stop's transaction: once per enrollment and reason (the event's source key), so a replay
 * emits nothing. Nothing is read when the stop cancelled no lead's rows.
 */
export async function emitDripStopped(
  tx: Db,
  { tenantId, stop, reason, now }: { tenantId: string; stop: DripStop; reason: { code: string; message: string }; now: Date },
): Promise<number> {
  if (stop.leadIds.length === 0) return 0;
  const stopped = await getLeadRows(tx, { tenantId, ids: stop.leadIds });
  stopped.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
  return emitEvents(
    tx,
    tenantId,
    stopped.map((l) => leadStoppedEvent(l, reason.code, now, reason.message, { automatic: true })),
  );
}
