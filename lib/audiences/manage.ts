// Meta Custom Audiences, the admins' side (issue 23): connect an ad account's audience (an existing one, or one created
// here as a customer list, docs/meta-custom-audiences.md), say who goes into it (a segment: the subscriber list's
// filters), switch it on or off, sync it now, disconnect it. The token is a Cloud number's (already sealed on the
// number) or a system user's pasted here, sealed with ENCRYPTION_KEY and never returned. Graph's refusals become
// AppErrors with Meta's words and our reading of them (explainAudienceError). The sync itself is lib/audiences/sync.ts.
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { isUniqueViolation } from "@/db/errors";
import { getNumberById } from "@/db/queries";
import { markAudienceSyncing } from "@/db/queries/audiences";
import { type MetaAudience, metaAudiences } from "@/db/schema";
import { encryptSecret, openSecret } from "@/lib/crypto";
import { getEnv } from "@/lib/env";
import { AppError, notFound } from "@/lib/errors";
import { type GraphConfig, type GraphFailure, graphRequest, isGraphRateLimit } from "@/lib/graph/client";
import { explainAudienceError } from "./errors";
import {
  type AudiencePatch,
  audiencePatchSchema,
  type ConnectAudienceInput,
  connectAudienceInputSchema,
  type LoadAudiencesInput,
  loadAudiencesInputSchema,
  type TokenSource,
} from "./manage-input";
import { type AudienceSyncDeps, audienceSyncDepsFromEnv, forgetTenantAudiences, requestAudienceSync } from "./sync";

/** How a requested sync runs: in this process at once (the console), or only from the queue (runInProcess: false). */
export type AudienceSyncRun = { runInProcess?: boolean; deps?: AudienceSyncDeps };
export type AudienceManageDeps = { encryptionKey: string; graph: GraphConfig; sync?: AudienceSyncRun };

export function audienceManageDepsFromEnv(): AudienceManageDeps {
  const env = getEnv();
  return { encryptionKey: env.ENCRYPTION_KEY, graph: { base: env.GRAPH_API_BASE, version: env.GRAPH_API_VERSION }, sync: { deps: audienceSyncDepsFromEnv() } };
}

// ---------------------------------------------------------------------------------------------------------------
// Graph

const AUDIENCE_FIELDS = "id,name,approximate_count_lower_bound,approximate_count_upper_bound,subtype,operation_status";
const AUDIENCE_PAGE = 200;
/** The picker lists at most this many of an ad account's audiences (Meta pages them; an account rarely has more). */
export const AUDIENCE_LIST_MAX = 1_000;

const adAccountAudienceSchema = z.looseObject({
  id: z.coerce.string(),
  name: z.string().optional(),
  approximate_count_lower_bound: z.coerce.number().optional(),
  approximate_count_upper_bound: z.coerce.number().optional(),
  subtype: z.string().optional(),
  operation_status: z.looseObject({ code: z.coerce.number().optional(), description: z.string().optional() }).optional(),
});
const audienceListResponse = z.looseObject({
  data: z.array(adAccountAudienceSchema),
  paging: z.looseObject({ cursors: z.looseObject({ after: z.string().optional() }).optional(), next: z.string().optional() }).optional(),
});
const createdAudienceResponse = z.looseObject({ id: z.coerce.string() });

/** One of an ad account's Custom Audiences, as the picker shows it. */
export type AdAccountAudience = {
  id: string;
  name: string;
  subtype: string | null;
  /** Meta's size estimate (a range; null when Meta gives none) */
  approximateCount: { lower: number; upper: number } | null;
  /** Meta's operation status in words, e.g. "Normal" */
  status: string | null;
};

/** A Graph failure as an AppError: Meta's words verbatim and our reading (the missing ads_management explained). */
export function audienceGraphError(failure: GraphFailure, adAccountId?: string): AppError {
  const explained = explainAudienceError(failure, { adAccountId });
  const code = isGraphRateLimit(failure) || failure.httpStatus === 429 ? "rate_limited" : explained.retryable ? "unavailable" : "provider_error";
  const message = explained.hint ? `${explained.hint} Meta said: ${explained.message}` : explained.message;
  return new AppError(code, message, { meta: explained.message, hint: explained.hint, retryable: explained.retryable });
}

type Credentials = { token: string; numberId: string | null; accessTokenEnc: string | null };

/** The token to call Graph with: the chosen Cloud number's, or the pasted one (sealed for storage). */
async function resolveCredentials(db: Db, deps: AudienceManageDeps, tenantId: string, input: TokenSource): Promise<Credentials> {
  if (input.tokenSource === "token") {
    const token = input.accessToken!;
    return { token, numberId: null, accessTokenEnc: encryptSecret(token, deps.encryptionKey) };
  }
  const number = await getNumberById(db, { tenantId, id: input.numberId! });
  const fieldError = (message: string) => new AppError("unprocessable", message, { fieldErrors: { numberId: [message] } });
  if (!number) throw fieldError("That number is not in this workspace");
  if (number.provider !== "cloud") throw fieldError("Only a Cloud API number has a Meta access token; paste a system user token instead");
  const token = openSecret(number.accessTokenEnc, deps.encryptionKey);
  if (!token) throw fieldError("This number's access token cannot be read (was ENCRYPTION_KEY changed?): replace it on the number's page");
  return { token, numberId: number.id, accessTokenEnc: null };
}

async function listAdAccountAudiences(deps: AudienceManageDeps, token: string, adAccountId: string): Promise<AdAccountAudience[]> {
  const all: AdAccountAudience[] = [];
  let after: string | undefined;
  do {
    const res = await graphRequest(deps.graph, {
      path: `act_${adAccountId}/customaudiences`,
      token,
      query: { fields: AUDIENCE_FIELDS, limit: String(AUDIENCE_PAGE), ...(after ? { after } : {}) },
      schema: audienceListResponse,
    });
    if (!res.ok) throw audienceGraphError(res.error, adAccountId);
    all.push(...res.data.data.map(toAdAccountAudience));
    // Meta names a next page only when there is one; its cursor goes in `after`
    after = res.data.paging?.next && res.data.data.length > 0 ? res.data.paging.cursors?.after : undefined;
  } while (after && all.length < AUDIENCE_LIST_MAX);
  return all.slice(0, AUDIENCE_LIST_MAX);
}

function toAdAccountAudience(a: z.output<typeof adAccountAudienceSchema>): AdAccountAudience {
  return {
    id: a.id,
    name: a.name ?? `Audience ${a.id}`,
    subtype: a.subtype ?? null,
    approximateCount:
      a.approximate_count_lower_bound !== undefined && a.approximate_count_upper_bound !== undefined
        ? { lower: a.approximate_count_lower_bound, upper: a.approximate_count_upper_bound }
        : null,
    status: a.operation_status?.description ?? null,
  };
}

/** The ad account's Custom Audiences (at most AUDIENCE_LIST_MAX), so an admin can pick one. Reads only; stores nothing. */
export async function fetchAdAccountAudiences(db: Db, deps: AudienceManageDeps, { tenantId, input }: { tenantId: string; input: LoadAudiencesInput }) {
  const parsed = loadAudiencesInputSchema.parse(input);
  const credentials = await resolveCredentials(db, deps, tenantId, parsed);
  return { adAccountId: parsed.adAccountId, audiences: await listAdAccountAudiences(deps, credentials.token, parsed.adAccountId) };
}

/** POST /act_{id}/customaudiences: a customer-list audience of people who wrote to the business themselves. */
async function createMetaAudience(deps: AudienceManageDeps, token: string, adAccountId: string, name: string, description?: string): Promise<string> {
  const res = await graphRequest(deps.graph, {
    method: "POST",
    path: `act_${adAccountId}/customaudiences`,
    token,
    body: { name, subtype: "CUSTOM", customer_file_source: "USER_PROVIDED_ONLY", ...(description ? { description } : {}) },
    schema: createdAudienceResponse,
  });
  if (!res.ok) throw audienceGraphError(res.error, adAccountId);
  return res.data.id;
}

// ---------------------------------------------------------------------------------------------------------------
// Operations

/** What the console may see of a connected audience (never its token). */
export type ManagedAudience = Omit<MetaAudience, "accessTokenEnc"> & { hasOwnToken: boolean };

function managed(row: MetaAudience): ManagedAudience {
  const { accessTokenEnc, ...rest } = row;
  return { ...rest, hasOwnToken: accessTokenEnc !== null };
}

async function requireAudienceRow(db: Db, { tenantId, id }: { tenantId: string; id: string }): Promise<MetaAudience> {
  const [row] = await db
    .select()
    .from(metaAudiences)
    .where(and(eq(metaAudiences.tenantId, tenantId), eq(metaAudiences.id, id)))
    .limit(1);
  if (!row) throw notFound("Audience");
  return row;
}

/** One connected audience of the workspace (not_found for another workspace's). */
export async function getManagedAudience(db: Db, key: { tenantId: string; id: string }): Promise<ManagedAudience> {
  return managed(await requireAudienceRow(db, key));
}

/** Settings' Audiences card: how many are connected, and how many are switched on with a failed last sync. */
export async function summarizeAudiences(db: Db, { tenantId }: { tenantId: string }): Promise<{ total: number; failing: number }> {
  const [row] = await db
    .select({
      total: sql<number>`count(*)::int`,
      failing: sql<number>`(count(*) filter (where ${metaAudiences.enabled} and ${metaAudiences.syncStatus} = 'error'))::int`,
    })
    .from(metaAudiences)
    .where(eq(metaAudiences.tenantId, tenantId));
  return { total: Number(row?.total ?? 0), failing: Number(row?.failing ?? 0) };
}

/**
 * Connects an audience: checks the picked one is in the ad account (or creates a new one at Meta), stores it
 * (one row per workspace and Meta audience: a second connect is a conflict) and queues its first full sync.
 */
export async function connectAudience(
  db: Db,
  deps: AudienceManageDeps,
  { tenantId, input, now }: { tenantId: string; input: ConnectAudienceInput; now: Date },
): Promise<ManagedAudience> {
  const v = connectAudienceInputSchema.parse(input);
  const credentials = await resolveCredentials(db, deps, tenantId, v);
  let audienceId: string;
  let name: string;
  if (v.audience === "existing") {
    const found = (await listAdAccountAudiences(deps, credentials.token, v.adAccountId)).find((a) => a.id === v.audienceId);
    if (!found) {
      const message = `Audience ${v.audienceId} is not in ad account act_${v.adAccountId}, or this token cannot see it`;
      throw new AppError("unprocessable", message, { fieldErrors: { audienceId: [message] } });
    }
    await assertNotConnected(db, tenantId, found.id);
    audienceId = found.id;
    name = v.name || found.name;
  } else {
    audienceId = await createMetaAudience(deps, credentials.token, v.adAccountId, v.name!, v.description);
    name = v.name!;
  }
  let row: MetaAudience;
  try {
    [row] = (await db
      .insert(metaAudiences)
      .values({
        tenantId,
        numberId: credentials.numberId,
        accessTokenEnc: credentials.accessTokenEnc,
        adAccountId: v.adAccountId,
        audienceId,
        name,
        segment: v.segment,
        createdAt: now,
        updatedAt: now,
      })
      .returning()) as [MetaAudience];
  } catch (e) {
    if (isUniqueViolation(e, "meta_audiences_tenant_audience_key")) throw alreadyConnected(audienceId);
    throw e;
  }
  // after the row committed (an in-process run reads it); should this fail, the scheduler's tick finds the audience never synced
  await requestAudienceSync(db, { tenantId, audienceId: row.id, now, full: true }, deps.sync);
  return managed(row);
}

const alreadyConnected = (audienceId: string) =>
  new AppError("conflict", `Audience ${audienceId} is already connected in this workspace: open it from the list to change its segment or sync it`, {
    fieldErrors: { audienceId: ["Already connected"] },
  });

async function assertNotConnected(db: Db, tenantId: string, audienceId: string) {
  const [row] = await db
    .select({ id: metaAudiences.id })
    .from(metaAudiences)
    .where(and(eq(metaAudiences.tenantId, tenantId), eq(metaAudiences.audienceId, audienceId)))
    .limit(1);
  if (row) throw alreadyConnected(audienceId);
}

/**
 * Renames (our label only: Meta's audience keeps its name), changes the segment or switches the sync on or off.
 * A new segment or switching on queues a full sync: people who no longer match are removed, new matches added.
 */
export async function updateAudience(
  db: Db,
  { tenantId, id, patch, now }: { tenantId: string; id: string; patch: AudiencePatch; now: Date },
  sync?: AudienceSyncRun,
): Promise<ManagedAudience> {
  const p = audiencePatchSchema.parse(patch);
  const before = await requireAudienceRow(db, { tenantId, id });
  const [row] = await db
    .update(metaAudiences)
    .set({
      ...(p.name !== undefined ? { name: p.name } : {}),
      ...(p.segment !== undefined ? { segment: p.segment } : {}),
      ...(p.enabled !== undefined ? { enabled: p.enabled } : {}),
      updatedAt: now,
    })
    .where(and(eq(metaAudiences.tenantId, tenantId), eq(metaAudiences.id, id)))
    .returning();
  if (!row) throw notFound("Audience");
  const segmentChanged = p.segment !== undefined && JSON.stringify(sortKeys(p.segment)) !== JSON.stringify(sortKeys(before.segment));
  const switchedOn = p.enabled === true && !before.enabled;
  if (row.enabled && (segmentChanged || switchedOn)) await requestAudienceSync(db, { tenantId, audienceId: id, now, full: true }, sync);
  else if (p.enabled !== undefined && p.enabled !== before.enabled) forgetTenantAudiences(tenantId); // ingestion's cached list
  return managed(row);
}

const sortKeys = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

/** Forgets the audience here (its members list and token with it). Meta's audience and the people in it stay. */
export async function disconnectAudience(db: Db, { tenantId, id }: { tenantId: string; id: string }): Promise<{ name: string; audienceId: string }> {
  const [row] = await db
    .delete(metaAudiences)
    .where(and(eq(metaAudiences.tenantId, tenantId), eq(metaAudiences.id, id)))
    .returning({ name: metaAudiences.name, audienceId: metaAudiences.audienceId });
  if (!row) throw notFound("Audience");
  forgetTenantAudiences(tenantId);
  return row;
}

/** "Sync now": queues a full sync at once (a switched-off audience is refused: switch it on first). */
export async function syncAudienceNow(
  db: Db,
  { tenantId, id, now }: { tenantId: string; id: string; now: Date },
  sync?: AudienceSyncRun,
): Promise<ManagedAudience> {
  const row = await requireAudienceRow(db, { tenantId, id });
  if (!row.enabled) throw new AppError("conflict", "This audience is switched off: switch it on to sync it");
  // shown as syncing from the press on (the run sets idle or error when it ends), so the pages follow it
  await markAudienceSyncing(db, { tenantId, id, now });
  await requestAudienceSync(db, { tenantId, audienceId: id, now, full: true }, sync);
  return { ...managed(row), syncStatus: "syncing" };
}
