// The day partitions of webhook_events (migration 0025): webhook_events_pYYYYMMDD holds the events received on
// that UTC day, webhook_events_default any row no day covers. Created ahead and dropped whole by
// lib/whatsapp/retention.ts; the SQL function webhook_events_add_partition does the creating.
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { rowsOf } from "../migrations-info";
import { tenants, webhookEventDedupeKeys } from "../schema";

const DAY_MS = 24 * 60 * 60 * 1000;
const PARTITION_NAME = /^webhook_events_p(\d{4})(\d{2})(\d{2})$/;

export type WebhookEventPartition = { name: string; day: Date };

/** Midnight UTC of the day `at` falls on. */
export function utcDay(at: Date): Date {
  return new Date(Math.floor(at.getTime() / DAY_MS) * DAY_MS);
}

/** Makes sure a partition exists for each of `days` UTC days from `from` on; returns how many it created. */
export async function addWebhookEventPartitions(db: Db, { from, days }: { from: Date; days: number }): Promise<number> {
  const first = utcDay(from).toISOString().slice(0, 10);
  const rows = rowsOf<{ created: boolean }>(
    await db.execute(sql`
      select webhook_events_add_partition((${first}::date + n)::date) as created from generate_series(0, ${days - 1}::int) as n`),
  );
  return rows.filter((r) => r.created).length;
}

/** The day partitions, oldest first (the default partition is not among them). */
export async function listWebhookEventPartitions(db: Db): Promise<WebhookEventPartition[]> {
  const rows = rowsOf<{ name: string }>(
    await db.execute(sql`
      select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = 'public.webhook_events'::regclass order by c.relname`),
  );
  return rows.flatMap(({ name }) => {
    const m = PARTITION_NAME.exec(name);
    return m ? [{ name, day: new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) }] : [];
  });
}

/** Whether a partition still holds an event not yet processed (`received`): such a day is never dropped. */
export async function webhookEventPartitionHasUnprocessed(db: Db, partition: WebhookEventPartition): Promise<boolean> {
  const name = checkedName(partition.name);
  const rows = rowsOf<{ found: boolean }>(await db.execute(sql.raw(`select exists (select 1 from public.${name} where status = 'received') as found`)));
  return rows[0]?.found === true;
}

/**
 * Drops a day partition with every event in it: a catalog change, whatever the number of rows. It needs a moment's
 * exclusive lock on webhook_events: rather than queue every webhook behind a long read, it gives up after
 * `lockTimeoutMs` (returns false; the next run tries again).
 */
export async function dropWebhookEventPartition(db: Db, partition: WebhookEventPartition, { lockTimeoutMs = 2000 } = {}): Promise<boolean> {
  const name = checkedName(partition.name);
  try {
    await db.transaction(async (tx) => {
      await tx.execute(sql.raw(`set local lock_timeout = ${Math.max(1, Math.floor(lockTimeoutMs))}`));
      await tx.execute(sql.raw(`drop table if exists public.${name}`));
    });
    return true;
  } catch (e) {
    if (isLockTimeout(e)) return false;
    throw e;
  }
}

function isLockTimeout(e: unknown): boolean {
  for (let c: unknown = e, depth = 0; c && typeof c === "object" && depth < 4; c = (c as { cause?: unknown }).cause, depth++) {
    if ((c as { code?: unknown }).code === "55P03") return true;
  }
  return false;
}

/** The longest retention any workspace chose (days), or null without workspaces. */
export async function longestWebhookEventRetentionDays(db: Db): Promise<number | null> {
  const [row] = await db.select({ days: sql<number | null>`max(${tenants.webhookEventRetentionDays})` }).from(tenants);
  return row?.days == null ? null : Number(row.days);
}

/** Workspaces whose retention is shorter than `days`: their older processed events are deleted within the partitions. */
export async function listTenantsWithRetentionUnder(db: Db, days: number): Promise<{ id: string; days: number }[]> {
  return db
    .select({ id: tenants.id, days: tenants.webhookEventRetentionDays })
    .from(tenants)
    .where(sql`${tenants.webhookEventRetentionDays} < ${days}`);
}

/** Deletes up to `limit` dedupe keys of events received before `before` (their events are gone); returns how many. */
export async function deleteOldWebhookEventDedupeKeys(db: Db, { before, limit }: { before: Date; limit: number }): Promise<number> {
  const rows = rowsOf<{ n: number }>(
    await db.execute(sql`
      with gone as (
        delete from ${webhookEventDedupeKeys} where (number_id, dedupe_key) in (
          select number_id, dedupe_key from ${webhookEventDedupeKeys} where received_at < ${before.toISOString()}::timestamptz limit ${limit}
        ) returning 1
      ) select count(*)::int as n from gone`),
  );
  return rows[0]?.n ?? 0;
}

function checkedName(name: string): string {
  if (!PARTITION_NAME.test(name)) throw new Error(`Not a webhook_events day partition: ${name}`);
  return name;
}
