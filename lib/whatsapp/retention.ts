// What the webhook log keeps, and for how long. Refused webhooks (bad or missing signature, unknown token,
// not JSON, too many unrouted) are kept for a week to show what was tried; events waiting for a number to
// prove their Phone Number ID, and failed ones, are kept for 30 days; a workspace's processed events are kept
// for its own retention (tenants.webhook_event_retention_days, 30 days unless an admin changes it, 1–90).
//
// How: webhook_events is partitioned by received_at, one partition per UTC day shared by every workspace
// (migration 0025). The scheduled work creates the partitions a week ahead (a default partition catches a row
// no day covers, and its rows move out once that day's partition exists) and drops a whole day once it is
// older than the longest rule in force: 30 days, or a workspace's longer retention. Dropping a partition is a
// catalog change whatever its size, so the bulk of the log, 30-day workspaces, never costs a DELETE. Rows
// that expire sooner than their day is dropped (refused ones, a workspace that chose fewer days, everything
// past 30 days while some workspace keeps 90) are deleted in slices of 5,000, so no statement runs long; a
// day still holding an unprocessed (`received`) event is never dropped. We chose shared day partitions over
// per-workspace ones: a partition per workspace and day would multiply the partitions (and the planning of
// every query) by the number of workspaces. See docs/webhook-retention.md.
import type { Db } from "@/db/client";
import { WEBHOOK_EVENT_RETENTION_DAYS } from "@/lib/accounts/schemas";
import {
  addWebhookEventPartitions,
  deleteOldWebhookEventDedupeKeys,
  dropWebhookEventPartition,
  listTenantsWithRetentionUnder,
  listWebhookEventPartitions,
  longestWebhookEventRetentionDays,
  utcDay,
  webhookEventPartitionHasUnprocessed,
} from "@/db/queries/webhook-event-partitions";
import { deleteExpiredTenantWebhookEvents, deleteOldWebhookEvents } from "@/db/queries/webhook-events";

const DAY_MS = 24 * 60 * 60 * 1000;
export const REJECTED_RETENTION_MS = 7 * DAY_MS;
export const UNROUTED_RETENTION_MS = 30 * DAY_MS;
export const FAILED_RETENTION_MS = 30 * DAY_MS;
/** A workspace's processed events, unless an admin chose otherwise (Settings → Organisation). */
export const DEFAULT_WEBHOOK_EVENT_RETENTION_DAYS = WEBHOOK_EVENT_RETENTION_DAYS.default;
/** Day partitions exist this many days ahead of today (so a missed scheduler run or two never matters). */
export const PARTITIONS_AHEAD_DAYS = 7;
const SLICE = 5000;

export type PruneResult = {
  rejected: number;
  unrouted: number;
  failed: number;
  /** processed events of workspaces whose retention is shorter than the partitions are kept */
  expired: number;
  partitionsCreated: number;
  partitionsDropped: number;
  dedupeKeys: number;
};

/** Days after which a whole day partition may go: the longest of the fixed rules and every workspace's retention. */
export async function partitionHorizonDays(db: Db): Promise<number> {
  const longest = (await longestWebhookEventRetentionDays(db)) ?? DEFAULT_WEBHOOK_EVENT_RETENTION_DAYS;
  return Math.max(longest, UNROUTED_RETENTION_MS / DAY_MS, FAILED_RETENTION_MS / DAY_MS, REJECTED_RETENTION_MS / DAY_MS);
}

/** Creates the partitions ahead and drops the days past every rule; returns what it did. */
export async function rollWebhookEventPartitions(db: Db, { now }: { now: Date }): Promise<{ created: number; dropped: number; horizonDays: number }> {
  const created = await addWebhookEventPartitions(db, { from: now, days: PARTITIONS_AHEAD_DAYS + 1 });
  const horizonDays = await partitionHorizonDays(db);
  const cutoff = now.getTime() - horizonDays * DAY_MS;
  let dropped = 0;
  for (const partition of await listWebhookEventPartitions(db)) {
    if (partition.day.getTime() + DAY_MS > cutoff) break; // oldest first: the rest are younger
    if (await webhookEventPartitionHasUnprocessed(db, partition)) continue;
    if (await dropWebhookEventPartition(db, partition)) dropped++;
  }
  return { created, dropped, horizonDays };
}

/**
 * The retention run of the scheduled work: partitions first (cheap, and it leaves less to delete), then the rows
 * that expire before their day goes, in slices of 5,000 (at most `maxRounds` slices per rule and workspace a run).
 */
export async function pruneWebhookEvents(db: Db, { now, maxRounds = 20 }: { now: Date; maxRounds?: number }): Promise<PruneResult> {
  const partitions = await rollWebhookEventPartitions(db, { now });
  const inSlices = async (deleteSlice: () => Promise<number>) => {
    let deleted = 0;
    for (let round = 0; round < maxRounds; round++) {
      const n = await deleteSlice();
      deleted += n;
      if (n < SLICE) break;
    }
    return deleted;
  };
  const prune = (status: "rejected" | "unrouted" | "failed", keepMs: number) =>
    inSlices(() => deleteOldWebhookEvents(db, { status, before: new Date(now.getTime() - keepMs), limit: SLICE }));
  let expired = 0;
  for (const tenant of await listTenantsWithRetentionUnder(db, partitions.horizonDays)) {
    const before = new Date(now.getTime() - tenant.days * DAY_MS);
    expired += await inSlices(() => deleteExpiredTenantWebhookEvents(db, { tenantId: tenant.id, before, limit: SLICE }));
  }
  const dedupeBefore = utcDay(new Date(now.getTime() - partitions.horizonDays * DAY_MS));
  return {
    rejected: await prune("rejected", REJECTED_RETENTION_MS),
    unrouted: await prune("unrouted", UNROUTED_RETENTION_MS),
    failed: await prune("failed", FAILED_RETENTION_MS),
    expired,
    partitionsCreated: partitions.created,
    partitionsDropped: partitions.dropped,
    dedupeKeys: await inSlices(() => deleteOldWebhookEventDedupeKeys(db, { before: dedupeBefore, limit: SLICE })),
  };
}
