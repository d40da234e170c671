// Refused webhooks (bad or missing signature, unknown token, not JSON) are kept for a week to show what was
// tried, then deleted by the scheduled work: with their bodies cut to a prefix, a flood of them stays bounded.
import type { Db } from "@/db/client";
import { deleteRejectedWebhookEvents } from "@/db/queries/webhook-events";

export const REJECTED_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** Deletes rejected events older than 7 days, in slices of 5,000 so no statement runs long; returns how many. */
export async function pruneRejectedWebhookEvents(db: Db, { now, maxRounds = 20 }: { now: Date; maxRounds?: number }): Promise<number> {
  const before = new Date(now.getTime() - REJECTED_RETENTION_MS);
  let deleted = 0;
  for (let round = 0; round < maxRounds; round++) {
    const n = await deleteRejectedWebhookEvents(db, { before, limit: 5000 });
    deleted += n;
    if (n < 5000) break;
  }
  return deleted;
}
