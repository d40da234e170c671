// Inbound messages of a batch → subscribers (created or updated), conversations (24 h windows, ad
// referrals with first/last touch, cached ad names; new ad ids queue an enrichment job), message rows,
// opt-out keywords. Set-based, idempotent by wamid.
import { randomUUID } from "node:crypto";
import type { Db } from "@/db/client";
import {
  type SubscriberIngestState,
  type SubscriberRow,
  cancelPendingDripOnReply,
  cancelPendingOutboundForOptOut,
  extendConversations,
  findExistingWamids,
  getChatWindows,
  getTenantById,
  insertConversations,
  insertMessagesIgnoringDuplicates,
  type ProviderMessage,
  insertSubscribersIfAbsent,
  lockSubscribersByIdentity,
  saveSubscriberStates,
  upsertChatsForMessages,
} from "@/db/queries";
import type { NewConversation, NewMessage, NewSubscriber } from "@/db/schema";
import { queueAutomaticLeads } from "@/lib/conversions/automatic";
import { LEAD_REPLIED, emitDripStopped } from "@/lib/drip/stops";
import { applyAdCache, registerConversationAds } from "@/lib/subscribers/enrichment";
import { type SenderIdentity, resolveSenderIdentity } from "@/lib/subscribers/identity";
import { type OptKeywords, matchOptKeyword, toOptKeywords } from "@/lib/subscribers/opt-out";
import { parseUtmTags } from "@/lib/subscribers/utm";
import type { Notice } from "@/lib/telegram/notices";
import { emitEvents } from "@/lib/webhooks-out/emit";
import { type OutgoingEventInput, subscriberData, subscriberOptEvent } from "@/lib/webhooks-out/events";
import type { InboundMessage } from "./normalised";
import { type Routed, maxDate } from "./routed";

const WINDOW_MS = 24 * 60 * 60 * 1000; // customer-service window

type Incoming = Routed<InboundMessage> & { identity: SenderIdentity };
type SenderGroup = { key: string; identity: SenderIdentity; items: Incoming[] };
type Plan = {
  state: SubscriberIngestState;
  conversations: NewConversation[];
  extended: Map<string, { id: string; lastMessageAt: Date; windowExpiresAt: Date }>;
  messages: ProviderMessage[];
  optedOut: boolean;
  /** opt keywords that changed the person's consent, in order (outgoing webhooks: subscriber.opted_out / opted_in) */
  opts: { action: "opt_out" | "opt_in"; wamid: string; at: Date }[];
  /** each number's latest conversation with the person and its window: Meta's 24 h window is per business number */
  windows: Map<string, ConversationWindow>;
};
type ConversationWindow = { id: string; expiresAt: Date };

const isOutbound = (m: InboundMessage) => m.history?.direction === "outbound";

/** One group per sender; a user id seen with a phone elsewhere in the batch joins that phone's group. */
function groupBySender(items: Incoming[]): SenderGroup[] {
  const phoneOfUser = new Map<string, string>();
  for (const i of items) if (i.identity.waPhone && i.identity.userId) phoneOfUser.set(i.identity.userId, i.identity.waPhone);
  const groups = new Map<string, SenderGroup>();
  const ordered = [...items].sort((a, b) => a.item.timestamp.getTime() - b.item.timestamp.getTime() || a.item.wamid.localeCompare(b.item.wamid));
  for (const i of ordered) {
    const phone = i.identity.waPhone ?? (i.identity.userId ? phoneOfUser.get(i.identity.userId) : undefined);
    const key = phone ? `p:${phone}` : `u:${i.identity.userId}`;
    const group = groups.get(key) ?? { key, identity: { ...i.identity }, items: [] };
    for (const [field, value] of Object.entries(i.identity) as [keyof SenderIdentity, string | null][]) if (value !== null) group.identity[field] = value;
    group.items.push(i);
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)); // stable lock order across batches
}

function freshState(group: SenderGroup): SubscriberIngestState {
  const first = group.items[0]!;
  const { waPhone, waId, userId, username, phoneHash, country, timezone } = group.identity;
  return {
    id: randomUUID(),
    waPhone,
    waId,
    userId,
    username,
    phoneHash,
    country,
    timezone,
    profileName: null,
    numberId: first.number.id,
    conversationId: null,
    conversationExpiresAt: null,
    lastMessageStatus: null,
    lastMessageStatusAt: null,
    firstSeenAt: first.item.timestamp,
    lastInboundAt: null,
    inboundCount: 0,
    optInStatus: null,
    optInAt: null,
    optOutAt: null,
    status: "active",
    rawLastEventType: null,
    rawVersion: first.ctx.rawVersion,
    firstTouchConversationId: null,
    lastTouchConversationId: null,
    firstTouchSource: null,
    firstTouchAdId: null,
    firstTouchCampaignId: null,
    hasClickId: false,
  };
}

function stateOf(row: SubscriberRow): SubscriberIngestState {
  const {
    id,
    waPhone,
    waId,
    userId,
    username,
    phoneHash,
    profileName,
    numberId,
    conversationId,
    conversationExpiresAt,
    lastMessageStatus,
    lastMessageStatusAt,
  } = row;
  const { firstSeenAt, lastInboundAt, inboundCount, optInStatus, optInAt, optOutAt, status, rawLastEventType, rawVersion, country, timezone } = row;
  return {
    id,
    waPhone,
    waId,
    userId,
    username,
    phoneHash,
    profileName,
    numberId,
    conversationId,
    conversationExpiresAt,
    lastMessageStatus,
    lastMessageStatusAt,
    firstSeenAt,
    lastInboundAt,
    inboundCount,
    optInStatus,
    optInAt,
    optOutAt,
    status,
    rawLastEventType,
    rawVersion,
    country,
    timezone,
    firstTouchConversationId: row.firstTouchConversationId,
    lastTouchConversationId: row.lastTouchConversationId,
    firstTouchSource: row.firstTouchSource,
    firstTouchAdId: row.firstTouchAdId,
    firstTouchCampaignId: row.firstTouchCampaignId,
    hasClickId: row.hasClickId,
  };
}

type Taken = { waPhones: Set<string>; userIds: Set<string> };

/** Fills identity gaps (a phone revealed, a new user id) unless another subscriber holds them; names follow the newest message. */
function adoptIdentity(s: SubscriberIngestState, id: SenderIdentity, newest: boolean, taken: Taken): void {
  if (!s.waPhone && id.waPhone && !taken.waPhones.has(id.waPhone))
    Object.assign(s, { waPhone: id.waPhone, phoneHash: id.phoneHash, country: id.country, timezone: id.timezone });
  if (!s.userId && id.userId && !taken.userIds.has(id.userId)) s.userId = id.userId;
  if (id.waId && (newest || !s.waId)) s.waId = id.waId;
  if (id.username && (newest || !s.username)) s.username = id.username;
  if (id.profileName && (newest || !s.profileName)) s.profileName = id.profileName;
}

function newConversation(tenantId: string, s: SubscriberIngestState, i: Incoming): NewConversation {
  const at = i.item.timestamp;
  const r = i.item.referral;
  const base: NewConversation = {
    id: randomUUID(),
    tenantId,
    subscriberId: s.id,
    numberId: i.number.id,
    startedAt: at,
    lastMessageAt: at,
    windowExpiresAt: new Date(at.getTime() + WINDOW_MS),
  };
  if (!r) return base;
  return {
    ...base,
    ctwaClid: r.ctwaClid,
    sourceUrl: r.sourceUrl,
    sourceType: r.sourceType,
    sourceId: r.sourceId,
    headline: r.headline,
    body: r.body,
    mediaType: r.mediaType,
    imageUrl: r.imageUrl,
    videoUrl: r.videoUrl,
    thumbnailUrl: r.thumbnailUrl,
    welcomeText: r.welcomeText,
    referral: r.raw,
    ...parseUtmTags(r.sourceUrl),
    adId: r.sourceType === "ad" ? r.sourceId : null, // source_id is the ad id for enrichment; never a click id
  };
}

/** The person's conversation with this number when its window is open at `at` (Meta's window is per number). */
function openConversation(plan: Plan, i: Incoming, at: Date): string | null {
  const w = plan.windows.get(i.number.id);
  return w && w.expiresAt.getTime() > at.getTime() ? w.id : null;
}

/**
 * Opens a conversation (ad click, or no open 24 h window with this number) or extends the open one; returns its id.
 * A person writing to two numbers of the workspace has a conversation, and a window, with each; the subscriber's
 * own conversation is the one of their newest message.
 */
function openOrExtend(plan: Plan, tenantId: string, i: Incoming, newest: boolean): string {
  const s = plan.state;
  const at = i.item.timestamp;
  const end = new Date(at.getTime() + WINDOW_MS);
  const openId = openConversation(plan, i, at);
  const follow = (w: ConversationWindow) => {
    plan.windows.set(i.number.id, w);
    if (newest || s.conversationId === w.id) Object.assign(s, { conversationId: w.id, conversationExpiresAt: w.expiresAt });
  };
  if (openId !== null && !i.item.referral) {
    const local = plan.conversations.find((c) => c.id === openId);
    const prev = local ?? plan.extended.get(openId);
    const next = { id: openId, lastMessageAt: maxDate(prev?.lastMessageAt ?? null, at)!, windowExpiresAt: maxDate(prev?.windowExpiresAt ?? null, end)! };
    if (local) Object.assign(local, next);
    else plan.extended.set(openId, next);
    follow({ id: openId, expiresAt: maxDate(plan.windows.get(i.number.id)!.expiresAt, end)! });
    return openId;
  }
  const conversation = newConversation(tenantId, s, i);
  plan.conversations.push(conversation);
  follow({ id: conversation.id!, expiresAt: end });
  if (i.item.referral) {
    if (s.firstTouchConversationId === null) {
      // first touch is never overwritten; its source and ad are kept on the subscriber for list filters
      Object.assign(s, {
        firstTouchConversationId: conversation.id!,
        firstTouchSource: conversation.sourceType ?? "unknown",
        firstTouchAdId: conversation.adId ?? null,
      });
    }
    s.lastTouchConversationId = conversation.id!;
    if (conversation.ctwaClid) s.hasClickId = true;
  }
  return conversation.id!;
}

const HISTORY_STATUS: Record<string, NewMessage["status"]> = { SENT: "sent", DELIVERED: "delivered", READ: "read", PLAYED: "read", FAILED: "failed" };

/** Applies a sender's new messages (sorted by time) to its state: counters, window, touches, opt keywords, message rows. */
function planSender(
  tenantId: string,
  base: SubscriberIngestState,
  items: Incoming[],
  keywords: OptKeywords,
  taken: Taken,
  windows: Map<string, ConversationWindow> = new Map(),
): Plan {
  const plan: Plan = { state: { ...base }, conversations: [], extended: new Map(), messages: [], optedOut: false, opts: [], windows };
  const s = plan.state;
  let lastOptAt = maxDate(s.optInAt, s.optOutAt)?.getTime() ?? -Infinity;
  for (const i of items) {
    const m = i.item;
    const at = m.timestamp;
    const outbound = isOutbound(m);
    const newest = at.getTime() >= (s.lastInboundAt?.getTime() ?? -Infinity);
    if (!outbound) adoptIdentity(s, i.identity, newest, taken);
    if (at.getTime() < s.firstSeenAt.getTime()) s.firstSeenAt = at;
    let conversationId: string | null = null;
    if (!outbound && !m.history && m.type !== "system") conversationId = openOrExtend(plan, tenantId, i, newest);
    else if (!m.history || m.history.source === "echo") conversationId = openConversation(plan, i, at);
    if (!outbound && m.type !== "system") {
      s.inboundCount += 1;
      if (newest) Object.assign(s, { lastInboundAt: at, numberId: i.number.id });
      if (!m.history && s.status === "inactive") s.status = "active"; // writing again ends the inactivity (lib/subscribers/inactivity)
    }
    if (!outbound && at.getTime() >= (s.lastMessageStatusAt?.getTime() ?? -Infinity)) {
      Object.assign(s, { lastMessageStatus: "received", lastMessageStatusAt: at, rawLastEventType: m.system?.type ?? "message", rawVersion: i.ctx.rawVersion });
    }
    const action = !m.history && m.type === "text" ? matchOptKeyword(m.textPreview, keywords) : null;
    if (action && at.getTime() > lastOptAt) {
      lastOptAt = at.getTime();
      plan.optedOut = action === "opt_out";
      plan.opts.push({ action, wamid: m.wamid, at });
      const keep = s.status === "blocked"; // blocked subscribers stay blocked
      if (action === "opt_out") Object.assign(s, { optOutAt: at, optInStatus: false, status: keep ? s.status : "opted_out" });
      else Object.assign(s, { optInAt: at, optInStatus: true, status: keep ? s.status : "active" });
    }
    plan.messages.push({
      tenantId,
      subscriberId: s.id,
      conversationId,
      numberId: i.number.id,
      direction: outbound ? "outbound" : "inbound",
      wamid: m.wamid,
      type: m.type,
      textPreview: m.textPreview || null,
      payload: m.payload,
      providerTimestamp: at,
      status: outbound ? (HISTORY_STATUS[(m.history?.status ?? "").toUpperCase()] ?? "sent") : "received",
    });
  }
  return plan;
}

/**
 * Inbound messages of one tenant. New senders are inserted with their final state in one statement
 * (ON CONFLICT DO NOTHING on both identity keys); senders that already exist are locked in id order,
 * re-checked for messages a concurrent delivery stored meanwhile, and updated. Counters come only from
 * messages actually inserted, so a replay (or a concurrent duplicate) counts nothing. A reply adds its Telegram
 * notice to `notices` (sent by the caller once the transaction committed).
 */
export async function applyInbound(
  tx: Db,
  tenantId: string,
  routed: Routed<InboundMessage>[],
  now: Date,
  notices: Notice[] = [],
  audienceTenants?: Set<string>,
): Promise<number> {
  const seen = new Set<string>();
  const incoming: Incoming[] = [];
  for (const r of routed) {
    const identity = seen.has(r.item.wamid) ? null : resolveSenderIdentity(r.item);
    seen.add(r.item.wamid);
    if (identity) incoming.push({ ...r, identity }); // no phone and no user id: nobody to attribute it to
  }
  const known = await findExistingWamids(tx, { tenantId, wamids: incoming.map((i) => i.item.wamid) });
  const groups = groupBySender(incoming.filter((i) => !known.has(i.item.wamid)));
  if (groups.length === 0) return 0;
  const keywords = toOptKeywords((await getTenantById(tx, tenantId)) ?? undefined);
  const none: Taken = { waPhones: new Set(), userIds: new Set() };
  const fresh = groups.map((g) => ({ group: g, plan: planSender(tenantId, freshState(g), g.items, keywords, none) }));
  // ad ids before any subscriber lock (an enrichment job locks the ad, then its conversations and subscribers)
  const adCache = await registerConversationAds(tx, { tenantId, conversations: fresh.flatMap((f) => f.plan.conversations), now });
  for (const f of fresh) applyAdCache(adCache, f.plan);
  const inserted = await insertSubscribersIfAbsent(
    tx,
    fresh.map((f): NewSubscriber => ({ tenantId, ...f.plan.state })),
  );
  const plans = fresh.filter((f) => inserted.has(f.plan.state.id)).map((f) => f.plan);
  const existing = await planExistingSenders(
    tx,
    tenantId,
    fresh.filter((f) => !inserted.has(f.plan.state.id)).map((f) => f.group),
    keywords,
  );
  for (const p of existing) applyAdCache(adCache, p);
  plans.push(...existing);
  const newConversations = plans.flatMap((p) => p.conversations);
  await insertConversations(tx, newConversations);
  const autoLeadNumbers = new Map(routed.filter((r) => r.number.autoLeadSubmitted).map((r) => [r.number.id, r.number]));
  if (autoLeadNumbers.size > 0) await queueAutomaticLeads(tx, { conversations: newConversations, numbers: autoLeadNumbers, now });
  await extendConversations(tx, { tenantId, rows: plans.flatMap((p) => [...p.extended.values()]), now });
  const rows = plans.flatMap((p) => p.messages);
  const stored = await insertMessagesIgnoringDuplicates(tx, rows);
  if (stored.size !== rows.length) throw Object.assign(new Error("a message of this batch was stored concurrently"), { retryAlone: true });
  // history and system notices are not something a person wrote now: they never count as unread
  const quiet = new Set(incoming.filter((i) => i.item.history || i.item.type === "system").map((i) => i.item.wamid));
  await upsertChatsForMessages(tx, {
    tenantId,
    rows: rows.map((m) => ({ ...m, id: stored.get(m.wamid)!, unread: m.direction === "inbound" && !quiet.has(m.wamid) })),
    now,
  });
  await saveSubscriberStates(tx, { tenantId, states: existing.map((p) => p.state), now });
  await emitEvents(tx, tenantId, inboundEvents(plans, new Set(plans.slice(0, plans.length - existing.length).map((p) => p.state.id)), stored, quiet));
  const optedOut = plans.filter((p) => p.optedOut).map((p) => p.state);
  if (optedOut.length > 0) {
    await cancelPendingOutboundForOptOut(tx, {
      tenantId,
      subscriberIds: optedOut.map((s) => s.id),
      waPhones: optedOut.flatMap((s) => (s.waPhone ? [s.waPhone] : [])),
      now,
    });
  }
  // the lead wrote to us: their series that stop on a reply end (history, system notices and reactions are not replies)
  const replied = plans.filter((p) => p.messages.some((m) => m.direction === "inbound" && m.type !== "reaction" && !quiet.has(m.wamid))).map((p) => p.state);
  if (replied.length > 0) {
    const stop = await cancelPendingDripOnReply(tx, {
      tenantId,
      subscribers: replied.map((s) => ({ id: s.id, waPhone: s.waPhone })),
      now,
      reason: LEAD_REPLIED,
    });
    await emitDripStopped(tx, { tenantId, stop, reason: LEAD_REPLIED, now });
    // "replied to a drip" for the managers' chat, once per subscriber and batch with what they wrote last (sent
    // after the commit, only where the bot has it on and the subscriber's lead has a running drip)
    for (const p of plans) {
      const said = p.messages.filter((m) => m.direction === "inbound" && m.type !== "reaction" && !quiet.has(m.wamid));
      const last = said.at(-1);
      if (!last) continue;
      const s = p.state;
      notices.push({
        kind: "notifyDripReply",
        tenantId,
        subscriberId: s.id,
        name: s.profileName,
        phone: s.waPhone ?? s.userId ?? "",
        text: last.textPreview ?? null,
      });
    }
  }
  // new subscribers or opt-outs: the tenant's Custom Audiences sync once the batch committed (lib/audiences/sync.ts)
  if (audienceTenants && (inserted.size > 0 || optedOut.length > 0)) audienceTenants.add(tenantId);
  return rows.length;
}

/**
 * Outgoing-webhook events of the batch, per subscriber in the order they happened: subscriber.created (new
 * senders), conversation.started (with its referral and click id), message.received (each inserted inbound message a
 * person wrote now: history and system notices are not), subscriber.opted_out / opted_in (opt keywords). One
 * statement for all (emitEvents), nothing written when no endpoint listens.
 */
function inboundEvents(plans: Plan[], created: Set<string>, stored: Map<string, string>, quiet: Set<string>): OutgoingEventInput[] {
  const events: OutgoingEventInput[] = [];
  for (const p of plans) {
    const s = p.state;
    const whoRef = { id: s.id, phone: s.waPhone, waId: s.waId, userId: s.userId, name: s.profileName };
    const who = subscriberData(whoRef);
    if (created.has(s.id)) {
      events.push({
        type: "subscriber.created",
        sourceKey: s.id,
        subscriberId: s.id,
        occurredAt: s.firstSeenAt,
        data: { subscriber: who, numberId: s.numberId, firstSeenAt: s.firstSeenAt.toISOString() },
      });
    }
    for (const c of p.conversations) {
      const referral =
        c.sourceType || c.ctwaClid || c.sourceId
          ? {
              sourceType: c.sourceType ?? null,
              sourceId: c.sourceId ?? null,
              sourceUrl: c.sourceUrl ?? null,
              headline: c.headline ?? null,
              body: c.body ?? null,
              ctwaClid: c.ctwaClid ?? null,
            }
          : null;
      events.push({
        type: "conversation.started",
        sourceKey: c.id!,
        subscriberId: s.id,
        occurredAt: c.startedAt,
        data: {
          conversationId: c.id,
          subscriber: who,
          numberId: c.numberId,
          startedAt: c.startedAt.toISOString(),
          clickId: c.ctwaClid ?? null,
          adId: c.adId ?? null,
          adName: (c as { adName?: string | null }).adName ?? null,
          referral,
          utm: {
            source: c.utmSource ?? null,
            medium: c.utmMedium ?? null,
            campaign: c.utmCampaign ?? null,
            content: c.utmContent ?? null,
            term: c.utmTerm ?? null,
          },
        },
      });
    }
    const optAt = new Map(p.opts.map((o) => [o.wamid, o]));
    for (const m of p.messages) {
      if (m.direction !== "inbound" || quiet.has(m.wamid)) continue;
      const id = stored.get(m.wamid)!;
      events.push({
        type: "message.received",
        sourceKey: id,
        subscriberId: s.id,
        occurredAt: m.providerTimestamp!,
        data: {
          messageId: id,
          wamid: m.wamid,
          subscriber: who,
          conversationId: m.conversationId ?? null,
          numberId: m.numberId,
          type: m.type,
          text: m.textPreview ?? null,
          sentAt: m.providerTimestamp!.toISOString(),
        },
      });
      const opt = optAt.get(m.wamid);
      if (opt) {
        events.push(
          subscriberOptEvent({
            optIn: opt.action === "opt_in",
            sourceKey: `keyword:${m.wamid}`,
            subscriber: whoRef,
            at: opt.at,
            source: "keyword",
            details: { keyword: m.textPreview ?? null, messageId: id },
          }),
        );
      }
    }
  }
  return events;
}

/**
 * Each sender's stored conversation windows per number: the subscriber's own conversation is the one of their newest
 * inbound message (so of its number); a message to another number reads that chat's latest conversation, only then.
 */
async function storedWindows(tx: Db, tenantId: string, entries: { row: SubscriberRow; items: Incoming[] }[]) {
  const windows = new Map<string, Map<string, ConversationWindow>>();
  const others: { subscriberId: string; numberId: string }[] = [];
  for (const { row, items } of entries) {
    const own = new Map<string, ConversationWindow>();
    if (row.numberId && row.conversationId && row.conversationExpiresAt)
      own.set(row.numberId, { id: row.conversationId, expiresAt: row.conversationExpiresAt });
    windows.set(row.id, own);
    for (const numberId of new Set(items.map((i) => i.number.id))) if (numberId !== row.numberId) others.push({ subscriberId: row.id, numberId });
  }
  if (others.length > 0) {
    for (const c of await getChatWindows(tx, { tenantId, chats: others })) {
      if (c.latestConversationId && c.windowExpiresAt)
        windows.get(c.subscriberId)!.set(c.numberId, { id: c.latestConversationId, expiresAt: c.windowExpiresAt });
    }
  }
  return windows;
}

async function planExistingSenders(tx: Db, tenantId: string, groups: SenderGroup[], keywords: OptKeywords): Promise<Plan[]> {
  if (groups.length === 0) return [];
  const rows = await lockSubscribersByIdentity(tx, {
    tenantId,
    waPhones: groups.flatMap((g) => (g.identity.waPhone ? [g.identity.waPhone] : [])),
    userIds: groups.flatMap((g) => (g.identity.userId ? [g.identity.userId] : [])),
  });
  // after the lock: a concurrent delivery of the same messages has committed by now, and is skipped here
  const stored = await findExistingWamids(tx, { tenantId, wamids: groups.flatMap((g) => g.items.map((i) => i.item.wamid)) });
  const byRow = new Map<string, { row: SubscriberRow; items: Incoming[] }>();
  for (const g of groups) {
    const row =
      rows.find((r) => g.identity.waPhone !== null && r.waPhone === g.identity.waPhone) ??
      rows.find((r) => g.identity.userId !== null && r.userId === g.identity.userId);
    if (!row) throw Object.assign(new Error(`subscriber ${g.key} conflicted on insert but cannot be found`), { retryAlone: true });
    const entry = byRow.get(row.id) ?? { row, items: [] };
    entry.items.push(...g.items.filter((i) => !stored.has(i.item.wamid)));
    byRow.set(row.id, entry);
  }
  const windows = await storedWindows(tx, tenantId, [...byRow.values()]);
  const plans: Plan[] = [];
  for (const { row, items } of byRow.values()) {
    if (items.length === 0) continue;
    const others = rows.filter((r) => r.id !== row.id);
    const taken: Taken = {
      waPhones: new Set(others.flatMap((r) => (r.waPhone ? [r.waPhone] : []))),
      userIds: new Set(others.flatMap((r) => (r.userId ? [r.userId] : []))),
    };
    items.sort((a, b) => a.item.timestamp.getTime() - b.item.timestamp.getTime() || a.item.wamid.localeCompare(b.item.wamid));
    plans.push(planSender(tenantId, stateOf(row), items, keywords, taken, windows.get(row.id)));
  }
  return plans;
}
