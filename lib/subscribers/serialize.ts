// A subscriber as the API returns it: the field names of seeds/000 (unix-ms timestamps), the
// first touch's referral and attribution at the top level, and every conversation with its own.
import type { ConversationRow } from "@/db/queries/conversations";
import type { SubscriberRow } from "@/db/queries/subscribers";

/** Unix ms; a time that is always set stays a number (its type says so). */
function ms(d: Date): number;
function ms(d: Date | null | undefined): number | null;
function ms(d: Date | null | undefined): number | null {
  return d ? d.getTime() : null;
}

export type ReferralJson = {
  sourceUrl: string | null;
  sourceType: string | null;
  sourceId: string | null;
  headline: string | null;
  body: string | null;
  mediaType: string | null;
  imageUrl: string | null;
  videoUrl: string | null;
  thumbnailUrl: string | null;
  welcomeText: string | null;
};

export function conversationJson(c: ConversationRow) {
  const referral: ReferralJson | null =
    c.sourceType || c.sourceId || c.ctwaClid || c.referral
      ? {
          sourceUrl: c.sourceUrl,
          sourceType: c.sourceType,
          sourceId: c.sourceId,
          headline: c.headline,
          body: c.body,
          mediaType: c.mediaType,
          imageUrl: c.imageUrl,
          videoUrl: c.videoUrl,
          thumbnailUrl: c.thumbnailUrl,
          welcomeText: c.welcomeText,
        }
      : null;
  return {
    id: c.id,
    numberId: c.numberId,
    startedAt: ms(c.startedAt),
    lastMessageAt: ms(c.lastMessageAt),
    windowExpiresAt: ms(c.windowExpiresAt),
    ctwaClid: c.ctwaClid,
    referral,
    utmSource: c.utmSource,
    utmMedium: c.utmMedium,
    utmCampaign: c.utmCampaign,
    utmContent: c.utmContent,
    utmTerm: c.utmTerm,
    adId: c.adId,
    campaignId: c.campaignId,
    campaignName: c.campaignName,
    adsetId: c.adsetId,
    adsetName: c.adsetName,
    adName: c.adName,
    creativeId: c.creativeId,
    creativeName: c.creativeName,
    placement: c.placement,
    enrichedAt: ms(c.enrichedAt),
    enrichmentError: c.enrichmentError,
  };
}
export type ConversationJson = ReturnType<typeof conversationJson>;

/** The base fields of seeds/000 (everything the subscriber row itself knows). */
export function subscriberJson(s: SubscriberRow) {
  return {
    id: s.id,
    tenantId: s.tenantId,
    waPhone: s.waPhone,
    waId: s.waId,
    userId: s.userId,
    username: s.username,
    phoneHash: s.phoneHash,
    profileName: s.profileName,
    numberId: s.numberId,
    conversationId: s.conversationId,
    conversationExpiresAt: ms(s.conversationExpiresAt),
    lastMessageStatus: s.lastMessageStatus,
    lastMessageStatusAt: ms(s.lastMessageStatusAt),
    firstSeenAt: ms(s.firstSeenAt),
    lastInboundAt: ms(s.lastInboundAt),
    inboundCount: s.inboundCount,
    outboundCount: s.outboundCount,
    lastOutboundAt: ms(s.lastOutboundAt),
    lastOutboundMessageId: s.lastOutboundMessageId,
    lastDeliveredAt: ms(s.lastDeliveredAt),
    lastReadAt: ms(s.lastReadAt),
    lastFailedAt: ms(s.lastFailedAt),
    lastFailedCode: s.lastFailedCode,
    lastFailedReason: s.lastFailedReason,
    optInStatus: s.optInStatus,
    optInAt: ms(s.optInAt),
    optOutAt: ms(s.optOutAt),
    marketingPreference: s.marketingPreference, // "stop" | "resume" (Meta user_preferences) | null: never told
    marketingPreferenceAt: ms(s.marketingPreferenceAt),
    status: s.status,
    lifecycleState: s.lifecycleState,
    lifecycleChangedAt: ms(s.lifecycleChangedAt),
    lifecycleScore: s.lifecycleScore,
    rawLastEventType: s.rawLastEventType,
    rawVersion: s.rawVersion,
    country: s.country,
    timezone: s.timezone,
    tags: s.tags,
    customFields: s.customFields,
    firstTouchConversationId: s.firstTouchConversationId,
    lastTouchConversationId: s.lastTouchConversationId,
  };
}

/** The whole subscriber: base fields, first-touch attribution on top, conversations and the last touch. */
export function subscriberDetailJson(s: SubscriberRow, conversationRows: ConversationRow[]) {
  const conversations = conversationRows.map(conversationJson);
  const first = conversations.find((c) => c.id === s.firstTouchConversationId) ?? null;
  const last = conversations.find((c) => c.id === s.lastTouchConversationId) ?? null;
  return {
    ...subscriberJson(s),
    ctwaClid: first?.ctwaClid ?? null,
    referral: first?.referral ?? null,
    utmSource: first?.utmSource ?? null,
    utmMedium: first?.utmMedium ?? null,
    utmCampaign: first?.utmCampaign ?? null,
    utmContent: first?.utmContent ?? null,
    utmTerm: first?.utmTerm ?? null,
    campaignId: first?.campaignId ?? null,
    campaignName: first?.campaignName ?? null,
    adsetId: first?.adsetId ?? null,
    adsetName: first?.adsetName ?? null,
    adId: first?.adId ?? null,
    adName: first?.adName ?? null,
    creativeId: first?.creativeId ?? null,
    creativeName: first?.creativeName ?? null,
    placement: first?.placement ?? null,
    lastTouch: last,
    conversations,
  };
}
