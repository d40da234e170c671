// conversations: a 24 h customer-service window, or an ad click (referral) that starts a new attributed one.
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { conversations, type NewConversation } from "../schema";
import { takeFirstOrNull, newestFirst } from "./keyset";
import { toRecordsetJson } from "./messages";

export type ConversationRow = typeof conversations.$inferSelect;

const CHUNK = 500;

const COLUMNS = `id, tenant_id, subscriber_id, number_id, started_at, last_message_at, window_expires_at, ctwa_clid, source_url, source_type, source_id,
  headline, body, media_type, image_url, video_url, thumbnail_url, welcome_text, referral, utm_source, utm_medium, utm_campaign, utm_content, utm_term, ad_id,
  campaign_id, campaign_name, adset_id, adset_name, ad_name, creative_id, creative_name, enriched_at, enrichment_error`;
const TYPED_COLUMNS = sql.raw(`id uuid, tenant_id uuid, subscriber_id uuid, number_id uuid, started_at timestamptz, last_message_at timestamptz,
  window_expires_at timestamptz, ctwa_clid text, source_url text, source_type text, source_id text, headline text, body text, media_type text,
  image_url text, video_url text, thumbnail_url text, welcome_text text, referral jsonb, utm_source text, utm_medium text, utm_campaign text,
  utm_content text, utm_term text, ad_id text, campaign_id text, campaign_name text, adset_id text, adset_name text, ad_name text,
  creative_id text, creative_name text, enriched_at timestamptz, enrichment_error text`);

/** Inserts conversations whose ids the caller generated (so messages and subscribers can point at them first), with any cached ad names. */
export async function insertConversations(db: Db, rows: NewConversation[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    const json = toRecordsetJson(
      rows.slice(i, i + CHUNK).map((c) => ({
        id: c.id,
        tenant_id: c.tenantId,
        subscriber_id: c.subscriberId,
        number_id: c.numberId,
        started_at: c.startedAt,
        last_message_at: c.lastMessageAt,
        window_expires_at: c.windowExpiresAt,
        ctwa_clid: c.ctwaClid,
        source_url: c.sourceUrl,
        source_type: c.sourceType,
        source_id: c.sourceId,
        headline: c.headline,
        body: c.body,
        media_type: c.mediaType,
        image_url: c.imageUrl,
        video_url: c.videoUrl,
        thumbnail_url: c.thumbnailUrl,
        welcome_text: c.welcomeText,
        referral: c.referral,
        utm_source: c.utmSource,
        utm_medium: c.utmMedium,
        utm_campaign: c.utmCampaign,
        utm_content: c.utmContent,
        utm_term: c.utmTerm,
        ad_id: c.adId,
        campaign_id: c.campaignId,
        campaign_name: c.campaignName,
        adset_id: c.adsetId,
        adset_name: c.adsetName,
        ad_name: c.adName,
        creative_id: c.creativeId,
        creative_name: c.creativeName,
        enriched_at: c.enrichedAt,
        enrichment_error: c.enrichmentError,
      })),
    );
    await db.execute(sql`
      insert into ${conversations} (${sql.raw(COLUMNS)})
      select ${sql.raw(COLUMNS)} from jsonb_to_recordset(${json}::jsonb) as x(${TYPED_COLUMNS})`);
  }
}

/** Extends open conversations: last message and window end only move forward. */
export async function extendConversations(
  db: Db,
  { tenantId, rows, now }: { tenantId: string; rows: { id: string; lastMessageAt: Date; windowExpiresAt: Date }[]; now: Date },
): Promise<void> {
  if (rows.length === 0) return;
  const json = toRecordsetJson(rows.map((r) => ({ tenant_id: tenantId, id: r.id, last_message_at: r.lastMessageAt, window_expires_at: r.windowExpiresAt })));
  await db.execute(sql`
    update ${conversations} as c set
      last_message_at = greatest(c.last_message_at, x.last_message_at),
      window_expires_at = greatest(c.window_expires_at, x.window_expires_at),
      updated_at = ${now.toISOString()}::timestamptz
    from jsonb_to_recordset(${json}::jsonb) as x(tenant_id uuid, id uuid, last_message_at timestamptz, window_expires_at timestamptz)
    where c.id = x.id and c.tenant_id = x.tenant_id
      and (x.last_message_at > c.last_message_at or x.window_expires_at > c.window_expires_at)`);
}

export async function getConversationById(db: Db, { tenantId, id }: { tenantId: string; id: string }): Promise<ConversationRow | null> {
  return takeFirstOrNull(
    await db
      .select()
      .from(conversations)
      .where(and(eq(conversations.tenantId, tenantId), eq(conversations.id, id)))
      .limit(1),
  );
}

/** A subscriber's conversations, newest first (bounded: the detail page shows the recent ones). */
export async function listSubscriberConversations(
  db: Db,
  { tenantId, subscriberId, limit = 100 }: { tenantId: string; subscriberId: string; limit?: number },
): Promise<ConversationRow[]> {
  return db
    .select()
    .from(conversations)
    .where(and(eq(conversations.tenantId, tenantId), eq(conversations.subscriberId, subscriberId)))
    .orderBy(...newestFirst(conversations.startedAt, conversations.id))
    .limit(limit);
}
