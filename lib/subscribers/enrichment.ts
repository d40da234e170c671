// Ad enrichment: the names of a Click-to-WhatsApp ad (ad, ad set, campaign, creative) fetched once per
// (tenant, ad id) from the Graph API with the token of the number that received the click, cached in
// `ads` and copied onto every conversation of that ad and onto the subscribers whose first touch it is.
// Ingestion registers new ad ids (one job each) and copies names that are already cached; the job does
// the fetch, retried with backoff by the jobs queue when the failure is temporary.
import { z } from "zod";
import type { Db } from "@/db/client";
import {
  type AdCacheRow,
  type AdListRow,
  type AdNames,
  type SubscriberIngestState,
  adJobKey,
  getAdByAdId,
  getNumberById,
  insertAdsAndQueueJobs,
  listAdsPage,
  lockAdCache,
  markAdPending,
  saveAdEnrichment,
  saveAdEnrichmentFailure,
} from "@/db/queries";
import { AD_ENRICHMENT_STATUSES, type NewConversation } from "@/db/schema";
import { decryptSecret } from "@/lib/crypto";
import { notFound } from "@/lib/errors";
import { demoNumberRefusal } from "@/lib/numbers/demo-number";
import { enqueueJob, type JobHandler } from "@/lib/jobs/queue";
import { type Page, decodeCursor, pageParamsSchema, toPage } from "@/lib/pagination";
import { type GraphConfig, type GraphFailure, describeGraphFailure, graphRequest, isGraphRateLimit, isTransientGraphFailure } from "@/lib/graph/client";

export const AD_ENRICHMENT_JOB = "ad_enrichment";
export const AD_ENRICHMENT_MAX_ATTEMPTS = 5; // with the queue's backoff: about 45 minutes of retries
export const AD_FIELDS = "name,adset{id,name},campaign{id,name},creative{id,name}";

export type EnrichmentDeps = { encryptionKey: string; graph: GraphConfig };
export type AdCache = Map<string, AdCacheRow>;

// ------------------------------------------------------------------------------------------- ingestion

/**
 * For the ad ids of a batch's new conversations: caches the unknown ones (`pending`, fetched with the
 * token of the first conversation's number) and queues one job for each row actually inserted, then
 * returns every one of them from the cache, locked until the batch commits (see lockAdCache). Call it
 * before the batch locks subscribers: the job locks the ad first, then conversations and subscribers.
 */
export async function registerConversationAds(
  tx: Db,
  { tenantId, conversations, now }: { tenantId: string; conversations: Pick<NewConversation, "adId" | "numberId">[]; now: Date },
): Promise<AdCache> {
  const numberOf = new Map<string, string | null>();
  for (const c of conversations) if (c.adId && !numberOf.has(c.adId)) numberOf.set(c.adId, c.numberId ?? null);
  if (numberOf.size === 0) return new Map();
  const rows = [...numberOf].map(([adId, numberId]) => ({ adId, numberId }));
  await insertAdsAndQueueJobs(tx, { tenantId, rows, now, job: { kind: AD_ENRICHMENT_JOB, maxAttempts: AD_ENRICHMENT_MAX_ATTEMPTS } });
  const cached = await lockAdCache(tx, { tenantId, adIds: [...numberOf.keys()] });
  return new Map(cached.map((row) => [row.adId, row]));
}

const namesOf = (a: AdNames): AdNames => ({
  adName: a.adName,
  adsetId: a.adsetId,
  adsetName: a.adsetName,
  campaignId: a.campaignId,
  campaignName: a.campaignName,
  creativeId: a.creativeId,
  creativeName: a.creativeName,
});

/** In place: cached names onto new conversations (or the ad's last error), the first touch's campaign onto the subscriber. */
export function applyAdCache(cache: AdCache, plan: { state: SubscriberIngestState; conversations: NewConversation[] }): void {
  if (cache.size === 0) return;
  for (const c of plan.conversations) {
    const ad = c.adId ? cache.get(c.adId) : undefined;
    if (ad?.status === "enriched") Object.assign(c, namesOf(ad), { enrichedAt: ad.enrichedAt, enrichmentError: null });
    else if (ad?.error) c.enrichmentError = ad.error;
  }
  const s = plan.state;
  const first = s.firstTouchAdId ? cache.get(s.firstTouchAdId) : undefined;
  if (first?.status === "enriched" && s.firstTouchCampaignId === null) s.firstTouchCampaignId = first.campaignId;
}

// ------------------------------------------------------------------------------------------- the job

const payloadSchema = z.object({ tenantId: z.uuid(), adId: z.string().min(1) });
const idName = z.looseObject({ id: z.string(), name: z.string().optional() });
const adResponseSchema = z.looseObject({
  id: z.string(),
  name: z.string().optional(),
  adset: idName.optional(),
  campaign: idName.optional(),
  creative: idName.optional(),
});

type Fetched = { ok: true; names: AdNames } | { ok: false; error: string; retryable: boolean };

function adErrorHint(e: GraphFailure): string | null {
  if (e.kind !== "graph" || e.code === null) return null;
  if (e.code === 190 || e.code === 102) return "The number's access token was rejected: replace it on the number's page.";
  if (e.code === 10 || (e.code >= 200 && e.code <= 299)) return "The token needs the ads_read permission on the ad account that ran this ad.";
  if (e.code === 100) return "The ad does not exist, or the number's token cannot see its ad account.";
  if (isGraphRateLimit(e)) return "Meta's rate limit was reached; it is retried later.";
  return null;
}

/** One line for the conversation and the enrichment view: Meta's code, subcode, message and trace id, verbatim. */
export function describeAdFailure(e: GraphFailure): string {
  const hint = adErrorHint(e);
  const text = describeGraphFailure(e);
  return hint ? `${text}. ${hint}` : text;
}

async function fetchAd(db: Db, deps: EnrichmentDeps, { tenantId, adId }: { tenantId: string; adId: string }): Promise<Fetched | null> {
  const ad = await getAdByAdId(db, { tenantId, adId });
  if (!ad) return null;
  const fail = (error: string): Fetched => ({ ok: false, error, retryable: false });
  if (!/^\d{1,32}$/.test(adId)) return fail(`"${adId}" is not a Meta ad id (ad ids are digits only)`);
  const number = ad.numberId ? await getNumberById(db, { tenantId, id: ad.numberId }) : null;
  if (!number) return fail("The number that received this ad's first conversation was removed; ad names are fetched with that number's access token.");
  const demo = demoNumberRefusal(number);
  if (demo) return fail(demo);
  if (!number.accessTokenEnc) return fail(`Number "${number.label}" has no Graph API access token (only Cloud API numbers can fetch ad names).`);
  let token: string;
  try {
    token = decryptSecret(number.accessTokenEnc, deps.encryptionKey);
  } catch {
    return fail(`The access token of number "${number.label}" cannot be decrypted (was ENCRYPTION_KEY changed?). Replace it on the number's page.`);
  }
  const res = await graphRequest(deps.graph, { path: encodeURIComponent(adId), token, query: { fields: AD_FIELDS }, schema: adResponseSchema });
  if (!res.ok) return { ok: false, error: describeAdFailure(res.error), retryable: isTransientGraphFailure(res.error) };
  const d = res.data;
  return {
    ok: true,
    names: {
      adName: d.name ?? null,
      adsetId: d.adset?.id ?? null,
      adsetName: d.adset?.name ?? null,
      campaignId: d.campaign?.id ?? null,
      campaignName: d.campaign?.name ?? null,
      creativeId: d.creative?.id ?? null,
      creativeName: d.creative?.name ?? null,
    },
  };
}

/**
 * The `ad_enrichment` job: one Graph call outside any transaction, then the ad, its conversations and the
 * subscribers whose first touch it is in one transaction. A failure is recorded on the ad and on its
 * conversations without names; it is final (`failed`) when not retryable or on the job's last attempt.
 */
export function adEnrichmentHandler(db: Db, deps: EnrichmentDeps): JobHandler {
  return async (job, { now }) => {
    const payload = payloadSchema.safeParse(job.payload);
    if (!payload.success) return { ok: false, error: "The job's payload names no ad (tenantId and adId are required)", retryable: false };
    const key = payload.data;
    const fetched = await fetchAd(db, deps, key);
    if (!fetched) return { ok: false, error: `Ad ${key.adId} is no longer in the enrichment cache`, retryable: false };
    if (fetched.ok) {
      const counts = await db.transaction((tx) => saveAdEnrichment(tx, { ...key, names: fetched.names, now }));
      return { ok: true, result: { campaignId: fetched.names.campaignId, ...counts } };
    }
    const final = !fetched.retryable || job.attempts >= job.maxAttempts;
    await db.transaction((tx) => saveAdEnrichmentFailure(tx, { ...key, error: fetched.error, final, now }));
    return { ok: false, error: fetched.error, retryable: fetched.retryable };
  };
}

// ------------------------------------------------------------------------------------------- the console

/** Queues the ad's fetch again (a failed ad goes back to `pending`); `queued` is false when a job is already waiting or running. */
export async function retryAdEnrichment(db: Db, { tenantId, adId, now }: { tenantId: string; adId: string; now: Date }) {
  return db.transaction(async (tx) => {
    const ad = await markAdPending(tx, { tenantId, adId, now });
    if (!ad) throw notFound("Ad");
    const job = await enqueueJob(tx, {
      tenantId,
      kind: AD_ENRICHMENT_JOB,
      dedupeKey: adJobKey(tenantId, adId),
      payload: { tenantId, adId },
      runAt: now,
      maxAttempts: AD_ENRICHMENT_MAX_ATTEMPTS,
      ifFinished: "requeue",
    });
    return { ad, queued: job !== null };
  });
}

export const adListParamsSchema = pageParamsSchema.extend({ status: z.enum(AD_ENRICHMENT_STATUSES).optional() });
export type AdListParams = z.infer<typeof adListParamsSchema>;

/** The enrichment view: the tenant's ads, newest first, with status, last error and the job's next run. */
export async function listAdEnrichments(db: Db, { tenantId, cursor, limit, status }: { tenantId: string } & AdListParams): Promise<Page<AdListRow>> {
  const rows = await listAdsPage(db, { tenantId, status, cursor: cursor ? decodeCursor(cursor) : undefined, limit, jobKind: AD_ENRICHMENT_JOB });
  return toPage(rows, limit, (r) => ({ at: r.firstSeenAt, id: r.id }));
}
