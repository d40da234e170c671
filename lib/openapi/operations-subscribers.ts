// The subscribers operations (the list, its CSV export, one subscriber and changing them) and the attribution
// report. Subscribers keep the field names and unix-millisecond times of seeds/000.
import { z } from "zod";
import type { FirstTouchSummary } from "@/db/queries/subscriber-list";
import { CONVERSION_STATUSES, LIFECYCLE_STATES, MARKETING_PREFERENCES, SUBSCRIBER_STATUSES } from "@/db/schema";
import { deliverConversionNow } from "@/lib/conversions/deliver";
import { conversionDepsFromEnv } from "@/lib/conversions/deps";
import { type LifecycleEventOutcome, queuedLifecycleConversion } from "@/lib/conversions/lifecycle";
import { afterResponse } from "@/lib/http";
import { LIFECYCLE_EVENT_STAGES } from "@/lib/conversions/lifecycle-schema";
import { pageParamsSchema } from "@/lib/pagination";
import {
  type AttributionReport,
  attributionCsv,
  attributionFormatSchema,
  attributionParamsSchema,
  attributionReport,
  resolveRange,
} from "@/lib/subscribers/attribution";
import { exportSubscribersCsv } from "@/lib/subscribers/export";
import { listSubscribers, subscriberListJson } from "@/lib/subscribers/list";
import { optionalParam, type SubscriberFilters, subscriberFiltersSchema } from "@/lib/subscribers/list-filters";
import { subscriberPatchSchema, updateSubscriber } from "@/lib/subscribers/manage";
import { getSubscriberDetail } from "@/lib/subscribers/read";
import type { ConversationJson, ReferralJson } from "@/lib/subscribers/serialize";
import { type ApiOperation, defineOperation } from "./registry";
import { type Equal, type Jsonified, pageOf } from "./schemas";

const uuid = z.uuid();
const text = z.string().nullable();
/** seeds/000 times: unix milliseconds, not ISO strings */
const unixMs = z.number().int();
const ms = (description: string) => unixMs.nullable().meta({ description: `${description} (unix ms)` });

/**
 * The list's filters as the API takes them: the console's filters (lib/subscribers/list-filters.ts) with the
 * API's conventions: `numberId` for the console's `number`, and `clickId=true|false` for its `yes|no`.
 */
const f = subscriberFiltersSchema.shape;
const subscriberQueryShape = {
  q: f.q,
  numberId: f.number,
  status: f.status,
  lifecycle: f.lifecycle,
  source: f.source,
  campaign: f.campaign,
  ad: f.ad,
  clickId: optionalParam(z.enum(["true", "false"], { error: "clickId must be true or false" })),
  from: f.from,
  to: f.to,
  window: f.window,
  score: f.score,
  sort: f.sort,
  waPhone: f.waPhone,
  userId: f.userId,
};
const _sameFilters: Equal<Exclude<keyof typeof f, "number">, Exclude<keyof typeof subscriberQueryShape, "numberId">> = true;
const subscriberQuerySchema = z
  .object(subscriberQueryShape)
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: "The start date is after the end date", path: ["to"] })
  .transform(({ numberId, clickId, ...rest }): SubscriberFilters => ({
    ...rest,
    number: numberId,
    clickId: clickId === undefined ? undefined : clickId === "true" ? "yes" : "no",
  }));

const pageNotes = {
  cursor: "`nextCursor` of the previous page; omit for the first page",
  limit: "Rows per page",
};

const filterNotes = {
  q: "Search: a phone or WhatsApp id prefix (at least 3 digits, any format), or a name (at least 3 characters)",
  numberId: "Only subscribers of this number (its id)",
  status: "Subscriber status",
  lifecycle: "Lifecycle stage",
  source: "How their first conversation started: an ad click, a post, or organic",
  campaign: "Meta campaign id of their ad",
  ad: "Meta ad id",
  clickId: "`true`: only subscribers with a Click-to-WhatsApp click id; `false`: only without",
  from: "First seen from this UTC day (YYYY-MM-DD)",
  to: "… through this UTC day (inclusive)",
  window: "`open`: the 24-hour customer service window is open (they wrote in the last 24 h); `closed`: it is not",
  score: "Lifecycle score band: `hot` 60–100, `warm` 30–59, `cold` 0–29 (or not computed yet)",
  sort: "`last_inbound`: most recent message first; `first_seen`: newest subscribers first",
  waPhone: "Exactly this phone (any format with its country code)",
  userId: "Exactly this WhatsApp user id",
};

/** The seeds/000 fields: everything the subscriber row itself knows. */
const subscriberFields = {
  id: uuid,
  tenantId: uuid,
  waPhone: text.meta({ description: "E.164 with `+`; null for a user who hides their number (known by `userId` only)" }),
  waId: text.meta({ description: "The WhatsApp id (the phone's digits as WhatsApp reports them)" }),
  userId: text.meta({ description: "Meta's business-scoped user id (BSUID)" }),
  username: text.meta({ description: "The WhatsApp username, when Meta sends one" }),
  phoneHash: text.meta({ description: "SHA-256 of the phone's digits with the country code (the Conversions API's normalisation)" }),
  profileName: text.meta({ description: "The name on their WhatsApp profile" }),
  numberId: uuid.nullable().meta({ description: "The number they wrote to (null if it was deleted since)" }),
  conversationId: uuid.nullable().meta({ description: "Their current conversation" }),
  conversationExpiresAt: ms("When the current conversation's 24-hour customer service window closes"),
  lastMessageStatus: text.meta({
    description: "The status of the last message event: `received` for one of theirs, else ours (`sent`, `delivered`, `read`, `failed`, …)",
  }),
  lastMessageStatusAt: ms("When that status was reported"),
  firstSeenAt: unixMs.meta({ description: "When they were first seen (unix ms)" }),
  lastInboundAt: ms("Their last message; null: they never wrote (e.g. a Gupshup opt-in)"),
  inboundCount: z.number().int().meta({ description: "Messages they sent" }),
  outboundCount: z.number().int().meta({ description: "Messages sent to them" }),
  lastOutboundAt: ms("Our last message to them"),
  lastOutboundMessageId: text.meta({ description: "Its provider message id" }),
  lastDeliveredAt: ms("Our last message delivered"),
  lastReadAt: ms("Our last message read"),
  lastFailedAt: ms("Our last message that failed"),
  lastFailedCode: text.meta({ description: "The provider's error code for it" }),
  lastFailedReason: text.meta({ description: "The provider's reason for it" }),
  optInStatus: z.boolean().nullable().meta({ description: "Opted in (true), opted out (false), or never told (null)" }),
  optInAt: ms("When they opted in"),
  optOutAt: ms("When they opted out"),
  marketingPreference: z.enum(MARKETING_PREFERENCES).nullable().meta({
    description:
      "The customer's own choice in WhatsApp (Meta's `user_preferences` webhook): `stop` (no drip message is queued or sent to them), `resume`, or null when they never changed it",
  }),
  marketingPreferenceAt: ms("When they made that choice"),
  status: z.enum(SUBSCRIBER_STATUSES).meta({ description: "`blocked` and `opted_out` stop all sending" }),
  lifecycleState: z.enum(LIFECYCLE_STATES),
  lifecycleChangedAt: ms("When the lifecycle stage last changed"),
  lifecycleScore: z.number().int().nullable().meta({
    description:
      "The lifecycle score, 0–100, kept current by the server from the ad click, replies, the open 24-hour window, conversions and recency; 0 once they opt out or block. How each part counts: docs/lifecycle-score.md",
  }),
  rawLastEventType: text.meta({ description: "The kind of the last webhook event about them (`message`, `user_preferences`, …)" }),
  rawVersion: text.meta({ description: "The webhook payload version that last touched them" }),
  country: text.meta({ description: "ISO 3166-1 alpha-2 country of their phone, when it tells" }),
  timezone: text.meta({ description: "An IANA time zone of that country" }),
  tags: z.array(z.string()),
  customFields: z.record(z.string(), z.unknown()).meta({ description: "Free-form fields (seeds/000 `customFields`); `{}` unless set" }),
  firstTouchConversationId: uuid.nullable().meta({ description: "The first conversation that started from a referral (an ad, a post, …); null: organic" }),
  lastTouchConversationId: uuid.nullable().meta({ description: "The latest conversation that started from a referral" }),
};

export const firstTouchSchema = z
  .object({
    id: uuid.meta({ description: "The conversation" }),
    sourceType: text.meta({ description: "Meta's referral `source_type`: `ad`, `post`, …" }),
    headline: text,
    adId: text,
    adName: text,
    campaignName: text,
    ctwaClid: text.meta({ description: "The Click-to-WhatsApp click id" }),
    utmCampaign: text,
    mediaType: text,
    thumbnailUrl: text,
    imageUrl: text,
  })
  .meta({ id: "SubscriberFirstTouch", description: "A summary of the conversation that brought them (the first touch)" });
const _firstTouchIsExact: Equal<z.output<typeof firstTouchSchema>, Jsonified<FirstTouchSummary>> = true;

export const subscriberListItemSchema = z
  .object({ ...subscriberFields, firstTouch: firstTouchSchema.nullable().meta({ description: "null: organic (no conversation started from a referral)" }) })
  .meta({ id: "SubscriberListItem", description: "A subscriber with the seeds/000 fields (times in unix ms) and a summary of their first touch" });
const _listItemIsExact: Equal<z.output<typeof subscriberListItemSchema>, Jsonified<ReturnType<typeof subscriberListJson>>> = true;

export const referralSchema = z
  .object({
    sourceUrl: text,
    sourceType: text.meta({ description: "`ad`, `post`, …" }),
    sourceId: text.meta({ description: "The ad or post id" }),
    headline: text,
    body: text,
    mediaType: text.meta({ description: "`image` or `video`" }),
    imageUrl: text,
    videoUrl: text,
    thumbnailUrl: text,
    welcomeText: text.meta({ description: "The ad's prefilled greeting" }),
  })
  .meta({ id: "AdReferral", description: "Meta's referral block of the message that started the conversation (a Click-to-WhatsApp ad, a post, …)" });
const _referralIsExact: Equal<z.output<typeof referralSchema>, ReferralJson> = true;

const utmFields = { utmSource: text, utmMedium: text, utmCampaign: text, utmContent: text, utmTerm: text };
const adFields = {
  adId: text,
  campaignId: text,
  campaignName: text,
  adsetId: text,
  adsetName: text,
  adName: text,
  creativeId: text,
  creativeName: text,
  placement: text,
};

export const subscriberConversationSchema = z
  .object({
    id: uuid.meta({ description: "The conversationId of POST /api/v1/conversions/whatsapp" }),
    numberId: uuid.nullable().meta({ description: "The number (null if it was deleted since)" }),
    startedAt: unixMs.meta({ description: "When it started (unix ms)" }),
    lastMessageAt: unixMs.meta({ description: "Its last message (unix ms)" }),
    windowExpiresAt: unixMs.meta({ description: "When its 24-hour customer service window closes (unix ms)" }),
    ctwaClid: text.meta({ description: "The Click-to-WhatsApp click id" }),
    referral: referralSchema.nullable().meta({ description: "null: it did not start from a referral" }),
    ...utmFields,
    ...adFields,
    enrichedAt: ms("When the ad's names were read from Meta's Marketing API"),
    enrichmentError: text.meta({ description: "Why they could not be" }),
  })
  .meta({ id: "SubscriberConversation", description: "A conversation with its ad referral, UTM tags and the ad's names (times in unix ms)" });
const _conversationIsExact: Equal<z.output<typeof subscriberConversationSchema>, ConversationJson> = true;

export const subscriberDetailSchema = z
  .object({
    ...subscriberFields,
    ctwaClid: text.meta({ description: "The first touch's click id" }),
    referral: referralSchema.nullable().meta({ description: "The first touch's referral" }),
    ...utmFields,
    ...adFields,
    lastTouch: subscriberConversationSchema.nullable().meta({ description: "The latest conversation that started from a referral (the last touch)" }),
    conversations: z.array(subscriberConversationSchema).meta({ description: "Their conversations, newest first (the latest 100)" }),
  })
  .meta({
    id: "Subscriber",
    description:
      "One subscriber: the seeds/000 fields (times in unix ms), the first touch's attribution at the top level, the last touch and every conversation",
  });
const _detailIsExact: Equal<z.output<typeof subscriberDetailSchema>, Jsonified<Awaited<ReturnType<typeof getSubscriberDetail>>>> = true;

const totalsSchema = z
  .object({
    conversations: z.number().int().meta({ description: "Conversations started in the range" }),
    subscribers: z.number().int().meta({ description: "Unique subscribers among them" }),
    converted: z.number().int().meta({ description: "Conversations with at least one conversion" }),
    rate: z.number().meta({ description: "converted ÷ conversations (0 to 1; 0 without conversations)" }),
    events: z.record(z.string(), z.number().int()).meta({ description: 'Conversions per event name, e.g. `{ "Purchase": 3 }`' }),
    value: z.record(z.string(), z.number()).meta({ description: 'Conversion value per currency, e.g. `{ "USD": 449.7 }`' }),
  })
  .meta({ id: "AttributionTotals" });

const adLineSchema = z.object({
  id: z.string().meta({ description: "The Meta ad id" }),
  name: text,
  headline: text.meta({ description: "The ad's headline as the referral showed it" }),
  thumbnailUrl: text.meta({
    description: "The creative's picture (thumbnail_url of a video, image_url of a photo) from its latest referral; Meta's links expire",
  }),
  totals: totalsSchema,
});
const adsetLineSchema = z.object({
  id: text.meta({ description: "The Meta ad set id; null when the ads cache does not know it" }),
  name: text,
  totals: totalsSchema,
  ads: z.array(adLineSchema),
});
const campaignLineSchema = z.object({
  id: text.meta({ description: "The Meta campaign id; null for ads the ads cache does not file under a campaign (not enriched yet)" }),
  name: text,
  totals: totalsSchema,
  adsets: z.array(adsetLineSchema),
});
const isoDay = z.string().meta({ format: "date", description: "A UTC day, YYYY-MM-DD" });

export const attributionReportSchema = z
  .object({
    from: isoDay.meta({ description: "First day of the range (UTC)" }),
    to: isoDay.meta({ description: "Last day of the range (UTC, inclusive)" }),
    campaign: text.meta({ description: "The campaign filter, or null" }),
    ad: text.meta({ description: "The ad filter, or null" }),
    campaigns: z.array(campaignLineSchema).meta({ description: "Campaign → ad set → ad, each with its totals" }),
    total: totalsSchema,
    daily: z
      .array(
        z.object({
          day: isoDay,
          ad: z.number().int().meta({ description: "Conversations started from an ad click that day" }),
          post: z.number().int(),
          organic: z.number().int(),
          other: z.number().int(),
        }),
      )
      .meta({ description: "Conversations started per day by how they started (an ad, a post, organic, another referral), every day of the range" }),
    eventNames: z.array(z.string()).meta({ description: "The event names in `events`, sorted" }),
    currencies: z.array(z.string()).meta({ description: "The currencies in `value`, sorted" }),
  })
  .meta({ id: "AttributionReport" });
const _reportIsExact: Equal<z.output<typeof attributionReportSchema>, Jsonified<AttributionReport>> = true;

const lifecycleStage = z.enum(LIFECYCLE_EVENT_STAGES).meta({ description: "The stage the subscriber moved to" });
export const lifecycleEventOutcomeSchema = z
  .union([
    z.object({
      stage: lifecycleStage,
      eventName: z.string().meta({ description: "The CAPI event the workspace maps this stage to (Settings → Lifecycle events)" }),
      conversionId: uuid.meta({ description: "The conversion (GET /api/v1/conversions/{id})" }),
      status: z.enum(CONVERSION_STATUSES).meta({ description: "`queued`: stored, sent to Meta in the background" }),
      duplicate: z.boolean().meta({ description: "true: this stage's event was already sent for this ad conversation; nothing is sent again" }),
      warnings: z
        .array(z.string())
        .meta({ description: "`attribution_window_passed`: the ad click is more than 7 days old (sent, Meta may not attribute it)" }),
    }),
    z.object({
      stage: lifecycleStage,
      eventName: z.string(),
      skipped: z.string().meta({ description: "Why nothing was sent, in words (e.g. no ad click to attribute it to)" }),
    }),
  ])
  .meta({ id: "LifecycleEventOutcome", description: "What the stage change sent to Meta's Conversions API, or why it sent nothing" });
const _outcomeIsExact: Equal<z.output<typeof lifecycleEventOutcomeSchema>, LifecycleEventOutcome> = true;

export const subscriberOperations: ApiOperation[] = [
  defineOperation({
    method: "get",
    path: "/api/v1/subscribers",
    operationId: "listSubscribers",
    tag: "Subscribers",
    summary: "List subscribers",
    description: "The workspace's subscribers with the console's filters, keyset-paginated. `waPhone` or `userId` find one subscriber.",
    query: [subscriberQuerySchema, pageParamsSchema],
    queryNotes: { ...filterNotes, ...pageNotes },
    responses: [
      {
        status: 200,
        description: "One page of subscribers (seeds/000 field names, unix-ms timestamps, the ad that brought them, the marketing preference)",
        schema: pageOf(subscriberListItemSchema),
      },
    ],
    handler: async ({ db, tenantId, query: { cursor, limit, ...filters } }) => {
      const page = await listSubscribers(db, { tenantId, filters, cursor, limit, now: new Date() });
      return { rows: page.rows.map(subscriberListJson), nextCursor: page.nextCursor };
    },
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/subscribers/export",
    operationId: "exportSubscribers",
    tag: "Subscribers",
    summary: "Export subscribers as CSV",
    description: "Exactly the rows GET /api/v1/subscribers would list for the same filters, streamed as one CSV download (any size).",
    query: [subscriberQuerySchema],
    queryNotes: filterNotes,
    responses: [{ status: 200, description: "A CSV file (`subscribers-YYYY-MM-DD.csv`)", contentType: "text/csv", schema: z.string() }],
    handler: async ({ db, tenantId, query: filters }) => {
      const rows = exportSubscribersCsv(db, { tenantId, filters, now: new Date() });
      // the search is checked and the first query answers before the 200: a failure there is a JSON error, never a broken file
      const first = await rows.next();
      const encoder = new TextEncoder();
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          if (first.done) controller.close();
          else controller.enqueue(encoder.encode(first.value));
        },
        async pull(controller) {
          try {
            const next = await rows.next();
            if (next.done) controller.close();
            else controller.enqueue(encoder.encode(next.value));
          } catch (e) {
            controller.error(e);
          }
        },
        async cancel() {
          await rows.return(undefined);
        },
      });
      const stamp = new Date().toISOString().slice(0, 10);
      return new Response(body, {
        headers: {
          "content-type": "text/csv; charset=utf-8",
          "content-disposition": `attachment; filename="subscribers-${stamp}.csv"`,
          "cache-control": "no-store",
        },
      });
    },
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/subscribers/{id}",
    operationId: "getSubscriber",
    tag: "Subscribers",
    summary: "Get a subscriber",
    description:
      "One subscriber (seeds/000 fields, times in unix ms), their conversations with each ad referral, and the first and last touch. `marketingPreference` is the customer's own choice in WhatsApp (Meta's `user_preferences` webhook): `stop` (no drip message is queued or sent to them), `resume`, or null when they never changed it; `marketingPreferenceAt` is when they made it (unix ms).",
    responses: [{ status: 200, description: "The subscriber", schema: subscriberDetailSchema }],
    handler: async ({ db, tenantId, params }) => getSubscriberDetail(db, { tenantId, id: params.id }),
  }),
  defineOperation({
    method: "patch",
    path: "/api/v1/subscribers/{id}",
    operationId: "updateSubscriber",
    tag: "Subscribers",
    summary: "Update a subscriber",
    description:
      "Sets the lifecycle stage, the tags (the whole list) or the status. Opting out cancels pending drip messages; only the subscriber can opt back in (by sending START). A move to a stage the workspace maps to a Conversions API event (Settings → Lifecycle events) sends that event for the subscriber's latest ad conversation, once per stage and conversation; `lifecycleEvent` answers what was sent, or why nothing was.",
    body: subscriberPatchSchema,
    bodyNotes: {
      tags: "Replaces all tags; duplicates are merged case-insensitively",
      status: "`blocked` stops all sending; `opted_out` opts them out on their behalf",
      lifecycleValue: "With `lifecycleState`: the value of that stage's event (e.g. the purchase amount) instead of the workspace's default",
    },
    bodyExample: { lifecycleState: "customer", tags: ["vip", "repeat"], lifecycleValue: { value: 149.9, currency: "USD" } },
    responses: [
      {
        status: 200,
        description: "The subscriber after the change (as GET /api/v1/subscribers/{id}) and what the stage change sent to Meta",
        schema: subscriberDetailSchema
          .extend({ lifecycleEvent: lifecycleEventOutcomeSchema.nullable().meta({ description: "null: the stage did not change, or it sends no event" }) })
          .meta({ id: "SubscriberUpdated" }),
      },
    ],
    errors: [{ status: 409, code: "conflict", message: "This subscriber opted out. Only they can opt back in, by sending START to your number." }],
    handler: async ({ db, tenantId, params: { id }, body }) => {
      const { lifecycleEvent } = await updateSubscriber(db, { tenantId, id, patch: body, now: new Date() });
      // sent right after this answer, as every new conversion is (the queue retries it if this process cannot)
      const conversionId = queuedLifecycleConversion(lifecycleEvent);
      if (conversionId) afterResponse(() => deliverConversionNow(db, conversionDepsFromEnv(), { conversionId }));
      return { ...(await getSubscriberDetail(db, { tenantId, id })), lifecycleEvent };
    },
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/attribution",
    operationId: "getAttribution",
    tag: "Attribution",
    summary: "Attribution report",
    description:
      "For a range of whole UTC days (default: the last 30 days, at most a year): per campaign → ad set → ad, conversations, unique subscribers, conversions per event, value per currency and conversion rate; plus conversations per day by source. `campaign` or `ad` narrows all of it to that campaign's or ad's conversations. `format=csv` downloads the table.",
    query: [attributionParamsSchema, attributionFormatSchema],
    queryNotes: {
      from: "First day (UTC, YYYY-MM-DD)",
      to: "Last day (UTC, inclusive); default today",
      campaign: "Only the ads the ads cache files under this campaign id",
      ad: "Only this ad id",
      format: "`csv` for a download",
    },
    responses: [
      { status: 200, description: "The report as JSON, or as a CSV file with `format=csv`", schema: attributionReportSchema },
      { status: 200, description: "The report as JSON, or as a CSV file with `format=csv`", contentType: "text/csv", schema: z.string() },
    ],
    handler: async ({ db, tenantId, query }) => {
      const { from, to } = resolveRange(query, new Date());
      const report = await attributionReport(db, { tenantId, from, to, campaign: query.campaign, ad: query.ad });
      if (query.format === "json") return report;
      return new Response(attributionCsv(report), {
        headers: {
          "content-type": "text/csv; charset=utf-8",
          "content-disposition": `attachment; filename="attribution-${from}-to-${to}.csv"`,
          "cache-control": "no-store",
        },
      });
    },
  }),
];
