// The whole data model of DESIGN.md. Every row carries tenant_id (webhook_events and jobs may
// be unrouted/global until a number claims them). Unique keys carry the idempotency rules.
import { sql, type SQL } from "drizzle-orm";
import {
  type AnyPgColumn,
  boolean,
  check,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

export const ROLES = ["admin", "manager", "marketer"] as const;
export const PROVIDERS = ["cloud", "gupshup", "green"] as const;
export const CONNECTION_STATUSES = ["unverified", "connected", "error"] as const;
export const SUBSCRIBER_STATUSES = ["active", "inactive", "blocked", "opted_out"] as const;
export const LIFECYCLE_STATES = ["lead", "prospect", "customer", "repeat_customer"] as const;
// Meta `user_preferences` for category marketing_messages: the customer stopped or resumed marketing messages
export const MARKETING_PREFERENCES = ["stop", "resume"] as const;
export const MESSAGE_DIRECTIONS = ["inbound", "outbound"] as const;
// pending: an outbound reply recorded before it reaches the provider (no wamid yet)
export const MESSAGE_STATUSES = ["pending", "received", "accepted", "sent", "delivered", "read", "failed", "deleted"] as const;
export const WEBHOOK_PROVIDERS = ["cloud", "gupshup", "green"] as const;
// unverified: no secret was known when it arrived (unknown phone_number_id); checked once a number claims it
export const SIGNATURE_RESULTS = ["valid", "invalid", "missing", "not_required", "unverified"] as const;
export const WEBHOOK_STATUSES = ["received", "processed", "failed", "unrouted", "rejected"] as const;
/** webhook_events.raw_body: the body as received, one workspace's entries of it, or a prefix of a refused body. */
export const RAW_BODY_KINDS = ["exact", "tenant_copy", "prefix"] as const;
export const CALL_STATUSES = ["not_called", "called", "no_answer"] as const;
export const OUTBOUND_STATUSES = ["pending", "sending", "sent", "failed", "cancelled", "skipped"] as const;
export const CONVERSION_STATUSES = ["queued", "sent", "failed", "rejected"] as const;
// lifecycle: sent because a subscriber moved to a lifecycle stage the workspace maps to a CAPI event
export const CONVERSION_SOURCES = ["api", "console_test", "automatic", "lifecycle"] as const;
export const JOB_STATUSES = ["pending", "running", "done", "failed", "cancelled"] as const;
// outgoing webhooks (issue 22): the events a workspace's endpoints subscribe to
export const OUTGOING_EVENT_TYPES = [
  "subscriber.created",
  "message.received",
  "conversation.started",
  "subscriber.opted_out",
  "subscriber.opted_in",
  "lead.created",
  "lead.enrolled",
  "lead.stopped",
  "conversion.sent",
  "conversion.rejected",
  "outbound.failed",
] as const;
// pending: due at next_attempt_at; delivering: claimed by a run (lease); succeeded: a 2xx; failed: given up
// (a 4xx other than 408/429, or retries exhausted); the endpoint's order key waits for neither failed nor succeeded
export const DELIVERY_STATUSES = ["pending", "delivering", "succeeded", "failed"] as const;
export const TELEGRAM_CALL_STEPS = ["new", "asked", "done"] as const;
export const AUDIENCE_SYNC_STATUSES = ["idle", "syncing", "error"] as const;

// millisecond precision: JS Dates (and keyset cursors built from them) round-trip exactly
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date", precision: 3 });
const createdAt = () => ts("created_at").notNull().defaultNow();
const updatedAt = () =>
  ts("updated_at")
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());
const tenantRef = () =>
  uuid("tenant_id")
    .notNull()
    .references(() => tenants.id, { onDelete: "cascade" });
// written by Load demo data: Remove demo data deletes exactly these rows, and a demo number reaches no provider
const demoFlag = () => boolean("demo").notNull().default(false);
// the demo rows of a workspace, for counting and removing them (an empty index on real data)
const demoIndex = (name: string, t: { tenantId: AnyPgColumn; demo: AnyPgColumn }) =>
  index(name)
    .on(t.tenantId)
    .where(sql`${t.demo}`);
const oneOf = (column: AnyPgColumn, values: readonly string[]): SQL => sql`${column} in (${sql.raw(values.map((v) => `'${v}'`).join(", "))})`;

export const tenants = pgTable(
  "tenants",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    // opt-out / opt-in keywords matched against the whole inbound text (case-insensitive)
    optOutKeywords: text("opt_out_keywords")
      .array()
      .notNull()
      .default(sql`array['STOP','UNSUBSCRIBE','СТОП','ОТПИСАТЬСЯ']::text[]`),
    optInKeywords: text("opt_in_keywords")
      .array()
      .notNull()
      .default(sql`array['START']::text[]`),
    // per-segment template variables, e.g. { "acting": { "instructor_name": "…" } }
    segmentVariables: jsonb("segment_variables").$type<Record<string, Record<string, string>>>().notNull().default({}),
    // a subscriber who has not written for this many days is marked inactive (scheduled work; active again on the next message)
    inactiveAfterDays: integer("inactive_after_days").notNull().default(30),
    // processed raw webhook bodies (webhook_events) are kept this many days (lib/whatsapp/retention.ts)
    webhookEventRetentionDays: integer("webhook_event_retention_days").notNull().default(30),
    // quiet hours of the drip, minutes after midnight (0–1439) in the subscriber's own time zone; both null = none
    quietHoursStart: smallint("quiet_hours_start"),
    quietHoursEnd: smallint("quiet_hours_end"),
    // conversion event names that stop a lead's drip when recorded for them
    dripStopEvents: text("drip_stop_events")
      .array()
      .notNull()
      .default(sql`array['Purchase']::text[]`),
    // lifecycle stage → the CAPI event sent when a subscriber moves to it (issue 23), e.g.
    // { "prospect": { "eventName": "LeadSubmitted" }, "customer": { "eventName": "Purchase", "value": 100, "currency": "USD" } }
    lifecycleEvents: jsonb("lifecycle_events").$type<Record<string, { eventName: string; value?: number; currency?: string }>>().notNull().default({}),
    demoLoadedAt: ts("demo_loaded_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check("tenants_inactive_after_days_check", sql`${t.inactiveAfterDays} between 1 and 3650`),
    check("tenants_webhook_event_retention_days_check", sql`${t.webhookEventRetentionDays} between 1 and 90`),
    check(
      "tenants_quiet_hours_check",
      // spelled out: `null between 0 and 1439` is null, which a check lets through
      sql`(${t.quietHoursStart} is null and ${t.quietHoursEnd} is null) or (${t.quietHoursStart} is not null and ${t.quietHoursEnd} is not null and ${t.quietHoursStart} between 0 and 1439 and ${t.quietHoursEnd} between 0 and 1439)`,
    ),
  ],
);

/** A person who can sign in (identity only): where they work and as what is in memberships. */
export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull(), // stored lower-cased; sign-in is by email alone
    name: text("name").notNull(),
    passwordHash: text("password_hash").notNull(),
    lastLoginAt: ts("last_login_at"),
    // bumped by sign-out and password changes: a session whose token carries an older value is over
    sessionVersion: integer("session_version").notNull().default(0),
    // set when an admin chose the password (new member, or another member's password reset); the
    // console holds the user on /account until they choose their own, which clears it
    passwordChangeRequired: boolean("password_change_required").notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("users_email_key").on(t.email)],
);

/** One user's place in one workspace (tenant) and their role there; a user may belong to several. */
export const memberships = pgTable(
  "memberships",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tenantId: tenantRef(),
    role: text("role", { enum: ROLES }).notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // also serves "the workspaces of this user" (leading user_id)
    primaryKey({ name: "memberships_pkey", columns: [t.userId, t.tenantId] }),
    // keyset order of a workspace's members list
    index("memberships_tenant_created_idx").on(t.tenantId, t.createdAt.desc(), t.userId.desc()),
    check("memberships_role_check", oneOf(t.role, ROLES)),
  ],
);

export const userInvites = pgTable(
  "user_invites",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantRef(),
    email: text("email").notNull(),
    role: text("role", { enum: ROLES }).notNull(),
    tokenHash: text("token_hash").notNull(),
    invitedBy: uuid("invited_by").references(() => users.id, { onDelete: "set null" }),
    expiresAt: ts("expires_at").notNull(),
    acceptedAt: ts("accepted_at"),
    revokedAt: ts("revoked_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("user_invites_token_hash_key").on(t.tokenHash),
    index("user_invites_tenant_created_idx").on(t.tenantId, t.createdAt.desc(), t.id.desc()),
    check("user_invites_role_check", oneOf(t.role, ROLES)),
  ],
);

/**
 * Sign-in attempt counters, one row per key (`email:<normalised email>` or `addr:<client address>`):
 * bumped atomically before a password is checked; past the limit the key is locked until blocked_until.
 */
export const authThrottle = pgTable("auth_throttle", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull().default(0),
  windowStartedAt: ts("window_started_at").notNull(),
  blockedUntil: ts("blocked_until"),
});

export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantRef(),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(), // first characters of the key, shown in the console
    keyHash: text("key_hash").notNull(), // sha-256 hex of the whole key; the key itself is shown once
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    lastUsedAt: ts("last_used_at"),
    revokedAt: ts("revoked_at"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("api_keys_key_hash_key").on(t.keyHash), index("api_keys_tenant_created_idx").on(t.tenantId, t.createdAt.desc(), t.id.desc())],
);

export const whatsappNumbers = pgTable(
  "whatsapp_numbers",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantRef(),
    label: text("label").notNull(),
    phoneE164: text("phone_e164").notNull(),
    provider: text("provider", { enum: PROVIDERS }).notNull(),
    // Cloud API
    phoneNumberId: text("phone_number_id"), // routes Cloud webhooks (metadata.phone_number_id)
    wabaId: text("waba_id"),
    accessTokenEnc: text("access_token_enc"), // AES-256-GCM, never sent to the browser
    appSecretEnc: text("app_secret_enc"), // X-Hub-Signature-256 key
    verifyToken: text("verify_token").notNull(),
    datasetId: text("dataset_id"),
    // Green API
    greenApiUrl: text("green_api_url"),
    greenInstanceId: text("green_instance_id"),
    greenTokenEnc: text("green_token_enc"),
    // the webhookUrlToken Green API sends as `Authorization: Bearer …` to this number's URL (AES-256-GCM)
    greenWebhookTokenEnc: text("green_webhook_token_enc"),
    // Gupshup
    gupshupAppName: text("gupshup_app_name"),
    gupshupApiKeyEnc: text("gupshup_api_key_enc"),
    gupshupSourceNumber: text("gupshup_source_number"),
    gupshupWebhookToken: text("gupshup_webhook_token"),
    active: boolean("active").notNull().default(true),
    sendRatePerSecond: integer("send_rate_per_second").notNull().default(20),
    // the drip run currently sending for this number (one at a time, so the number's rate holds across runs)
    dripLeaseOwner: uuid("drip_lease_owner"),
    dripLeaseUntil: ts("drip_lease_until"),
    autoLeadSubmitted: boolean("auto_lead_submitted").notNull().default(false),
    connectionStatus: text("connection_status", { enum: CONNECTION_STATUSES }).notNull().default("unverified"),
    verifiedName: text("verified_name"),
    qualityRating: text("quality_rating"),
    messagingLimitTier: text("messaging_limit_tier"),
    lastCheckedAt: ts("last_checked_at"),
    lastError: jsonb("last_error").$type<Record<string, unknown>>(),
    lastWebhookAt: ts("last_webhook_at"),
    // set when the number's token passed the Graph check for phone_number_id: only then it gets that id's webhooks
    phoneNumberIdProvenAt: ts("phone_number_id_proven_at"),
    demo: demoFlag(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // a Phone Number ID belongs to the one workspace that proved it; unproven claims may coexist
    uniqueIndex("whatsapp_numbers_phone_number_id_proven_key")
      .on(t.phoneNumberId)
      .where(sql`${t.phoneNumberIdProvenAt} is not null`),
    uniqueIndex("whatsapp_numbers_tenant_phone_number_id_key").on(t.tenantId, t.phoneNumberId),
    uniqueIndex("whatsapp_numbers_tenant_phone_key").on(t.tenantId, t.phoneE164),
    uniqueIndex("whatsapp_numbers_verify_token_key").on(t.verifyToken),
    uniqueIndex("whatsapp_numbers_gupshup_token_key").on(t.gupshupWebhookToken),
    index("whatsapp_numbers_tenant_created_idx").on(t.tenantId, t.createdAt.desc(), t.id.desc()),
    check("whatsapp_numbers_provider_check", oneOf(t.provider, PROVIDERS)),
    check("whatsapp_numbers_status_check", oneOf(t.connectionStatus, CONNECTION_STATUSES)),
    // up to Meta's highest throughput tier (1,000 messages/s); lib/numbers/schemas.ts keeps other providers at 80
    check("whatsapp_numbers_rate_check", sql`${t.sendRatePerSecond} between 1 and 1000`),
  ],
);

export const subscribers = pgTable(
  "subscribers",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantRef(),
    waPhone: text("wa_phone"), // E.164; null for users who hide their number (business-scoped id only)
    waId: text("wa_id"),
    userId: text("user_id"), // Meta business-scoped user id (BSUID)
    username: text("username"),
    phoneHash: text("phone_hash"), // sha-256 of the E.164 digits (CAPI normalisation)
    profileName: text("profile_name"),
    numberId: uuid("number_id").references(() => whatsappNumbers.id, { onDelete: "set null" }),
    conversationId: uuid("conversation_id"),
    conversationExpiresAt: ts("conversation_expires_at"),
    lastMessageStatus: text("last_message_status"),
    lastMessageStatusAt: ts("last_message_status_at"),
    firstSeenAt: ts("first_seen_at").notNull(),
    lastInboundAt: ts("last_inbound_at"),
    inboundCount: integer("inbound_count").notNull().default(0),
    outboundCount: integer("outbound_count").notNull().default(0),
    lastOutboundAt: ts("last_outbound_at"),
    lastOutboundMessageId: text("last_outbound_message_id"),
    lastDeliveredAt: ts("last_delivered_at"),
    lastReadAt: ts("last_read_at"),
    lastFailedAt: ts("last_failed_at"),
    lastFailedCode: text("last_failed_code"),
    lastFailedReason: text("last_failed_reason"),
    optInStatus: boolean("opt_in_status"),
    optInAt: ts("opt_in_at"),
    optOutAt: ts("opt_out_at"),
    // the customer's own choice in WhatsApp (null = never told); the time is Meta's, so an older event never wins
    marketingPreference: text("marketing_preference", { enum: MARKETING_PREFERENCES }),
    marketingPreferenceAt: ts("marketing_preference_at"),
    status: text("status", { enum: SUBSCRIBER_STATUSES }).notNull().default("active"),
    lifecycleState: text("lifecycle_state", { enum: LIFECYCLE_STATES }).notNull().default("lead"),
    lifecycleChangedAt: ts("lifecycle_changed_at"),
    // 0–100, computed by the database (lifecycle_score_of, kept in step with lib/subscribers/lifecycle-score.ts) whenever
    // a fact it reads changes; lifecycle_score_until is when time alone changes it next (the sweep recomputes it then)
    lifecycleScore: integer("lifecycle_score"),
    lifecycleScoreUntil: ts("lifecycle_score_until"),
    // conversions stored for this subscriber (not rejected) and the sum of their values: facts of the score
    conversionsCount: integer("conversions_count").notNull().default(0),
    conversionsValue: numeric("conversions_value", { precision: 14, scale: 2 }).notNull().default("0"),
    rawLastEventType: text("raw_last_event_type"),
    rawVersion: text("raw_version"),
    country: text("country"),
    timezone: text("timezone"),
    tags: text("tags")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    customFields: jsonb("custom_fields").$type<Record<string, unknown>>().notNull().default({}),
    firstTouchConversationId: uuid("first_touch_conversation_id"),
    lastTouchConversationId: uuid("last_touch_conversation_id"),
    // the first touch, denormalised for list filters: "ad" | "post" | … (null = organic), its ad and
    // campaign (once enriched), and whether any attributed conversation carries a click id
    firstTouchSource: text("first_touch_source"),
    firstTouchAdId: text("first_touch_ad_id"),
    firstTouchCampaignId: text("first_touch_campaign_id"),
    hasClickId: boolean("has_click_id").notNull().default(false),
    demo: demoFlag(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    demoIndex("subscribers_tenant_demo_idx", t),
    uniqueIndex("subscribers_tenant_wa_phone_key").on(t.tenantId, t.waPhone),
    uniqueIndex("subscribers_tenant_user_id_key").on(t.tenantId, t.userId),
    index("subscribers_tenant_last_inbound_idx").on(t.tenantId, t.lastInboundAt.desc().nullsLast(), t.id.desc()),
    index("subscribers_tenant_first_seen_idx").on(t.tenantId, t.firstSeenAt.desc(), t.id.desc()),
    // search: phone / wa id prefix, name substring (trigrams)
    index("subscribers_tenant_phone_prefix_idx").on(t.tenantId, t.waPhone.op("text_pattern_ops")),
    index("subscribers_tenant_wa_id_prefix_idx").on(t.tenantId, t.waId.op("text_pattern_ops")),
    index("subscribers_profile_name_trgm_idx").using("gin", t.profileName.op("gin_trgm_ops")),
    index("subscribers_username_trgm_idx").using("gin", t.username.op("gin_trgm_ops")),
    // selective list filters, in list order
    index("subscribers_tenant_ad_last_inbound_idx")
      .on(t.tenantId, t.firstTouchAdId, t.lastInboundAt.desc().nullsLast(), t.id.desc())
      .where(sql`${t.firstTouchAdId} is not null`),
    index("subscribers_tenant_campaign_last_inbound_idx")
      .on(t.tenantId, t.firstTouchCampaignId, t.lastInboundAt.desc().nullsLast(), t.id.desc())
      .where(sql`${t.firstTouchCampaignId} is not null`),
    index("subscribers_tenant_status_last_inbound_idx")
      .on(t.tenantId, t.status, t.lastInboundAt.desc().nullsLast(), t.id.desc())
      .where(sql`${t.status} <> 'active'`),
    // the scheduled inactivity sweep: active subscribers by when they last wrote (or were first seen)
    index("subscribers_tenant_active_silent_since_idx")
      .on(t.tenantId, sql`coalesce(${t.lastInboundAt}, ${t.firstSeenAt})`)
      .where(sql`${t.status} = 'active'`),
    index("subscribers_tenant_lifecycle_last_inbound_idx")
      .on(t.tenantId, t.lifecycleState, t.lastInboundAt.desc().nullsLast(), t.id.desc())
      .where(sql`${t.lifecycleState} <> 'lead'`),
    // the list's score filter (hot ≥ 60, warm ≥ 30) in list order; "cold" walks the main index
    index("subscribers_tenant_score_last_inbound_idx")
      .on(t.tenantId, t.lastInboundAt.desc().nullsLast(), t.id.desc())
      .where(sql`${t.lifecycleScore} >= 30`),
    // the score sweep: subscribers whose score time alone changes next
    index("subscribers_score_until_idx")
      .on(t.lifecycleScoreUntil)
      .where(sql`${t.lifecycleScoreUntil} is not null`),
    check("subscribers_status_check", oneOf(t.status, SUBSCRIBER_STATUSES)),
    check("subscribers_lifecycle_check", oneOf(t.lifecycleState, LIFECYCLE_STATES)),
    check("subscribers_marketing_preference_check", oneOf(t.marketingPreference, MARKETING_PREFERENCES)),
  ],
);

export const conversations = pgTable(
  "conversations",
  {
    id: uuid("id").primaryKey().defaultRandom(), // the conversationId of the conversions API
    tenantId: tenantRef(),
    subscriberId: uuid("subscriber_id")
      .notNull()
      .references(() => subscribers.id, { onDelete: "cascade" }),
    numberId: uuid("number_id").references(() => whatsappNumbers.id, { onDelete: "set null" }),
    startedAt: ts("started_at").notNull(),
    lastMessageAt: ts("last_message_at").notNull(),
    windowExpiresAt: ts("window_expires_at").notNull(),
    // referral block (Click-to-WhatsApp ad, post, …)
    ctwaClid: text("ctwa_clid"),
    sourceUrl: text("source_url"),
    sourceType: text("source_type"),
    sourceId: text("source_id"),
    headline: text("headline"),
    body: text("body"),
    mediaType: text("media_type"),
    imageUrl: text("image_url"),
    videoUrl: text("video_url"),
    thumbnailUrl: text("thumbnail_url"),
    welcomeText: text("welcome_text"),
    referral: jsonb("referral").$type<Record<string, unknown>>(),
    utmSource: text("utm_source"),
    utmMedium: text("utm_medium"),
    utmCampaign: text("utm_campaign"),
    utmContent: text("utm_content"),
    utmTerm: text("utm_term"),
    // ad enrichment (Marketing API by ad id)
    adId: text("ad_id"),
    campaignId: text("campaign_id"),
    campaignName: text("campaign_name"),
    adsetId: text("adset_id"),
    adsetName: text("adset_name"),
    adName: text("ad_name"),
    creativeId: text("creative_id"),
    creativeName: text("creative_name"),
    placement: text("placement"),
    enrichedAt: ts("enriched_at"),
    enrichmentError: text("enrichment_error"),
    // Meta's own conversation id/origin when statuses report them
    metaConversationId: text("meta_conversation_id"),
    metaOrigin: text("meta_origin"),
    demo: demoFlag(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    demoIndex("conversations_tenant_demo_idx", t),
    index("conversations_subscriber_started_idx").on(t.subscriberId, t.startedAt.desc()),
    index("conversations_tenant_started_idx").on(t.tenantId, t.startedAt.desc(), t.id.desc()),
    index("conversations_tenant_ctwa_clid_idx").on(t.tenantId, t.ctwaClid),
    // an ad's conversations (enrichment), and the attribution report of one ad over a range
    index("conversations_tenant_ad_started_idx").on(t.tenantId, t.adId, t.startedAt),
    // the attribution report reads a date range of just these columns: an index-only scan
    index("conversations_tenant_started_report_idx").on(t.tenantId, t.startedAt, t.sourceType, t.adId, t.subscriberId, t.id),
  ],
);

export const AD_ENRICHMENT_STATUSES = ["pending", "enriched", "failed"] as const;

/** Ad enrichment cache: one row per (tenant, ad id), filled by one Graph API call, copied onto conversations. */
export const ads = pgTable(
  "ads",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantRef(),
    adId: text("ad_id").notNull(),
    numberId: uuid("number_id").references(() => whatsappNumbers.id, { onDelete: "set null" }), // whose token fetches it
    adName: text("ad_name"),
    adsetId: text("adset_id"),
    adsetName: text("adset_name"),
    campaignId: text("campaign_id"),
    campaignName: text("campaign_name"),
    creativeId: text("creative_id"),
    creativeName: text("creative_name"),
    status: text("status", { enum: AD_ENRICHMENT_STATUSES }).notNull().default("pending"),
    error: text("error"),
    attempts: integer("attempts").notNull().default(0),
    enrichedAt: ts("enriched_at"),
    firstSeenAt: ts("first_seen_at").notNull().defaultNow(),
    demo: demoFlag(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("ads_tenant_ad_key").on(t.tenantId, t.adId),
    index("ads_tenant_campaign_idx").on(t.tenantId, t.campaignId),
    check("ads_status_check", oneOf(t.status, AD_ENRICHMENT_STATUSES)),
  ],
);

export const messages = pgTable(
  "messages",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantRef(),
    subscriberId: uuid("subscriber_id")
      .notNull()
      .references(() => subscribers.id, { onDelete: "cascade" }),
    conversationId: uuid("conversation_id").references(() => conversations.id, { onDelete: "set null" }),
    numberId: uuid("number_id").references(() => whatsappNumbers.id, { onDelete: "set null" }),
    direction: text("direction", { enum: MESSAGE_DIRECTIONS }).notNull(),
    // provider message id: wamid (Cloud), gsId / id (Gupshup), idMessage (Green); null while a reply is pending
    wamid: text("wamid"),
    type: text("type").notNull(),
    textPreview: text("text_preview"),
    payload: jsonb("payload").$type<Record<string, unknown>>(),
    status: text("status", { enum: MESSAGE_STATUSES }).notNull(),
    sentAt: ts("sent_at"),
    deliveredAt: ts("delivered_at"),
    readAt: ts("read_at"),
    failedAt: ts("failed_at"),
    errorCode: text("error_code"),
    errorTitle: text("error_title"),
    errorDetail: text("error_detail"),
    providerTimestamp: ts("provider_timestamp").notNull(),
    // a reply's own key (Idempotency-Key of the reply API): a retried request sends once
    idempotencyKey: text("idempotency_key"),
    // who wrote a reply from the console or the API; null for inbound, drip and API-key sends
    sentByUserId: uuid("sent_by_user_id").references(() => users.id, { onDelete: "set null" }),
    demo: demoFlag(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    demoIndex("messages_tenant_demo_idx", t),
    uniqueIndex("messages_tenant_wamid_key").on(t.tenantId, t.wamid),
    uniqueIndex("messages_tenant_idempotency_key")
      .on(t.tenantId, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null`),
    index("messages_subscriber_time_idx").on(t.subscriberId, t.providerTimestamp.desc(), t.id.desc()),
    index("messages_conversation_idx").on(t.conversationId),
    // replies still waiting for their send: the scheduled work picks up those whose send never ran
    index("messages_pending_idx")
      .on(t.createdAt)
      .where(sql`${t.status} = 'pending'`),
    check("messages_direction_check", oneOf(t.direction, MESSAGE_DIRECTIONS)),
    check("messages_status_check", oneOf(t.status, MESSAGE_STATUSES)),
  ],
);

/**
 * The inbox: one row per chat, a person and the number they write to (tenant, subscriber, number). Conversations
 * are 24 h windows; a chat gathers them. Kept by ingestion in the same transaction as the messages
 * (db/queries/chats.ts), so the inbox reads one row per chat and counts unread without a scan.
 */
export const chats = pgTable(
  "chats",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantRef(),
    subscriberId: uuid("subscriber_id")
      .notNull()
      .references(() => subscribers.id, { onDelete: "cascade" }),
    numberId: uuid("number_id")
      .notNull()
      .references(() => whatsappNumbers.id, { onDelete: "cascade" }),
    latestConversationId: uuid("latest_conversation_id").references(() => conversations.id, { onDelete: "set null" }),
    // the newest message (by provider time, then id): what the list shows and orders by
    lastMessageAt: ts("last_message_at").notNull(),
    lastMessageId: uuid("last_message_id"),
    lastMessageDirection: text("last_message_direction", { enum: MESSAGE_DIRECTIONS }),
    lastMessageType: text("last_message_type"),
    lastMessagePreview: text("last_message_preview"),
    lastInboundAt: ts("last_inbound_at"),
    // the latest conversation's 24 h window (null: never written)
    windowExpiresAt: ts("window_expires_at"),
    unreadCount: integer("unread_count").notNull().default(0),
    lastReadAt: ts("last_read_at"),
    assignedUserId: uuid("assigned_user_id").references(() => users.id, { onDelete: "set null" }),
    assignedAt: ts("assigned_at"),
    // the latest conversation of the chat that began from an ad (a click id, or source type "ad"), and its ad id
    adConversationId: uuid("ad_conversation_id").references(() => conversations.id, { onDelete: "set null" }),
    adId: text("ad_id"),
    // the subscriber's profile name and username (a newline between), kept by triggers (migration 0022): a search
    // for a common name walks the list's own index and tests this, without a lookup of the subscriber per chat
    searchName: text("search_name"),
    demo: demoFlag(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    demoIndex("chats_tenant_demo_idx", t),
    // subscriber first: it also serves a subscriber's chats and the cascade when a subscriber is deleted
    uniqueIndex("chats_subscriber_number_key").on(t.subscriberId, t.numberId, t.tenantId),
    // the foreign keys a conversation's deletion (demo removal) follows, instead of a scan per deleted row
    index("chats_latest_conversation_idx").on(t.latestConversationId),
    index("chats_ad_conversation_idx")
      .on(t.adConversationId)
      .where(sql`${t.adConversationId} is not null`),
    // keyset pages, newest activity first, one index per filter; NULLS FIRST is what a plain `order by
    // last_message_at desc, id desc` asks for (Postgres does not match a NULLS LAST index to it, even on not-null columns)
    index("chats_tenant_last_message_idx").on(t.tenantId, t.lastMessageAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index("chats_tenant_number_last_message_idx").on(t.tenantId, t.numberId, t.lastMessageAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index("chats_tenant_assigned_last_message_idx").on(t.tenantId, t.assignedUserId, t.lastMessageAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index("chats_tenant_unread_last_message_idx")
      .on(t.tenantId, t.lastMessageAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(sql`${t.unreadCount} > 0`),
    index("chats_tenant_ad_last_message_idx")
      .on(t.tenantId, t.adId, t.lastMessageAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(sql`${t.adId} is not null`),
    check("chats_last_message_direction_check", oneOf(t.lastMessageDirection, MESSAGE_DIRECTIONS)),
    check("chats_unread_count_check", sql`${t.unreadCount} >= 0`),
  ],
);

/** A workspace's saved answers, inserted into the inbox composer by their shortcut. */
export const quickReplies = pgTable(
  "quick_replies",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantRef(),
    shortcut: text("shortcut").notNull(), // letters, digits, _ and -, 1–32
    text: text("text").notNull(),
    createdByUserId: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    demo: demoFlag(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    demoIndex("quick_replies_tenant_demo_idx", t),
    uniqueIndex("quick_replies_tenant_shortcut_key").on(t.tenantId, t.shortcut),
    check("quick_replies_shortcut_check", sql`${t.shortcut} ~ '^[A-Za-z0-9_-]{1,32}$'`),
    check("quick_replies_text_length_check", sql`char_length(${t.text}) between 1 and 4096`),
  ],
);

/**
 * Raw deliveries. Range-partitioned by received_at, one partition a day (migration 0024; partitions are created
 * ahead and dropped whole by lib/whatsapp/retention.ts), so the key is (id, received_at): a lookup by id alone
 * probes each partition's key index. drizzle-kit cannot declare partitioning: the table is created by hand.
 */
export const webhookEvents = pgTable(
  "webhook_events",
  {
    id: uuid("id").notNull().defaultRandom(),
    tenantId: uuid("tenant_id").references(() => tenants.id, { onDelete: "cascade" }), // null while unrouted
    numberId: uuid("number_id").references(() => whatsappNumbers.id, { onDelete: "set null" }),
    provider: text("provider", { enum: WEBHOOK_PROVIDERS }).notNull(),
    receivedAt: ts("received_at").notNull().defaultNow(),
    rawBody: text("raw_body").notNull(), // the body as UTF-8 text; see raw_body_kind and raw_body_exact_b64
    // base64 of the exact bytes, only when the text is not byte-exact (BOM, invalid UTF-8, NUL)
    rawBodyExactB64: text("raw_body_exact_b64"),
    rawBodyKind: text("raw_body_kind", { enum: RAW_BODY_KINDS }).notNull().default("exact"),
    bodySha256: text("body_sha256"), // SHA-256 (hex) of the bytes received: ties a split delivery's copies together
    bodyBytes: integer("body_bytes"),
    headers: jsonb("headers").$type<Record<string, string>>().notNull().default({}),
    signatureResult: text("signature_result", { enum: SIGNATURE_RESULTS }).notNull(),
    routedPhoneNumberIds: text("routed_phone_number_ids")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    // Cloud: the Phone Number IDs whose own app secret verified the body (null: stored before this rule)
    verifiedPhoneNumberIds: text("verified_phone_number_ids").array(),
    refusedPhoneNumberIds: text("refused_phone_number_ids")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    status: text("status", { enum: WEBHOOK_STATUSES }).notNull().default("received"),
    error: text("error"),
    attempts: integer("attempts").notNull().default(0),
    processedAt: ts("processed_at"),
    // a provider's own id for one notification (Green API: type, idMessage and status): a redelivery stores nothing
    // new. Unique per number through webhook_event_dedupe_keys (a partitioned table's unique index would need received_at)
    dedupeKey: text("dedupe_key"),
    demo: demoFlag(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: "webhook_events_pkey", columns: [t.id, t.receivedAt] }),
    demoIndex("webhook_events_tenant_demo_idx", t),
    index("webhook_events_tenant_received_idx").on(t.tenantId, t.receivedAt.desc(), t.id.desc()),
    index("webhook_events_status_received_idx").on(t.status, t.receivedAt),
    index("webhook_events_number_received_idx").on(t.numberId, t.receivedAt.desc()),
    check("webhook_events_provider_check", oneOf(t.provider, WEBHOOK_PROVIDERS)),
    check("webhook_events_signature_check", oneOf(t.signatureResult, SIGNATURE_RESULTS)),
    check("webhook_events_status_check", oneOf(t.status, WEBHOOK_STATUSES)),
    check("webhook_events_raw_body_kind_check", oneOf(t.rawBodyKind, RAW_BODY_KINDS)),
  ],
);

/**
 * A provider's notification id per number (webhook_events.dedupe_key), unique here because it cannot be unique on the
 * partitioned webhook_events. Small rows; pruned with the events they name (lib/whatsapp/retention.ts).
 */
export const webhookEventDedupeKeys = pgTable(
  "webhook_event_dedupe_keys",
  {
    numberId: uuid("number_id")
      .notNull()
      .references(() => whatsappNumbers.id, { onDelete: "cascade" }),
    dedupeKey: text("dedupe_key").notNull(),
    eventId: uuid("event_id").notNull(),
    receivedAt: ts("received_at").notNull(),
  },
  (t) => [
    primaryKey({ name: "webhook_event_dedupe_keys_pkey", columns: [t.numberId, t.dedupeKey] }),
    index("webhook_event_dedupe_keys_received_idx").on(t.receivedAt),
  ],
);

export type MetaTemplateBinding = {
  name: string;
  language: string;
  /** ordered body parameters: each maps `{{n}}` (or a named parameter) to one of our variables */
  parameters: { key: string; variable: string }[];
};

export const templates = pgTable(
  "templates",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantRef(),
    name: text("name").notNull(),
    title: text("title").notNull(),
    content: text("content").notNull(),
    delayDays: integer("delay_days").notNull().default(0),
    delayHours: integer("delay_hours").notNull().default(0),
    segment: text("segment"), // null = every segment/course
    active: boolean("active").notNull().default(true),
    metaTemplate: jsonb("meta_template").$type<MetaTemplateBinding>(),
    // a lead's reply stops their drip of this template's series
    stopOnReply: boolean("stop_on_reply").notNull().default(true),
    revision: integer("revision").notNull().default(1),
    demo: demoFlag(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("templates_tenant_name_key").on(t.tenantId, t.name),
    check("templates_delay_check", sql`${t.delayDays} >= 0 and ${t.delayHours} between 0 and 23`),
    check("templates_content_length_check", sql`char_length(${t.content}) <= 4096`),
  ],
);

export const templateRevisions = pgTable(
  "template_revisions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantRef(),
    templateId: uuid("template_id")
      .notNull()
      .references(() => templates.id, { onDelete: "cascade" }),
    revision: integer("revision").notNull(),
    snapshot: jsonb("snapshot").$type<Record<string, unknown>>().notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("template_revisions_template_revision_key").on(t.templateId, t.revision)],
);

export const leads = pgTable(
  "leads",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantRef(),
    name: text("name").notNull(),
    phone: text("phone").notNull(), // E.164
    segment: text("segment"),
    source: text("source"),
    externalRef: text("external_ref"), // idempotency key from the website form, when it sends one
    callStatus: text("call_status", { enum: CALL_STATUSES }).notNull().default("not_called"),
    isTarget: boolean("is_target"), // null until a manager answers "target and interested?"
    campaignActive: boolean("campaign_active").notNull().default(false),
    enrolledAt: ts("enrolled_at"),
    assignedUserId: uuid("assigned_user_id").references(() => users.id, { onDelete: "set null" }),
    subscriberId: uuid("subscriber_id").references(() => subscribers.id, { onDelete: "set null" }),
    numberId: uuid("number_id").references(() => whatsappNumbers.id, { onDelete: "set null" }),
    lastWhatsappSentAt: ts("last_whatsapp_sent_at"),
    demo: demoFlag(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    demoIndex("leads_tenant_demo_idx", t),
    uniqueIndex("leads_tenant_external_ref_key").on(t.tenantId, t.externalRef),
    index("leads_tenant_created_idx").on(t.tenantId, t.createdAt.desc(), t.id.desc()),
    index("leads_tenant_phone_idx").on(t.tenantId, t.phone),
    check("leads_call_status_check", oneOf(t.callStatus, CALL_STATUSES)),
  ],
);

export const outboundMessages = pgTable(
  "outbound_messages",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantRef(),
    leadId: uuid("lead_id").references(() => leads.id, { onDelete: "cascade" }),
    subscriberId: uuid("subscriber_id").references(() => subscribers.id, { onDelete: "set null" }),
    numberId: uuid("number_id").references(() => whatsappNumbers.id, { onDelete: "set null" }),
    phone: text("phone").notNull(),
    templateId: uuid("template_id").references(() => templates.id, { onDelete: "set null" }),
    templateName: text("template_name").notNull(),
    renderedText: text("rendered_text"),
    scheduledAt: ts("scheduled_at").notNull(),
    status: text("status", { enum: OUTBOUND_STATUSES }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: ts("next_attempt_at"),
    leaseExpiresAt: ts("lease_expires_at"),
    // the drip run holding the row (claim token): only it may send the row or record its outcome
    leaseOwner: uuid("lease_owner"),
    // when this attempt's request to the provider began: a row whose run died after this may have been
    // delivered, so it is never claimed again automatically
    sendStartedAt: ts("send_started_at"),
    providerMessageId: text("provider_message_id"),
    sentAt: ts("sent_at"),
    deliveredAt: ts("delivered_at"),
    readAt: ts("read_at"),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    providerResponse: jsonb("provider_response").$type<Record<string, unknown>>(),
    demo: demoFlag(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    demoIndex("outbound_messages_tenant_demo_idx", t),
    // enrolling a lead twice enqueues nothing new
    uniqueIndex("outbound_messages_lead_template_key").on(t.leadId, t.templateId),
    index("outbound_messages_due_idx").on(t.status, t.scheduledAt),
    // the drip's claim takes each number's due rows up to its own quota (claimDueOutboundByNumber)
    index("outbound_messages_number_due_idx")
      .on(t.numberId, t.scheduledAt)
      .where(sql`${t.status} = 'pending'`),
    index("outbound_messages_tenant_status_idx").on(t.tenantId, t.status, t.scheduledAt),
    index("outbound_messages_provider_message_idx").on(t.providerMessageId),
    index("outbound_messages_subscriber_idx").on(t.subscriberId, t.scheduledAt.desc()),
    // the queue monitor: the list in schedule order, and sends per hour
    index("outbound_messages_tenant_scheduled_idx").on(t.tenantId, t.scheduledAt.desc(), t.id.desc()),
    index("outbound_messages_tenant_sent_idx")
      .on(t.tenantId, t.sentAt)
      .where(sql`${t.status} = 'sent'`),
    check("outbound_messages_status_check", oneOf(t.status, OUTBOUND_STATUSES)),
  ],
);

export const conversions = pgTable(
  "conversions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantRef(),
    numberId: uuid("number_id").references(() => whatsappNumbers.id, { onDelete: "set null" }),
    eventId: text("event_id").notNull(),
    eventName: text("event_name").notNull(),
    eventTime: ts("event_time").notNull(),
    requestHash: text("request_hash").notNull(), // same event_id with a different body → 409
    conversationId: uuid("conversation_id").references(() => conversations.id, { onDelete: "set null" }),
    subscriberId: uuid("subscriber_id").references(() => subscribers.id, { onDelete: "set null" }),
    ctwaClid: text("ctwa_clid"),
    value: numeric("value", { precision: 14, scale: 2 }),
    currency: text("currency"),
    contentIds: text("content_ids").array(),
    emailHash: text("email_hash"),
    externalIdHash: text("external_id_hash"),
    testCode: text("test_code"),
    warnings: text("warnings")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    status: text("status", { enum: CONVERSION_STATUSES }).notNull().default("queued"),
    source: text("source", { enum: CONVERSION_SOURCES }).notNull().default("api"),
    attempts: integer("attempts").notNull().default(0),
    lastAttemptAt: ts("last_attempt_at"),
    nextAttemptAt: ts("next_attempt_at"), // while queued after a transient failure
    lastError: text("last_error"), // the last failure in words (Meta's error verbatim, or the timeout)
    sentAt: ts("sent_at"),
    requestPayload: jsonb("request_payload").$type<Record<string, unknown>>(),
    response: jsonb("response").$type<Record<string, unknown>>(),
    fbtraceId: text("fbtrace_id"),
    eventsReceived: integer("events_received"),
    demo: demoFlag(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    demoIndex("conversions_tenant_demo_idx", t),
    uniqueIndex("conversions_tenant_event_id_key").on(t.tenantId, t.eventId),
    index("conversions_tenant_created_idx").on(t.tenantId, t.createdAt.desc(), t.id.desc()),
    // the log's filters, each in list order
    index("conversions_tenant_status_created_idx").on(t.tenantId, t.status, t.createdAt.desc(), t.id.desc()),
    index("conversions_tenant_event_created_idx").on(t.tenantId, t.eventName, t.createdAt.desc(), t.id.desc()),
    index("conversions_tenant_number_created_idx").on(t.tenantId, t.numberId, t.createdAt.desc(), t.id.desc()),
    index("conversions_subscriber_time_idx").on(t.subscriberId, t.eventTime.desc()),
    check("conversions_status_check", oneOf(t.status, CONVERSION_STATUSES)),
    check("conversions_source_check", oneOf(t.source, CONVERSION_SOURCES)),
  ],
);

export const jobs = pgTable(
  "jobs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id").references(() => tenants.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(), // capi_forward | ad_enrichment | webhook_process | …
    dedupeKey: text("dedupe_key"), // one live job per (kind, key): e.g. one enrichment per ad id
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull().default({}),
    status: text("status", { enum: JOB_STATUSES }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull().default(5),
    runAt: ts("run_at").notNull().defaultNow(),
    leaseExpiresAt: ts("lease_expires_at"),
    lastError: text("last_error"),
    result: jsonb("result").$type<Record<string, unknown>>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("jobs_kind_dedupe_key").on(t.kind, t.dedupeKey),
    index("jobs_due_idx").on(t.status, t.runAt),
    index("jobs_tenant_created_idx").on(t.tenantId, t.createdAt.desc(), t.id.desc()),
    check("jobs_status_check", oneOf(t.status, JOB_STATUSES)),
  ],
);

/**
 * Outgoing webhooks: an admin's endpoint (URL, event types, on/off) with its own signing secret (encrypted). An
 * endpoint failing for a day is switched off with the reason (disabled_reason) the admins see.
 */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantRef(),
    url: text("url").notNull(),
    description: text("description"),
    eventTypes: text("event_types").array().notNull(),
    enabled: boolean("enabled").notNull().default(true),
    secretEnc: text("secret_enc").notNull(), // AES-256-GCM; shown once at creation and rotation
    // the previous secret stays valid for signatures until this time after a rotation (receivers roll over)
    previousSecretEnc: text("previous_secret_enc"),
    previousSecretExpiresAt: ts("previous_secret_expires_at"),
    // the first failure of the current failing streak (null while deliveries succeed)
    failingSince: ts("failing_since"),
    disabledAt: ts("disabled_at"),
    disabledReason: text("disabled_reason"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("webhook_endpoints_tenant_created_idx").on(t.tenantId, t.createdAt.desc(), t.id.desc())],
);

/** One event for outgoing webhooks: a stable id (the receivers' dedupe key) and the JSON body's `data`. */
export const outgoingEvents = pgTable(
  "outgoing_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantRef(),
    type: text("type", { enum: OUTGOING_EVENT_TYPES }).notNull(),
    // what makes emitting it again a no-op (e.g. the message id of message.received)
    sourceKey: text("source_key").notNull(),
    // deliveries of one subscriber go out in order (null: no order)
    subscriberId: uuid("subscriber_id"),
    data: jsonb("data").$type<Record<string, unknown>>().notNull(),
    occurredAt: ts("occurred_at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("outgoing_events_tenant_type_source_key").on(t.tenantId, t.type, t.sourceKey),
    index("outgoing_events_tenant_created_idx").on(t.tenantId, t.createdAt.desc(), t.id.desc()),
    check("outgoing_events_type_check", oneOf(t.type, OUTGOING_EVENT_TYPES)),
  ],
);

/** An event to one endpoint: retried with backoff, in order per (endpoint, order key), never duplicated on our side. */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantRef(),
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    eventId: uuid("event_id")
      .notNull()
      .references(() => outgoingEvents.id, { onDelete: "cascade" }),
    // the subscriber's id (ordered deliveries) or the event's own id (no order); seq orders them
    orderKey: text("order_key").notNull(),
    seq: integer("seq").generatedAlwaysAsIdentity(),
    status: text("status", { enum: DELIVERY_STATUSES }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: ts("next_attempt_at").notNull().defaultNow(),
    leaseOwner: uuid("lease_owner"),
    leaseExpiresAt: ts("lease_expires_at"),
    lastAttemptAt: ts("last_attempt_at"),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    deliveredAt: ts("delivered_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_endpoint_event_key").on(t.endpointId, t.eventId),
    // the head of each (endpoint, order key) queue, and what is due
    index("webhook_deliveries_open_order_idx")
      .on(t.endpointId, t.orderKey, t.seq)
      .where(sql`${t.status} in ('pending', 'delivering')`),
    // what is due, oldest first and in emission order within a moment (a burst's rows share their due time)
    index("webhook_deliveries_due_idx")
      .on(t.nextAttemptAt, t.seq)
      .where(sql`${t.status} = 'pending'`),
    // claims whose lease ran out (their run died): found without reading the table
    index("webhook_deliveries_lease_idx")
      .on(t.leaseExpiresAt)
      .where(sql`${t.status} = 'delivering'`),
    index("webhook_deliveries_endpoint_created_idx").on(t.endpointId, t.createdAt.desc(), t.id.desc()),
    check("webhook_deliveries_status_check", oneOf(t.status, DELIVERY_STATUSES)),
  ],
);

/** Each HTTP attempt of a delivery, as the endpoint page shows it. */
export const webhookDeliveryAttempts = pgTable(
  "webhook_delivery_attempts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantRef(),
    deliveryId: uuid("delivery_id")
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: "cascade" }),
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    attemptedAt: ts("attempted_at").notNull(),
    statusCode: integer("status_code"),
    latencyMs: integer("latency_ms").notNull(),
    // the first 1 KiB of the answer's body, or what went wrong (timeout, refused, blocked address)
    responseSnippet: text("response_snippet"),
    error: text("error"),
  },
  (t) => [
    index("webhook_delivery_attempts_endpoint_time_idx").on(t.endpointId, t.attemptedAt.desc(), t.id.desc()),
    index("webhook_delivery_attempts_delivery_idx").on(t.deliveryId, t.attemptedAt.desc()),
  ],
);

/**
 * The managers' Telegram bot of a workspace: its token (encrypted), the secret Telegram sends back with every update
 * (X-Telegram-Bot-Api-Secret-Token; stored as its SHA-256), the chat it posts to (linked by a one-time code) and which
 * notices it sends.
 */
export const telegramBots = pgTable(
  "telegram_bots",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantRef(),
    tokenEnc: text("token_enc").notNull(),
    botId: text("bot_id").notNull(),
    botUsername: text("bot_username").notNull(),
    // the update URL's own key (/api/telegram/{webhook_key}), and the secret_token's SHA-256 (hex)
    webhookKey: text("webhook_key").notNull(),
    secretTokenHash: text("secret_token_hash").notNull(),
    chatId: text("chat_id"),
    chatTitle: text("chat_title"),
    chatType: text("chat_type"),
    // the one-time code that links a chat: /link CODE in the chat (hash; expires)
    linkCodeHash: text("link_code_hash"),
    linkCodeExpiresAt: ts("link_code_expires_at"),
    notifyNewLead: boolean("notify_new_lead").notNull().default(true),
    notifyDripReply: boolean("notify_drip_reply").notNull().default(false),
    notifyDripFailed: boolean("notify_drip_failed").notNull().default(false),
    notifyQualityDrop: boolean("notify_quality_drop").notNull().default(false),
    lastError: text("last_error"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("telegram_bots_tenant_key").on(t.tenantId), uniqueIndex("telegram_bots_webhook_key").on(t.webhookKey)],
);

/** A Telegram user linked to a console user (by a one-time code the console user sends the bot). */
export const telegramUserLinks = pgTable(
  "telegram_user_links",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantRef(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    telegramUserId: text("telegram_user_id"),
    telegramUsername: text("telegram_username"),
    // pending link: the code's hash until the user sends it to the bot
    linkCodeHash: text("link_code_hash"),
    linkCodeExpiresAt: ts("link_code_expires_at"),
    linkedAt: ts("linked_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("telegram_user_links_tenant_user_key").on(t.tenantId, t.userId),
    uniqueIndex("telegram_user_links_tenant_telegram_key").on(t.tenantId, t.telegramUserId),
  ],
);

/** The bot's message about a lead (one per lead) and where its call flow stands, with who pressed what. */
export const telegramLeadMessages = pgTable(
  "telegram_lead_messages",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantRef(),
    leadId: uuid("lead_id")
      .notNull()
      .references(() => leads.id, { onDelete: "cascade" }),
    chatId: text("chat_id").notNull(),
    messageId: text("message_id"),
    step: text("step", { enum: TELEGRAM_CALL_STEPS }).notNull().default("new"),
    outcome: text("outcome"), // enrolled | not_target | no_answer
    actedByTelegramUserId: text("acted_by_telegram_user_id"),
    actedByTelegramName: text("acted_by_telegram_name"),
    actedByUserId: uuid("acted_by_user_id").references(() => users.id, { onDelete: "set null" }),
    actedAt: ts("acted_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("telegram_lead_messages_lead_key").on(t.leadId), check("telegram_lead_messages_step_check", oneOf(t.step, TELEGRAM_CALL_STEPS))],
);

/**
 * A Meta Custom Audience (customer list) the workspace keeps in step with its subscribers (issue 23): the ad account,
 * Meta's audience id, whose token calls Graph (a Cloud number's, or the audience's own sealed token), which subscribers
 * belong (the subscriber list's filters; {} = everyone reachable) and how the last sync went (Meta's error verbatim,
 * with our hint).
 */
export const metaAudiences = pgTable(
  "meta_audiences",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantRef(),
    numberId: uuid("number_id").references(() => whatsappNumbers.id, { onDelete: "set null" }),
    accessTokenEnc: text("access_token_enc"),
    adAccountId: text("ad_account_id").notNull(), // digits, without "act_"
    audienceId: text("audience_id").notNull(),
    name: text("name").notNull(),
    segment: jsonb("segment").$type<Record<string, string>>().notNull().default({}),
    enabled: boolean("enabled").notNull().default(true),
    syncStatus: text("sync_status", { enum: AUDIENCE_SYNC_STATUSES }).notNull().default("idle"),
    sizeSent: integer("size_sent").notNull().default(0), // members added and not removed
    addedTotal: integer("added_total").notNull().default(0),
    removedTotal: integer("removed_total").notNull().default(0),
    lastSyncedAt: ts("last_synced_at"),
    lastFullSyncAt: ts("last_full_sync_at"),
    // new subscribers first seen after this were not looked at yet (the incremental sync's watermark)
    syncedThrough: ts("synced_through"),
    lastError: text("last_error"),
    lastErrorHint: text("last_error_hint"),
    lastErrorAt: ts("last_error_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("meta_audiences_tenant_audience_key").on(t.tenantId, t.audienceId),
    index("meta_audiences_tenant_created_idx").on(t.tenantId, t.createdAt.desc(), t.id.desc()),
    check("meta_audiences_sync_status_check", oneOf(t.syncStatus, AUDIENCE_SYNC_STATUSES)),
  ],
);

/** Who has been sent to a Custom Audience (and not removed since): what a sync adds to and removes from. */
export const metaAudienceMembers = pgTable(
  "meta_audience_members",
  {
    audienceId: uuid("audience_id")
      .notNull()
      .references(() => metaAudiences.id, { onDelete: "cascade" }),
    subscriberId: uuid("subscriber_id").notNull(),
    tenantId: uuid("tenant_id").notNull(),
    addedAt: ts("added_at").notNull(),
  },
  (t) => [primaryKey({ name: "meta_audience_members_pkey", columns: [t.audienceId, t.subscriberId] })],
);

export type MetaAudience = typeof metaAudiences.$inferSelect;
export type NewMetaAudience = typeof metaAudiences.$inferInsert;
export type Ad = typeof ads.$inferSelect;
export type NewAd = typeof ads.$inferInsert;
export type Tenant = typeof tenants.$inferSelect;
export type NewTenant = typeof tenants.$inferInsert;
export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
export type Membership = typeof memberships.$inferSelect;
export type NewMembership = typeof memberships.$inferInsert;
export type Role = (typeof ROLES)[number];
export type UserInvite = typeof userInvites.$inferSelect;
export type ApiKey = typeof apiKeys.$inferSelect;
export type WhatsappNumber = typeof whatsappNumbers.$inferSelect;
export type NewWhatsappNumber = typeof whatsappNumbers.$inferInsert;
export type Subscriber = typeof subscribers.$inferSelect;
export type NewSubscriber = typeof subscribers.$inferInsert;
export type Conversation = typeof conversations.$inferSelect;
export type NewConversation = typeof conversations.$inferInsert;
export type Message = typeof messages.$inferSelect;
export type Chat = typeof chats.$inferSelect;
export type NewChat = typeof chats.$inferInsert;
export type QuickReply = typeof quickReplies.$inferSelect;
export type NewQuickReply = typeof quickReplies.$inferInsert;
export type NewMessage = typeof messages.$inferInsert;
export type WebhookEvent = typeof webhookEvents.$inferSelect;
export type Template = typeof templates.$inferSelect;
export type NewTemplate = typeof templates.$inferInsert;
export type Lead = typeof leads.$inferSelect;
export type NewLead = typeof leads.$inferInsert;
export type OutboundMessage = typeof outboundMessages.$inferSelect;
export type NewOutboundMessage = typeof outboundMessages.$inferInsert;
export type Conversion = typeof conversions.$inferSelect;
export type ConversionSource = (typeof CONVERSION_SOURCES)[number];
export type NewConversion = typeof conversions.$inferInsert;
export type Job = typeof jobs.$inferSelect;
export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect;
export type OutgoingEvent = typeof outgoingEvents.$inferSelect;
export type OutgoingEventType = (typeof OUTGOING_EVENT_TYPES)[number];
export type WebhookDelivery = typeof webhookDeliveries.$inferSelect;
export type WebhookDeliveryAttempt = typeof webhookDeliveryAttempts.$inferSelect;
export type TelegramBot = typeof telegramBots.$inferSelect;
export type TelegramLeadMessage = typeof telegramLeadMessages.$inferSelect;
