// Emitting outgoing-webhook events: in the SAME transaction as the fact they report (so an event exists exactly
// when its fact was committed), set-based (one statement per batch, nothing written when no enabled endpoint of
// the tenant subscribes to the types), idempotent by (tenant, type, source key). After the commit, kickDeliveries()
// wakes this process's delivery loop (a caller outside a transaction may pass `kick: true`).
import type { Db } from "@/db/client";
import { insertOutgoingEvents } from "@/db/queries/webhooks-out";
import { type OutgoingEventInput, outgoingEventInputSchema } from "./events";
import { kickDeliveries } from "./kick";

/**
 * Stores the events and their deliveries; returns the deliveries written (0: nobody listens, or a replay).
 * Duplicates within the list (same type and source key) are written once, in their first position.
 */
export async function emitEvents(tx: Db, tenantId: string, events: readonly OutgoingEventInput[], { kick = false } = {}): Promise<number> {
  if (events.length === 0) return 0;
  const seen = new Set<string>();
  const rows = [];
  for (const e of events) {
    const parsed = outgoingEventInputSchema.parse(e);
    const key = `${parsed.type}\u0000${parsed.sourceKey}`;
    if (seen.has(key)) continue;
    seen.add(key);
    rows.push(parsed);
  }
  const written = await insertOutgoingEvents(tx, tenantId, rows);
  if (written > 0) {
    // inside a transaction the kick may come before the commit: the loop then finds nothing and looks again on its
    // next poll (or the caller's own kick after commit); kicking here costs nothing when nobody listens
    if (kick) kickDeliveries();
    else queueMicrotask(() => setTimeout(kickDeliveries, 50).unref?.());
  }
  return written;
}
