// subscribers: one per (tenant, wa_phone), or (tenant, user_id) for users who hide their number.
// Batch writes go through jsonb_to_recordset: one parameter, typed columns, identical on both drivers.
import { and, asc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import { rowsOf } from "../migrations-info";
import { type NewSubscriber, outboundMessages, subscribers } from "../schema";
import { takeFirstOrNull } from "./keyset";
import { statusRankSql, toRecordsetJson } from "./messages";

export type SubscriberRow = typeof subscribers.$inferSelect;
type Identity = { tenantId: string; waPhones: string[]; userIds: string[] };

const CHUNK = 500;

/** The subscriber fields webhook ingestion owns; written as absolute values computed from a locked row. */
export type SubscriberIngestState = Pick<
  SubscriberRow,
  | "id"
  | "waPhone"
  | "waId"
  | "userId"
  | "username"
  | "phoneHash"
  | "profileName"
  | "numberId"
  | "conversationId"
  | "conversationExpiresAt"
  | "lastMessageStatus"
  | "lastMessageStatusAt"
  | "firstSeenAt"
  | "lastInboundAt"
  | "inboundCount"
  | "optInStatus"
  | "optInAt"
  | "optOutAt"
  | "status"
  | "rawLastEventType"
  | "rawVersion"
  | "country"
  | "timezone"
  | "firstTouchConversationId"
  | "lastTouchConversationId"
  | "firstTouchSource"
  | "firstTouchAdId"
  | "firstTouchCampaignId"
  | "hasClickId"
>;

const STATE_NAMES = `wa_phone, wa_id, user_id, username, phone_hash, profile_name, number_id, conversation_id, conversation_expires_at,
  last_message_status, last_message_status_at, first_seen_at, last_inbound_at, inbound_count, opt_in_status, opt_in_at, opt_out_at, status,
  raw_last_event_type, raw_version, country, timezone, first_touch_conversation_id, last_touch_conversation_id, first_touch_source,
  first_touch_ad_id, first_touch_campaign_id, has_click_id`;
const STATE_COLUMNS = sql.raw(`
  id uuid, tenant_id uuid, wa_phone text, wa_id text, user_id text, username text, phone_hash text, profile_name text, number_id uuid,
  conversation_id uuid, conversation_expires_at timestamptz, last_message_status text, last_message_status_at timestamptz,
  first_seen_at timestamptz, last_inbound_at timestamptz, inbound_count int, opt_in_status boolean, opt_in_at timestamptz,
  opt_out_at timestamptz, status text, raw_last_event_type text, raw_version text, country text, timezone text,
  first_touch_conversation_id uuid, last_touch_conversation_id uuid, first_touch_source text, first_touch_ad_id text,
  first_touch_campaign_id text, has_click_id boolean`);

function toStateRecord(s: Partial<SubscriberIngestState> & { tenantId?: string }) {
  return {
    id: s.id,
    tenant_id: s.tenantId,
    wa_phone: s.waPhone,
    wa_id: s.waId,
    user_id: s.userId,
    username: s.username,
    phone_hash: s.phoneHash,
    profile_name: s.profileName,
    number_id: s.numberId,
    conversation_id: s.conversationId,
    conversation_expires_at: s.conversationExpiresAt,
    last_message_status: s.lastMessageStatus,
    last_message_status_at: s.lastMessageStatusAt,
    first_seen_at: s.firstSeenAt,
    last_inbound_at: s.lastInboundAt,
    inbound_count: s.inboundCount,
    opt_in_status: s.optInStatus,
    opt_in_at: s.optInAt,
    opt_out_at: s.optOutAt,
    status: s.status,
    raw_last_event_type: s.rawLastEventType,
    raw_version: s.rawVersion,
    country: s.country,
    timezone: s.timezone,
    first_touch_conversation_id: s.firstTouchConversationId,
    last_touch_conversation_id: s.lastTouchConversationId,
    first_touch_source: s.firstTouchSource,
    first_touch_ad_id: s.firstTouchAdId,
    first_touch_campaign_id: s.firstTouchCampaignId,
    has_click_id: s.hasClickId,
  };
}

export type NewIngestSubscriber = Partial<SubscriberIngestState> & Pick<NewSubscriber, "tenantId" | "firstSeenAt">;

/**
 * Inserts the rows that collide with no unique key (ON CONFLICT DO NOTHING covers both the phone and the user
 * id key) and returns the ids actually inserted. A concurrent insert of the same key waits for the other
 * transaction, then counts as a conflict.
 */
export async function insertSubscribersIfAbsent(db: Db, rows: NewIngestSubscriber[]): Promise<Set<string>> {
  const inserted = new Set<string>();
  for (let i = 0; i < rows.length; i += CHUNK) {
    const json = toRecordsetJson(rows.slice(i, i + CHUNK).map(toStateRecord));
    const result = rowsOf<{ id: string }>(
      await db.execute(sql`
        insert into ${subscribers} (id, tenant_id, ${sql.raw(STATE_NAMES)})
        select coalesce(x.id, gen_random_uuid()), x.tenant_id, wa_phone, wa_id, user_id, username, phone_hash, profile_name, number_id, conversation_id,
          conversation_expires_at, last_message_status, last_message_status_at, first_seen_at, last_inbound_at, coalesce(inbound_count, 0),
          opt_in_status, opt_in_at, opt_out_at, coalesce(status, 'active'), raw_last_event_type, raw_version, country, timezone,
          first_touch_conversation_id, last_touch_conversation_id, first_touch_source, first_touch_ad_id, first_touch_campaign_id,
          coalesce(has_click_id, false)
        from jsonb_to_recordset(${json}::jsonb) as x(${STATE_COLUMNS})
        on conflict do nothing
        returning id`),
    );
    for (const r of result) inserted.add(r.id);
  }
  return inserted;
}

function identityFilter({ tenantId, waPhones, userIds }: Identity) {
  const keys = [
    waPhones.length > 0 ? inArray(subscribers.waPhone, waPhones) : undefined,
    userIds.length > 0 ? inArray(subscribers.userId, userIds) : undefined,
  ].filter((k) => k !== undefined);
  return keys.length > 0 ? and(eq(subscribers.tenantId, tenantId), or(...keys)) : undefined;
}

/** Subscribers matching any of the phones or user ids, locked FOR UPDATE in id order (a stable lock order). */
export async function lockSubscribersByIdentity(db: Db, identity: Identity): Promise<SubscriberRow[]> {
  const where = identityFilter(identity);
  if (!where) return [];
  return db.select().from(subscribers).where(where).orderBy(asc(subscribers.id)).for("update");
}

export async function findSubscribersByIdentity(db: Db, identity: Identity): Promise<Pick<SubscriberRow, "id" | "waPhone" | "userId">[]> {
  const where = identityFilter(identity);
  if (!where) return [];
  return db.select({ id: subscribers.id, waPhone: subscribers.waPhone, userId: subscribers.userId }).from(subscribers).where(where);
}

export async function getSubscriberById(db: Db, { tenantId, id }: { tenantId: string; id: string }): Promise<SubscriberRow | null> {
  return takeFirstOrNull(
    await db
      .select()
      .from(subscribers)
      .where(and(eq(subscribers.tenantId, tenantId), eq(subscribers.id, id)))
      .limit(1),
  );
}

/** The row locked for a read-modify-write by the console or the API. */
export async function lockSubscriberById(db: Db, { tenantId, id }: { tenantId: string; id: string }): Promise<SubscriberRow | null> {
  return takeFirstOrNull(
    await db
      .select()
      .from(subscribers)
      .where(and(eq(subscribers.tenantId, tenantId), eq(subscribers.id, id)))
      .for("update"),
  );
}

export type SubscriberProfileUpdate = Partial<Pick<SubscriberRow, "lifecycleState" | "lifecycleChangedAt" | "tags" | "status" | "optOutAt" | "optInStatus">>;

export async function updateSubscriberProfile(
  db: Db,
  { tenantId, id }: { tenantId: string; id: string },
  values: SubscriberProfileUpdate & { updatedAt: Date },
) {
  const [row] = await db
    .update(subscribers)
    .set(values)
    .where(and(eq(subscribers.tenantId, tenantId), eq(subscribers.id, id)))
    .returning();
  return row ?? null;
}

export async function getSubscriberByWaPhone(db: Db, { tenantId, waPhone }: { tenantId: string; waPhone: string }): Promise<SubscriberRow | null> {
  return takeFirstOrNull(
    await db
      .select()
      .from(subscribers)
      .where(and(eq(subscribers.tenantId, tenantId), eq(subscribers.waPhone, waPhone)))
      .limit(1),
  );
}

export async function getSubscriberByUserId(db: Db, { tenantId, userId }: { tenantId: string; userId: string }): Promise<SubscriberRow | null> {
  return takeFirstOrNull(
    await db
      .select()
      .from(subscribers)
      .where(and(eq(subscribers.tenantId, tenantId), eq(subscribers.userId, userId)))
      .limit(1),
  );
}

/** Writes ingestion state to existing subscribers of the tenant (callers hold their row locks). */
export async function saveSubscriberStates(db: Db, { tenantId, states, now }: { tenantId: string; states: SubscriberIngestState[]; now: Date }): Promise<void> {
  for (let i = 0; i < states.length; i += CHUNK) {
    const json = toRecordsetJson(states.slice(i, i + CHUNK).map((state) => toStateRecord({ ...state, tenantId })));
    await db.execute(sql`
      update ${subscribers} as s set
        wa_phone = x.wa_phone, wa_id = x.wa_id, user_id = x.user_id, username = x.username, phone_hash = x.phone_hash,
        profile_name = x.profile_name, number_id = x.number_id, conversation_id = x.conversation_id,
        conversation_expires_at = x.conversation_expires_at, last_message_status = x.last_message_status,
        last_message_status_at = x.last_message_status_at, first_seen_at = x.first_seen_at, last_inbound_at = x.last_inbound_at,
        inbound_count = x.inbound_count, opt_in_status = x.opt_in_status, opt_in_at = x.opt_in_at, opt_out_at = x.opt_out_at,
        status = x.status, raw_last_event_type = x.raw_last_event_type, raw_version = x.raw_version, country = x.country,
        timezone = x.timezone, first_touch_conversation_id = x.first_touch_conversation_id,
        last_touch_conversation_id = x.last_touch_conversation_id, first_touch_source = x.first_touch_source,
        first_touch_ad_id = x.first_touch_ad_id, first_touch_campaign_id = x.first_touch_campaign_id, has_click_id = x.has_click_id, updated_at = ${now.toISOString()}::timestamptz
      from jsonb_to_recordset(${json}::jsonb) as x(${STATE_COLUMNS})
      where s.id = x.id and s.tenant_id = x.tenant_id`); // tenant as a join column: see applyMessageStatusFacts
  }
}

/** The delivery facts one batch of statuses reports for a subscriber (times are the provider's). */
export type SubscriberStatusDelta = {
  id: string;
  status: string;
  statusAt: Date;
  deliveredAt: Date | null;
  readAt: Date | null;
  failedAt: Date | null;
  failedCode: string | null;
  failedReason: string | null;
};

/**
 * Applies status facts by time, never by arrival order: the last status moves only to a newer one (at the
 * same instant, to a higher-ranked one: read > delivered > failed > sent), the last delivered/read/failed
 * times only forward, the failure code/reason with the newest failure. Rows nothing would change are not
 * written, so a replayed batch leaves them untouched.
 */
export async function applySubscriberStatusDeltas(
  db: Db,
  { tenantId, deltas, now }: { tenantId: string; deltas: SubscriberStatusDelta[]; now: Date },
): Promise<void> {
  if (deltas.length === 0) return;
  const json = toRecordsetJson(
    deltas.map((d) => ({
      tenant_id: tenantId,
      id: d.id,
      status: d.status,
      status_at: d.statusAt,
      delivered_at: d.deliveredAt,
      read_at: d.readAt,
      failed_at: d.failedAt,
      failed_code: d.failedCode,
      failed_reason: d.failedReason,
    })),
  );
  // provider times are often whole seconds (sent, delivered and read may share one): a tie goes to the higher status
  const newer = sql.raw(
    `(x.status_at > coalesce(s.last_message_status_at, '-infinity') or (x.status_at = s.last_message_status_at and ${statusRankSql("x.status")} > ${statusRankSql("s.last_message_status")}))`,
  );
  const newFailure = sql.raw(`(x.failed_at is not null and x.failed_at >= coalesce(s.last_failed_at, '-infinity'))`);
  await db.execute(sql`
    update ${subscribers} as s set
      last_message_status = case when ${newer} then x.status else s.last_message_status end,
      raw_last_event_type = case when ${newer} then 'message-event' else s.raw_last_event_type end,
      last_message_status_at = greatest(s.last_message_status_at, x.status_at),
      last_delivered_at = greatest(s.last_delivered_at, x.delivered_at),
      last_read_at = greatest(s.last_read_at, x.read_at),
      last_failed_at = greatest(s.last_failed_at, x.failed_at),
      last_failed_code = case when ${newFailure} then x.failed_code else s.last_failed_code end,
      last_failed_reason = case when ${newFailure} then x.failed_reason else s.last_failed_reason end,
      updated_at = ${now.toISOString()}::timestamptz
    from jsonb_to_recordset(${json}::jsonb) as x(tenant_id uuid, id uuid, status text, status_at timestamptz, delivered_at timestamptz, read_at timestamptz, failed_at timestamptz, failed_code text, failed_reason text)
    where s.id = x.id and s.tenant_id = x.tenant_id
      and (${newer}
        or x.delivered_at > coalesce(s.last_delivered_at, '-infinity')
        or x.read_at > coalesce(s.last_read_at, '-infinity')
        or (${newFailure} and (x.failed_at > s.last_failed_at or s.last_failed_at is null
          or x.failed_code is distinct from s.last_failed_code or x.failed_reason is distinct from s.last_failed_reason)))`);
}

/**
 * One round of the inactivity sweep: up to `limit` active subscribers (at most `limit` per workspace too) who
 * have not written for their workspace's `inactive_after_days` (never written: since first seen) become
 * `inactive`. Walks the partial index of active subscribers oldest first, so each round starts where the
 * previous one left the index; the conditions are checked again on the row being updated, so a message that
 * arrives meanwhile keeps its sender active. Opted-out and blocked subscribers are never touched.
 */
export async function markSilentSubscribersInactive(db: Db, { now, limit }: { now: Date; limit: number }): Promise<number> {
  const at = now.toISOString();
  const silentSince = sql.raw(`coalesce(s.last_inbound_at, s.first_seen_at)`);
  const rows = rowsOf<{ id: string }>(
    await db.execute(sql`
      with due as (
        select d.id from tenants t
        cross join lateral (
          select s.id from ${subscribers} s
          where s.tenant_id = t.id and s.status = 'active'
            and ${silentSince} < ${at}::timestamptz - make_interval(days => t.inactive_after_days)
          order by ${silentSince}
          limit ${limit}
        ) d
        limit ${limit}
      )
      update ${subscribers} s set status = 'inactive', updated_at = ${at}::timestamptz
      from due, tenants t
      where s.id = due.id and t.id = s.tenant_id and s.status = 'active'
        and ${silentSince} < ${at}::timestamptz - make_interval(days => t.inactive_after_days)
      returning s.id`),
  );
  return rows.length;
}

/**
 * A provider-level opt-in/opt-out (Gupshup user-event) for the subscriber with this phone. Applies only when
 * newer than the subscriber's last opt change, so a replayed old event cannot undo a later one; blocked
 * subscribers keep their status. Returns the subscriber id when something changed.
 */
export async function recordSubscriberOptEvent(
  db: Db,
  { tenantId, waPhone, optIn, at, now }: { tenantId: string; waPhone: string; optIn: boolean; at: Date; now: Date },
): Promise<string | null> {
  const iso = at.toISOString();
  const rows = rowsOf<{ id: string }>(
    await db.execute(sql`
      update ${subscribers} set
        opt_in_status = ${optIn}::boolean,
        opt_in_at = case when ${optIn}::boolean then ${iso}::timestamptz else opt_in_at end,
        opt_out_at = case when ${optIn}::boolean then opt_out_at else ${iso}::timestamptz end,
        status = case when status = 'blocked' then status when ${optIn}::boolean then 'active' else 'opted_out' end,
        raw_last_event_type = 'user-event',
        updated_at = ${now.toISOString()}::timestamptz
      where tenant_id = ${tenantId} and wa_phone = ${waPhone}
        and greatest(opt_in_at, opt_out_at, '-infinity'::timestamptz) < ${iso}::timestamptz
      returning id`),
  );
  return rows[0]?.id ?? null;
}

/**
 * A customer's marketing-message choice (Meta user_preferences) on one subscriber, written only when newer than
 * the recorded one; at the same instant a stop wins (lib/subscribers/marketing-preference `supersedes`). A
 * replay or an older event changes nothing. Returns whether the row changed.
 */
export async function recordMarketingPreference(
  db: Db,
  { tenantId, id, preference, at, now }: { tenantId: string; id: string; preference: "stop" | "resume"; at: Date; now: Date },
): Promise<boolean> {
  const s = subscribers;
  const tieGoesToStop = preference === "stop" ? and(eq(s.marketingPreferenceAt, at), sql`${s.marketingPreference} is distinct from 'stop'`) : undefined;
  const rows = await db
    .update(s)
    .set({ marketingPreference: preference, marketingPreferenceAt: at, rawLastEventType: "user_preferences", updatedAt: now })
    .where(and(eq(s.tenantId, tenantId), eq(s.id, id), or(isNull(s.marketingPreferenceAt), lt(s.marketingPreferenceAt, at), tieGoesToStop)))
    .returning({ id: s.id });
  return rows.length > 0;
}

/**
 * Cancels the pending drip rows of subscribers who opted out or stopped marketing messages (`reason` says
 * which; by subscriber id, or by phone for rows queued before the subscriber existed). Rows already leased by
 * a sender are left to its own check.
 */
export async function cancelPendingOutboundForOptOut(
  db: Db,
  {
    tenantId,
    subscriberIds,
    waPhones,
    now,
    reason = { code: "opted_out", message: "The subscriber opted out" },
  }: { tenantId: string; subscriberIds: string[]; waPhones: string[]; now: Date; reason?: { code: string; message: string } },
): Promise<number> {
  const who = [
    subscriberIds.length > 0 ? inArray(outboundMessages.subscriberId, subscriberIds) : undefined,
    waPhones.length > 0 ? inArray(outboundMessages.phone, waPhones) : undefined,
  ].filter((c) => c !== undefined);
  if (who.length === 0) return 0;
  const rows = await db
    .update(outboundMessages)
    .set({ status: "cancelled", errorCode: reason.code, errorMessage: reason.message, leaseExpiresAt: null, nextAttemptAt: null, updatedAt: now })
    .where(and(eq(outboundMessages.tenantId, tenantId), eq(outboundMessages.status, "pending"), or(...who)))
    .returning({ id: outboundMessages.id });
  return rows.length;
}
