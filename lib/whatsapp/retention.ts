// What the webhook log keeps, and for how long. Refused webhooks (bad or missing signature, unknown token,
// not JSON, too many unrouted) are kept for a week to show what was tried; events waiting for a number to
// prove their Phone Number ID are kept for 30 days. The scheduled work deletes older ones; with refused
// bodies cut to a prefix and unrouted ones capped per hour, a flood of either stays bounded.
import type { Db } from "@/db/client";
import { deleteOldWebhookEvents } from "@/db/queries/webhook-events";

export const REJECTED_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
export const UNROUTED_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** Deletes refused events older than 7 days and unadopted unrouted ones older than 30, in slices of 5,000 so no statement runs long. */
export async function pruneWebhookEvents(db: Db, { now, maxRounds = 20 }: { now: Date; maxRounds?: number }): Promise<{ rejected: number; unrouted: number }> {
  const prune = async (status: "rejected" | "unrouted", keepMs: number) => {
    const before = new Date(now.getTime() - keepMs);
    let deleted = 0;
    for (let round = 0; round < maxRounds; round++) {
      const n = await deleteOldWebhookEvents(db, { status, before, limit: 5000 });
      deleted += n;
      if (n < 5000) break;
    }
    return deleted;
  };
  return { rejected: await prune("rejected", REJECTED_RETENTION_MS), unrouted: await prune("unrouted", UNROUTED_RETENTION_MS) };
}
