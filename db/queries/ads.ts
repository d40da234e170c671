// ads: the enrichment cache, one row per (tenant, ad id) filled by one Graph API call; its names are
// copied onto the conversations of that ad and the first-touch campaign onto subscribers.
import { type SQLWrapper, and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { rowsOf } from "../migrations-info";
import { type AD_ENRICHMENT_STATUSES, ads, conversations, jobs, subscribers } from "../schema";
import { type Cursor, beforeCursor, takeFirstOrNull } from "./keyset";
import { toRecordsetJson } from "./messages";

export type AdRow = typeof ads.$inferSelect;
export type AdStatus = (typeof AD_ENRICHMENT_STATUSES)[number];
export type AdNames = Pick<AdRow, "adName" | "adsetId" | "adsetName" | "campaignId" | "campaignName" | "creativeId" | "creativeName">;
/** What ingestion copies onto a new conversation. */
export type AdCacheRow = AdNames & Pick<AdRow, "adId" | "status" | "error" | "enrichedAt">;
type Key = { tenantId: string; adId: string };

const adIdIn = (adIds: string[]) => sql`${ads.adId} = any(array(select jsonb_array_elements_text(${toRecordsetJson(adIds)}::jsonb)))`;

/** The enrichment job's dedupe key: one job per (tenant, ad id). Its SQL twin below must build the same text. */
export const adJobKey = (tenantId: string, adId: string) => `${tenantId}:${adId}`;
const adJobKeySql = (tenantId: SQLWrapper | string, adId: SQLWrapper) => sql`${tenantId}::text || ':' || ${adId}`;

/**
 * Inserts the ad ids not cached yet (ON CONFLICT DO NOTHING: a concurrent insert of the same id waits, then
 * counts as present) and, in the same statement, queues one job per row actually inserted; a finished job
 * that already holds the key is queued again. Returns the ad ids inserted.
 */
export async function insertAdsAndQueueJobs(
  db: Db,
  { tenantId, rows, now, job }: { tenantId: string; rows: { adId: string; numberId: string | null }[]; now: Date; job: { kind: string; maxAttempts: number } },
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const json = toRecordsetJson(
    [...rows].sort((a, b) => (a.adId < b.adId ? -1 : a.adId > b.adId ? 1 : 0)).map((r) => ({ ad_id: r.adId, number_id: r.numberId })),
  );
  const at = now.toISOString();
  const inserted = rowsOf<{ ad_id: string }>(
    await db.execute(sql`
      with inserted as (
        insert into ${ads} (tenant_id, ad_id, number_id, status, first_seen_at, created_at, updated_at)
        select ${tenantId}::uuid, x.ad_id, x.number_id, 'pending', ${at}::timestamptz, ${at}::timestamptz, ${at}::timestamptz
        from jsonb_to_recordset(${json}::jsonb) as x(ad_id text, number_id uuid)
        order by x.ad_id
        on conflict (tenant_id, ad_id) do nothing
        returning ad_id
      ), queued as (
        insert into ${jobs} as j (tenant_id, kind, dedupe_key, payload, status, attempts, max_attempts, run_at, created_at, updated_at)
        select ${tenantId}::uuid, ${job.kind}, ${adJobKeySql(tenantId, sql`i.ad_id`)}, jsonb_build_object('tenantId', ${tenantId}::text, 'adId', i.ad_id),
          'pending', 0, ${job.maxAttempts}::int, ${at}::timestamptz, ${at}::timestamptz, ${at}::timestamptz
        from inserted i
        on conflict (kind, dedupe_key) do update set
          status = 'pending', attempts = 0, run_at = excluded.run_at, lease_expires_at = null, last_error = null, payload = excluded.payload,
          max_attempts = excluded.max_attempts, updated_at = excluded.updated_at
        where j.status in ('done', 'failed', 'cancelled')
        returning j.id
      )
      select ad_id from inserted`),
  );
  return new Set(inserted.map((r) => r.ad_id));
}

/**
 * The cached rows of these ad ids, locked FOR SHARE until the caller's transaction ends: an enrichment
 * that commits meanwhile is seen here, and one that has not started yet waits for the conversations this
 * transaction inserts, so no conversation misses its names.
 */
export async function lockAdCache(db: Db, { tenantId, adIds }: { tenantId: string; adIds: string[] }): Promise<AdCacheRow[]> {
  if (adIds.length === 0) return [];
  return db
    .select({
      adId: ads.adId,
      status: ads.status,
      error: ads.error,
      enrichedAt: ads.enrichedAt,
      adName: ads.adName,
      adsetId: ads.adsetId,
      adsetName: ads.adsetName,
      campaignId: ads.campaignId,
      campaignName: ads.campaignName,
      creativeId: ads.creativeId,
      creativeName: ads.creativeName,
    })
    .from(ads)
    .where(and(eq(ads.tenantId, tenantId), adIdIn(adIds)))
    .orderBy(ads.adId)
    .for("share");
}

export async function getAdByAdId(db: Db, { tenantId, adId }: Key): Promise<AdRow | null> {
  return takeFirstOrNull(
    await db
      .select()
      .from(ads)
      .where(and(eq(ads.tenantId, tenantId), eq(ads.adId, adId)))
      .limit(1),
  );
}

/** The names Meta returned: stored on the ad, copied onto all its conversations and onto the subscribers whose first touch it is. */
export async function saveAdEnrichment(
  db: Db,
  { tenantId, adId, names, now }: Key & { names: AdNames; now: Date },
): Promise<{ conversations: number; subscribers: number }> {
  const updated = await db
    .update(ads)
    .set({ ...names, status: "enriched", error: null, attempts: sql`${ads.attempts} + 1`, enrichedAt: now, updatedAt: now })
    .where(and(eq(ads.tenantId, tenantId), eq(ads.adId, adId)))
    .returning({ id: ads.id });
  if (updated.length === 0) return { conversations: 0, subscribers: 0 };
  const touched = await db
    .update(conversations)
    .set({ ...names, enrichedAt: now, enrichmentError: null, updatedAt: now })
    .where(and(eq(conversations.tenantId, tenantId), eq(conversations.adId, adId)))
    .returning({ id: conversations.id });
  const firstTouch = await db
    .update(subscribers)
    .set({ firstTouchCampaignId: names.campaignId, updatedAt: now })
    .where(
      and(
        eq(subscribers.tenantId, tenantId),
        eq(subscribers.firstTouchAdId, adId),
        sql`${subscribers.firstTouchCampaignId} is distinct from ${names.campaignId}`,
      ),
    )
    .returning({ id: subscribers.id });
  return { conversations: touched.length, subscribers: firstTouch.length };
}

/**
 * A failed fetch: the error on the ad (attempts + 1; `failed` when no retry follows, `pending` while one
 * does) and on its conversations that have no names yet. An ad enriched before keeps its names and status.
 */
export async function saveAdEnrichmentFailure(
  db: Db,
  { tenantId, adId, error, final, now }: Key & { error: string; final: boolean; now: Date },
): Promise<void> {
  const next = final ? "failed" : "pending";
  const updated = await db
    .update(ads)
    .set({ status: sql`case when ${ads.status} = 'enriched' then 'enriched' else ${next} end`, error, attempts: sql`${ads.attempts} + 1`, updatedAt: now })
    .where(and(eq(ads.tenantId, tenantId), eq(ads.adId, adId)))
    .returning({ id: ads.id });
  if (updated.length === 0) return;
  await db
    .update(conversations)
    .set({ enrichmentError: error, updatedAt: now })
    .where(and(eq(conversations.tenantId, tenantId), eq(conversations.adId, adId), sql`${conversations.enrichedAt} is null`));
}

/** A failed ad goes back to `pending` when it is queued again (its last error stays until the next outcome). */
export async function markAdPending(db: Db, { tenantId, adId, now }: Key & { now: Date }): Promise<AdRow | null> {
  const [row] = await db
    .update(ads)
    .set({ status: sql`case when ${ads.status} = 'failed' then 'pending' else ${ads.status} end`, updatedAt: now })
    .where(and(eq(ads.tenantId, tenantId), eq(ads.adId, adId)))
    .returning();
  return row ?? null;
}

export type AdListFilters = { tenantId: string; status?: AdStatus; cursor?: Cursor; limit: number; jobKind: string };

/**
 * Keyset page (limit + 1 rows) of the tenant's ads, newest first, with their enrichment job (state, attempts,
 * next run): the enrichment view. The cursor is (first_seen_at, id).
 */
export async function listAdsPage(db: Db, f: AdListFilters) {
  return db
    .select({
      id: ads.id,
      adId: ads.adId,
      numberId: ads.numberId,
      adName: ads.adName,
      adsetId: ads.adsetId,
      adsetName: ads.adsetName,
      campaignId: ads.campaignId,
      campaignName: ads.campaignName,
      creativeId: ads.creativeId,
      creativeName: ads.creativeName,
      status: ads.status,
      error: ads.error,
      attempts: ads.attempts,
      enrichedAt: ads.enrichedAt,
      firstSeenAt: ads.firstSeenAt,
      updatedAt: ads.updatedAt,
      jobStatus: jobs.status,
      jobAttempts: jobs.attempts,
      jobMaxAttempts: jobs.maxAttempts,
      jobRunAt: jobs.runAt,
      jobLastError: jobs.lastError,
    })
    .from(ads)
    .leftJoin(jobs, and(eq(jobs.kind, f.jobKind), eq(jobs.dedupeKey, adJobKeySql(ads.tenantId, ads.adId))))
    .where(and(eq(ads.tenantId, f.tenantId), f.status ? eq(ads.status, f.status) : undefined, beforeCursor(ads.firstSeenAt, ads.id, f.cursor)))
    .orderBy(desc(ads.firstSeenAt), desc(ads.id))
    .limit(f.limit + 1);
}

export type AdListRow = Awaited<ReturnType<typeof listAdsPage>>[number];

/** The ads and campaigns a tenant has seen, for the subscriber list's filter menus (one row per ad id). */
export async function listAdOptions(db: Db, tenantId: string, limit = 500) {
  return db
    .select({ adId: ads.adId, adName: ads.adName, campaignId: ads.campaignId, campaignName: ads.campaignName })
    .from(ads)
    .where(eq(ads.tenantId, tenantId))
    .orderBy(desc(ads.firstSeenAt))
    .limit(limit);
}
