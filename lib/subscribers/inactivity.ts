// Seed 000's `inactive` status ("has not written for a long time"): the scheduled work marks active subscribers
// inactive once they have been silent for their workspace's number of days (Settings; 30 by default), in
// bounded rounds; their next message makes them active again (lib/whatsapp/ingest-inbound). Opted-out and
// blocked subscribers keep their status.
import type { Db } from "@/db/client";
import { markSilentSubscribersInactive } from "@/db/queries/subscribers";

export const DEFAULT_INACTIVE_AFTER_DAYS = 30;
export const MAX_INACTIVE_AFTER_DAYS = 3650;

/** Marks silent subscribers inactive, `batch` rows per statement, at most `maxRounds` statements; returns how many. */
export async function markInactiveSubscribers(
  db: Db,
  { now, batch = 1000, maxRounds = 20 }: { now: Date; batch?: number; maxRounds?: number },
): Promise<number> {
  let marked = 0;
  for (let round = 0; round < maxRounds; round++) {
    const n = await markSilentSubscribersInactive(db, { now, limit: batch });
    marked += n;
    if (n < batch) break;
  }
  return marked;
}
