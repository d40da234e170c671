// Webhook ingestion core: stored raw events (webhook_events) → subscribers, conversations, messages, statuses,
// opt-outs and number/template updates. Idempotent by unique keys (a replayed delivery changes nothing) and
// set-based: a batch of events is applied with a handful of multi-row statements in one transaction; if the
// batch throws, each event is retried alone so one poison event cannot hold the others back.
import { randomUUID } from "node:crypto";
import type { Db } from "@/db/client";
import {
  MESSAGE_STATUS_RANK,
  type MessageStatusFacts,
  TRUSTED_SIGNATURE_RESULTS,
  type RoutingNumber,
  type SubscriberIngestState,
  type SubscriberRow,
  type SubscriberStatusDelta,
  type WebhookEventOutcome,
  type WebhookEventRow,
  applyMessageStatusFacts,
  applySubscriberStatusDeltas,
  cancelPendingOutboundForOptOut,
  claimReceivedWebhookEvents,
  extendConversations,
  findExistingWamids,
  findNumbersForRouting,
  findSubscribersByIdentity,
  getNumberById,
  getTenantById,
  getWebhookEvent,
  insertConversations,
  insertMessagesIgnoringDuplicates,
  insertSubscribersIfAbsent,
  insertWebhookEvent,
  listUnroutedWebhookEventIds,
  lockSubscribersByIdentity,
  lockWebhookEvents,
  markWebhookEventFailed,
  recordSubscriberOptEvent,
  recordTemplateBindingStatus,
  recordWebhookEventOutcomes,
  saveSubscriberStates,
  touchNumbersLastWebhookAt,
  updateNumber,
} from "@/db/queries";
import type { NewWebhookEvent } from "@/db/queries/webhook-events";
import type { NewConversation, NewMessage, NewSubscriber, SIGNATURE_RESULTS, WEBHOOK_PROVIDERS, WEBHOOK_STATUSES } from "@/db/schema";
import { AppError, notFound } from "@/lib/errors";
import { parseGupshupWebhook } from "@/lib/gupshup/parse";
import { type SenderIdentity, identityFromPhone, resolveSenderIdentity, toWaPhone } from "@/lib/subscribers/identity";
import { type OptKeywords, matchOptKeyword, toOptKeywords } from "@/lib/subscribers/opt-out";
import { parseUtmTags } from "@/lib/subscribers/utm";
import type { ChangeEvent, InboundMessage, StatusUpdate, WebhookItem } from "./normalised";
import { parseMetaWebhook } from "./parse";

const BATCH_SIZE = 250; // events per transaction
const WINDOW_MS = 24 * 60 * 60 * 1000; // customer-service window
const KEPT_HEADERS = ["content-type", "content-length", "user-agent", "x-hub-signature-256", "x-forwarded-for", "x-request-id"];

// ---------------------------------------------------------------------------------------------- store

export type StoreWebhookEventInput = {
  provider: (typeof WEBHOOK_PROVIDERS)[number];
  rawBody: string;
  headers?: Headers | Record<string, string | string[] | undefined>;
  signatureResult: (typeof SIGNATURE_RESULTS)[number];
  routedPhoneNumberIds?: string[];
  tenantId?: string | null;
  numberId?: string | null;
  status?: (typeof WEBHOOK_STATUSES)[number];
  error?: string | null;
  receivedAt?: Date;
};

function keptHeaders(headers: StoreWebhookEventInput["headers"]): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const raw = headers instanceof Headers ? headers.get(name) : (headers?.[name] ?? headers?.[name.toUpperCase()]);
    const value = Array.isArray(raw) ? raw.join(", ") : raw;
    if (value) kept[name] = value.slice(0, 512);
  }
  return kept;
}

/**
 * Stores one webhook request body exactly as received (call this before any processing: nothing Meta sends is
 * lost). Postgres text cannot hold NUL characters, so those alone are replaced by U+FFFD and the event says so.
 */
export async function storeWebhookEvent(db: Db, input: StoreWebhookEventInput): Promise<WebhookEventRow> {
  return insertWebhookEvent(db, webhookEventValues(input));
}

/** The row storeWebhookEvent writes (exported for the group-commit writer). */
export function webhookEventValues(input: StoreWebhookEventInput): NewWebhookEvent {
  const hasNul = input.rawBody.includes("\u0000");
  return {
    provider: input.provider,
    rawBody: hasNul ? input.rawBody.replaceAll("\u0000", "\uFFFD") : input.rawBody,
    headers: keptHeaders(input.headers),
    signatureResult: input.signatureResult,
    routedPhoneNumberIds: input.routedPhoneNumberIds ?? [],
    tenantId: input.tenantId ?? null,
    numberId: input.numberId ?? null,
    status: input.status ?? "received",
    error: input.error ?? (hasNul ? "raw body contained NUL characters (stored as U+FFFD)" : null),
    ...(input.receivedAt ? { receivedAt: input.receivedAt } : {}),
  };
}

// ----------------------------------------------------------------------------------------- entry points

export type ProcessOutcome = { id: string; status: "processed" | "unrouted" | "failed" | "skipped"; error: string | null };
export type ProcessSummary = {
  processed: number;
  unrouted: number;
  failed: number;
  skipped: number; // not found, rejected, or being processed by another worker
  messagesInserted: number;
  statusesApplied: number;
  outcomes: ProcessOutcome[];
};
type BatchResult = { outcomes: ProcessOutcome[]; messagesInserted: number; statusesApplied: number };

function summarise(results: BatchResult[]): ProcessSummary {
  const outcomes = results.flatMap((r) => r.outcomes);
  const count = (s: ProcessOutcome["status"]) => outcomes.filter((o) => o.status === s).length;
  return {
    processed: count("processed"),
    unrouted: count("unrouted"),
    failed: count("failed"),
    skipped: count("skipped"),
    messagesInserted: results.reduce((n, r) => n + r.messagesInserted, 0),
    statusesApplied: results.reduce((n, r) => n + r.statusesApplied, 0),
    outcomes,
  };
}

/**
 * Processes stored events (any status but `rejected`; only bodies whose signature was verified, or Gupshup's
 * token-authenticated ones), up to 250 per transaction. Outcome per event:
 * `processed`, `unrouted` (a phone_number_id / WABA no number claims: what could be routed is applied, the
 * event waits for that number), or `failed` (error kept, attempts + 1). Reprocessing is idempotent.
 */
export async function processWebhookEvents(db: Db, { ids, now }: { ids: string[]; now: Date }): Promise<ProcessSummary> {
  const unique = [...new Set(ids)];
  const results: BatchResult[] = [];
  for (let i = 0; i < unique.length; i += BATCH_SIZE) {
    const chunk = unique.slice(i, i + BATCH_SIZE);
    results.push(await processChunk(db, chunk, now, (tx) => lockWebhookEvents(tx, chunk)));
  }
  return summarise(results);
}

/** Claims and processes the oldest `received` events (SKIP LOCKED, so several drainers can run at once). */
export async function drainWebhookEvents(db: Db, { now, limit = BATCH_SIZE }: { now: Date; limit?: number }): Promise<ProcessSummary> {
  const claimed: string[] = [];
  const result = await processChunk(db, claimed, now, async (tx) => {
    const rows = await claimReceivedWebhookEvents(tx, { limit });
    claimed.push(...rows.map((r) => r.id));
    return rows;
  });
  return summarise([result]);
}

/** Once a number is connected: processes the stored `unrouted` events that name its Phone Number ID. */
export async function reprocessUnroutedEvents(db: Db, { phoneNumberId, now }: { phoneNumberId: string; now: Date }): Promise<ProcessSummary> {
  const results: BatchResult[] = [];
  let after: { at: Date; id: string } | undefined;
  for (;;) {
    const page = await listUnroutedWebhookEventIds(db, { phoneNumberId, limit: BATCH_SIZE, after });
    if (page.length === 0) break;
    results.push(await processChunk(db, page.map((e) => e.id), now, (tx) => lockWebhookEvents(tx, page.map((e) => e.id))));
    const last = page[page.length - 1]!;
    after = { at: last.receivedAt, id: last.id };
  }
  return summarise(results);
}

/**
 * Reprocesses one event by hand: the tenant's own, or one no tenant owns yet (it is then routed by its
 * numbers, never to the caller by default). A processed event changes nothing; a rejected one (bad
 * signature) is never processed.
 */
export async function replayWebhookEvent(db: Db, { tenantId, id, now }: { tenantId: string; id: string; now: Date }): Promise<ProcessOutcome> {
  const event = await getWebhookEvent(db, { tenantId, id });
  if (!event) throw notFound("Webhook event");
  if (event.status === "rejected") throw new AppError("conflict", "This event failed its signature check and is never processed.");
  if (!(TRUSTED_SIGNATURE_RESULTS as readonly string[]).includes(event.signatureResult)) {
    throw new AppError("conflict", "This event's signature has not been verified yet; it is checked and processed once a number claims its Phone Number ID.");
  }
  const [outcome] = (await processWebhookEvents(db, { ids: [id], now })).outcomes;
  if (!outcome || outcome.status === "skipped") throw new AppError("conflict", "This event is being processed right now; try again in a moment.");
  return outcome;
}

// ------------------------------------------------------------------------------------- batch machinery

type Locker = (tx: Db) => Promise<WebhookEventRow[]>;

const TRANSIENT_CODES = new Set(["40001", "40P01", "23505"]); // serialization, deadlock, a racing insert

function isTransient(e: unknown): boolean {
  for (let c: unknown = e, depth = 0; c && typeof c === "object" && depth < 4; c = (c as { cause?: unknown }).cause, depth++) {
    const code = (c as { code?: unknown }).code;
    if ((c as { retryAlone?: boolean }).retryAlone || (typeof code === "string" && TRANSIENT_CODES.has(code))) return true;
  }
  return false;
}

function describeError(e: unknown): string {
  const cause = e instanceof Error && e.cause instanceof Error ? e.cause : null;
  const text = cause ? cause.message : e instanceof Error ? e.message : String(e);
  return text.length > 1000 ? `${text.slice(0, 999)}…` : text;
}

async function processChunk(db: Db, ids: string[], now: Date, lock: Locker): Promise<BatchResult> {
  try {
    return await db.transaction(async (tx) => runBatch(tx, await lock(tx), ids, now));
  } catch (e) {
    if (ids.length > 1) {
      // one poison event must not hold the others back: retry each alone, keep the thrower as failed
      const alone: BatchResult[] = [];
      for (const id of ids) alone.push(await processChunk(db, [id], now, (tx) => lockWebhookEvents(tx, [id])));
      return { outcomes: alone.flatMap((r) => r.outcomes), messagesInserted: sum(alone, "messagesInserted"), statusesApplied: sum(alone, "statusesApplied") };
    }
    const id = ids[0];
    if (id === undefined) throw e; // nothing was claimed: the claim itself failed
    return processAloneAgain(db, id, now, e);
  }
}

/** Last attempt for one event: a transient failure (deadlock, racing insert) is retried once, then it is failed. */
async function processAloneAgain(db: Db, id: string, now: Date, first: unknown): Promise<BatchResult> {
  let failure = first;
  if (isTransient(first)) {
    try {
      return await db.transaction(async (tx) => runBatch(tx, await lockWebhookEvents(tx, [id]), [id], now));
    } catch (again) {
      failure = again;
    }
  }
  const error = describeError(failure);
  await markWebhookEventFailed(db, { id, error });
  return { outcomes: [{ id, status: "failed", error }], messagesInserted: 0, statusesApplied: 0 };
}

const sum = (results: BatchResult[], key: "messagesInserted" | "statusesApplied") => results.reduce((n, r) => n + r[key], 0);

type EventContext = { eventId: string; receivedAt: Date; rawVersion: string };
type Routed<T> = { item: T; number: RoutingNumber; ctx: EventContext };
type UserEvent = Extract<ChangeEvent, { kind: "user_event" }>;
type TenantWork = { inbound: Routed<InboundMessage>[]; statuses: Routed<StatusUpdate>[]; userEvents: Routed<UserEvent>[] };
type AccountWork = { item: ChangeEvent; numbers: RoutingNumber[] };
type ParsedEvent = { row: WebhookEventRow; items: WebhookItem[]; phoneNumberIds: string[]; ctx: EventContext };

async function runBatch(tx: Db, rows: WebhookEventRow[], requested: string[], now: Date): Promise<BatchResult> {
  const outcomes: ProcessOutcome[] = [];
  const parsed: ParsedEvent[] = [];
  for (const row of rows) {
    const result = parseEvent(row);
    if ("error" in result) {
      await markWebhookEventFailed(tx, { id: row.id, error: result.error });
      outcomes.push({ id: row.id, status: "failed", error: result.error });
    } else parsed.push(result);
  }
  const plan = await routeEvents(tx, parsed);
  let messagesInserted = 0;
  let statusesApplied = 0;
  for (const [tenantId, work] of plan.tenants) {
    messagesInserted += await applyInbound(tx, tenantId, work.inbound, now);
    statusesApplied += await applyStatuses(tx, tenantId, work.statuses, now);
    await applyUserEvents(tx, tenantId, work.userEvents, now);
  }
  for (const change of plan.account) await applyAccountChange(tx, change, now);
  await touchNumbersLastWebhookAt(tx, [...plan.touches].map(([id, at]) => ({ id, at })));
  await recordWebhookEventOutcomes(tx, plan.outcomes, now);
  outcomes.push(...plan.outcomes.map((o) => ({ id: o.id, status: o.status, error: null })));
  const seen = new Set(rows.map((r) => r.id));
  outcomes.push(...requested.filter((id) => !seen.has(id)).map((id) => ({ id, status: "skipped" as const, error: null })));
  return { outcomes, messagesInserted, statusesApplied };
}

// ---------------------------------------------------------------------------------------- parse, route

function stripNul(value: unknown): unknown {
  if (typeof value === "string") return value.replaceAll("\u0000", "");
  if (Array.isArray(value)) return value.map(stripNul);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replaceAll("\u0000", ""), stripNul(v)]));
  return value;
}

/** "v2"/"v3" for Gupshup subscriptions; Meta does not put its API version in the body, so "cloud". */
function rawVersionOf(provider: WebhookEventRow["provider"], json: unknown): string {
  if (provider === "cloud") return "cloud";
  const body = json as { entry?: unknown; version?: unknown };
  if (Array.isArray(body.entry)) return "v3";
  return typeof body.version === "number" || typeof body.version === "string" ? `v${body.version}` : "gupshup";
}

function parseEvent(row: WebhookEventRow): ParsedEvent | { error: string } {
  try {
    const raw: unknown = JSON.parse(row.rawBody);
    // Postgres text/jsonb cannot hold NUL: a "\u0000" escape in a payload would otherwise poison the event forever
    const json = row.rawBody.includes("\\u0000") ? stripNul(raw) : raw;
    const options = { receivedAt: row.receivedAt };
    const result = row.provider === "gupshup" ? parseGupshupWebhook(json, options) : parseMetaWebhook(json, options);
    const ctx = { eventId: row.id, receivedAt: row.receivedAt, rawVersion: rawVersionOf(row.provider, json) };
    return { row, items: result.items, phoneNumberIds: result.phoneNumberIds, ctx };
  } catch (e) {
    return { error: describeError(e) };
  }
}

type RoutingMaps = { byPnid: Map<string, RoutingNumber>; byId: Map<string, RoutingNumber>; byWaba: Map<string, RoutingNumber[]> };

function digitsOf(value: string | null): string {
  return (value ?? "").replace(/\D/g, "");
}

/** Numbers an item belongs to. Gupshup events are tied to one number by their URL token (webhook_events.number_id). */
function targetsOf(item: WebhookItem, event: WebhookEventRow, maps: RoutingMaps): RoutingNumber[] {
  const eventNumber = event.numberId ? maps.byId.get(event.numberId) : undefined;
  const pinned = event.provider === "gupshup" && eventNumber ? [eventNumber] : null;
  const one = (n: RoutingNumber | undefined) => (n ? [n] : []);
  switch (item.kind) {
    case "message":
    case "status":
    case "value_errors":
      return pinned ?? (item.phoneNumberId ? one(maps.byPnid.get(item.phoneNumberId)) : one(eventNumber));
    case "user_event":
      return one(eventNumber);
    case "number_quality": {
      if (pinned) return pinned;
      const inWaba = item.wabaId ? (maps.byWaba.get(item.wabaId) ?? []) : one(eventNumber);
      const display = digitsOf(item.displayPhoneNumber);
      return display ? inWaba.filter((n) => digitsOf(n.phoneE164) === display) : inWaba;
    }
    case "ignored":
      return [];
    default: // template and account fields are WABA-level
      return pinned ?? (item.wabaId ? (maps.byWaba.get(item.wabaId) ?? []) : one(eventNumber));
  }
}

async function routeEvents(tx: Db, events: ParsedEvent[]) {
  const numbers = await findNumbersForRouting(tx, {
    phoneNumberIds: [...new Set(events.flatMap((e) => e.items.flatMap((i) => ("phoneNumberId" in i && i.phoneNumberId ? [i.phoneNumberId] : []))))],
    ids: [...new Set(events.flatMap((e) => (e.row.numberId ? [e.row.numberId] : [])))],
    wabaIds: [...new Set(events.flatMap((e) => e.items.flatMap((i) => ("wabaId" in i && i.wabaId && i.kind !== "message" && i.kind !== "status" ? [i.wabaId] : []))))],
  });
  const maps: RoutingMaps = { byPnid: new Map(), byId: new Map(), byWaba: new Map() };
  for (const n of numbers) {
    if (n.phoneNumberId) maps.byPnid.set(n.phoneNumberId, n);
    maps.byId.set(n.id, n);
    if (n.wabaId) maps.byWaba.set(n.wabaId, [...(maps.byWaba.get(n.wabaId) ?? []), n]);
  }
  const tenants = new Map<string, TenantWork>();
  const account: AccountWork[] = [];
  const touches = new Map<string, Date>();
  const outcomes: WebhookEventOutcome[] = [];
  for (const event of events) {
    const routedTo: RoutingNumber[] = [];
    let unrouted = 0;
    for (const item of event.items) {
      if (item.kind === "ignored") continue;
      const targets = targetsOf(item, event.row, maps);
      if (targets.length === 0) unrouted += 1;
      routedTo.push(...targets);
      for (const number of targets) {
        const work = tenants.get(number.tenantId) ?? { inbound: [], statuses: [], userEvents: [] };
        tenants.set(number.tenantId, work);
        if (item.kind === "message") work.inbound.push({ item, number, ctx: event.ctx });
        else if (item.kind === "status") work.statuses.push({ item, number, ctx: event.ctx });
        else if (item.kind === "user_event") work.userEvents.push({ item, number, ctx: event.ctx });
      }
      if (targets.length > 0 && (item.kind === "template_status" || item.kind === "number_quality" || item.kind === "account_update")) account.push({ item, numbers: targets });
    }
    for (const n of routedTo) if ((touches.get(n.id)?.getTime() ?? 0) < event.ctx.receivedAt.getTime()) touches.set(n.id, event.ctx.receivedAt);
    outcomes.push({
      id: event.row.id,
      status: unrouted > 0 ? "unrouted" : "processed",
      tenantId: routedTo[0]?.tenantId ?? null,
      numberId: routedTo[0]?.id ?? null,
      phoneNumberIds: event.phoneNumberIds,
    });
  }
  return { tenants, account, touches, outcomes };
}

// -------------------------------------------------------------------------------------------- inbound

type Incoming = Routed<InboundMessage> & { identity: SenderIdentity };
type SenderGroup = { key: string; identity: SenderIdentity; items: Incoming[] };
type Plan = {
  state: SubscriberIngestState;
  conversations: NewConversation[];
  extended: Map<string, { id: string; lastMessageAt: Date; windowExpiresAt: Date }>;
  messages: NewMessage[];
  optedOut: boolean;
};

const maxDate = (a: Date | null, b: Date | null): Date | null => (!a ? b : !b ? a : a.getTime() >= b.getTime() ? a : b);
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
    id: randomUUID(), waPhone, waId, userId, username, phoneHash, country, timezone, profileName: null, numberId: first.number.id,
    conversationId: null, conversationExpiresAt: null, lastMessageStatus: null, lastMessageStatusAt: null, firstSeenAt: first.item.timestamp,
    lastInboundAt: null, inboundCount: 0, optInStatus: null, optInAt: null, optOutAt: null, status: "active", rawLastEventType: null,
    rawVersion: first.ctx.rawVersion, firstTouchConversationId: null, lastTouchConversationId: null,
  };
}

function stateOf(row: SubscriberRow): SubscriberIngestState {
  const { id, waPhone, waId, userId, username, phoneHash, profileName, numberId, conversationId, conversationExpiresAt, lastMessageStatus, lastMessageStatusAt } = row;
  const { firstSeenAt, lastInboundAt, inboundCount, optInStatus, optInAt, optOutAt, status, rawLastEventType, rawVersion, country, timezone } = row;
  return {
    id, waPhone, waId, userId, username, phoneHash, profileName, numberId, conversationId, conversationExpiresAt, lastMessageStatus, lastMessageStatusAt,
    firstSeenAt, lastInboundAt, inboundCount, optInStatus, optInAt, optOutAt, status, rawLastEventType, rawVersion, country, timezone,
    firstTouchConversationId: row.firstTouchConversationId, lastTouchConversationId: row.lastTouchConversationId,
  };
}

type Taken = { waPhones: Set<string>; userIds: Set<string> };

/** Fills identity gaps (a phone revealed, a new user id) unless another subscriber holds them; names follow the newest message. */
function adoptIdentity(s: SubscriberIngestState, id: SenderIdentity, newest: boolean, taken: Taken): void {
  if (!s.waPhone && id.waPhone && !taken.waPhones.has(id.waPhone)) Object.assign(s, { waPhone: id.waPhone, phoneHash: id.phoneHash, country: id.country, timezone: id.timezone });
  if (!s.userId && id.userId && !taken.userIds.has(id.userId)) s.userId = id.userId;
  if (id.waId && (newest || !s.waId)) s.waId = id.waId;
  if (id.username && (newest || !s.username)) s.username = id.username;
  if (id.profileName && (newest || !s.profileName)) s.profileName = id.profileName;
}

function newConversation(tenantId: string, s: SubscriberIngestState, i: Incoming): NewConversation {
  const at = i.item.timestamp;
  const r = i.item.referral;
  const base: NewConversation = { id: randomUUID(), tenantId, subscriberId: s.id, numberId: i.number.id, startedAt: at, lastMessageAt: at, windowExpiresAt: new Date(at.getTime() + WINDOW_MS) };
  if (!r) return base;
  return {
    ...base, ctwaClid: r.ctwaClid, sourceUrl: r.sourceUrl, sourceType: r.sourceType, sourceId: r.sourceId, headline: r.headline, body: r.body, mediaType: r.mediaType,
    imageUrl: r.imageUrl, videoUrl: r.videoUrl, thumbnailUrl: r.thumbnailUrl, welcomeText: r.welcomeText, referral: r.raw, ...parseUtmTags(r.sourceUrl),
    adId: r.sourceType === "ad" ? r.sourceId : null, // source_id is the ad id for enrichment; never a click id
  };
}

/** Opens a conversation (ad click, or no open 24 h window) or extends the open one; returns its id. */
function openOrExtend(plan: Plan, tenantId: string, i: Incoming): string {
  const s = plan.state;
  const at = i.item.timestamp;
  const end = new Date(at.getTime() + WINDOW_MS);
  const open = s.conversationId !== null && s.conversationExpiresAt !== null && s.conversationExpiresAt.getTime() > at.getTime();
  s.conversationExpiresAt = maxDate(s.conversationExpiresAt, end);
  if (open && !i.item.referral) {
    const id = s.conversationId!;
    const local = plan.conversations.find((c) => c.id === id);
    const prev = local ?? plan.extended.get(id);
    const next = { id, lastMessageAt: maxDate(prev?.lastMessageAt ?? null, at)!, windowExpiresAt: maxDate(prev?.windowExpiresAt ?? null, end)! };
    if (local) Object.assign(local, next);
    else plan.extended.set(id, next);
    return id;
  }
  const conversation = newConversation(tenantId, s, i);
  plan.conversations.push(conversation);
  s.conversationId = conversation.id!;
  if (i.item.referral) {
    s.firstTouchConversationId ??= conversation.id!; // first touch is never overwritten
    s.lastTouchConversationId = conversation.id!;
  }
  return conversation.id!;
}

const HISTORY_STATUS: Record<string, NewMessage["status"]> = { SENT: "sent", DELIVERED: "delivered", READ: "read", PLAYED: "read", FAILED: "failed" };

/** Applies a sender's new messages (sorted by time) to its state: counters, window, touches, opt keywords, message rows. */
function planSender(tenantId: string, base: SubscriberIngestState, items: Incoming[], keywords: OptKeywords, taken: Taken): Plan {
  const plan: Plan = { state: { ...base }, conversations: [], extended: new Map(), messages: [], optedOut: false };
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
    if (!outbound && !m.history && m.type !== "system") conversationId = openOrExtend(plan, tenantId, i);
    else if (!m.history && s.conversationExpiresAt && s.conversationExpiresAt.getTime() > at.getTime()) conversationId = s.conversationId;
    if (!outbound && m.type !== "system") {
      s.inboundCount += 1;
      if (newest) Object.assign(s, { lastInboundAt: at, numberId: i.number.id });
    }
    if (!outbound && at.getTime() >= (s.lastMessageStatusAt?.getTime() ?? -Infinity)) {
      Object.assign(s, { lastMessageStatus: "received", lastMessageStatusAt: at, rawLastEventType: m.system?.type ?? "message", rawVersion: i.ctx.rawVersion });
    }
    const action = !m.history && m.type === "text" ? matchOptKeyword(m.textPreview, keywords) : null;
    if (action && at.getTime() > lastOptAt) {
      lastOptAt = at.getTime();
      plan.optedOut = action === "opt_out";
      const keep = s.status === "blocked"; // blocked subscribers stay blocked
      if (action === "opt_out") Object.assign(s, { optOutAt: at, optInStatus: false, status: keep ? s.status : "opted_out" });
      else Object.assign(s, { optInAt: at, optInStatus: true, status: keep ? s.status : "active" });
    }
    plan.messages.push({
      tenantId, subscriberId: s.id, conversationId, numberId: i.number.id, direction: outbound ? "outbound" : "inbound", wamid: m.wamid, type: m.type,
      textPreview: m.textPreview || null, payload: m.payload, providerTimestamp: at,
      status: outbound ? (HISTORY_STATUS[(m.history?.status ?? "").toUpperCase()] ?? "sent") : "received",
    });
  }
  return plan;
}

/**
 * Inbound messages of one tenant. New senders are inserted with their final state in one statement
 * (ON CONFLICT DO NOTHING on both identity keys); senders that already exist are locked in id order,
 * re-checked for messages a concurrent delivery stored meanwhile, and updated. Counters come only from
 * messages actually inserted, so a replay (or a concurrent duplicate) counts nothing.
 */
async function applyInbound(tx: Db, tenantId: string, routed: Routed<InboundMessage>[], now: Date): Promise<number> {
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
  const inserted = await insertSubscribersIfAbsent(tx, fresh.map((f): NewSubscriber => ({ tenantId, ...f.plan.state })));
  const plans = fresh.filter((f) => inserted.has(f.plan.state.id)).map((f) => f.plan);
  const existing = await planExistingSenders(tx, tenantId, fresh.filter((f) => !inserted.has(f.plan.state.id)).map((f) => f.group), keywords);
  plans.push(...existing);
  await insertConversations(tx, plans.flatMap((p) => p.conversations));
  await extendConversations(tx, { tenantId, rows: plans.flatMap((p) => [...p.extended.values()]), now });
  const rows = plans.flatMap((p) => p.messages);
  const stored = await insertMessagesIgnoringDuplicates(tx, rows);
  if (stored.size !== rows.length) throw Object.assign(new Error("a message of this batch was stored concurrently"), { retryAlone: true });
  await saveSubscriberStates(tx, { tenantId, states: existing.map((p) => p.state), now });
  const optedOut = plans.filter((p) => p.optedOut).map((p) => p.state);
  if (optedOut.length > 0) {
    await cancelPendingOutboundForOptOut(tx, { tenantId, subscriberIds: optedOut.map((s) => s.id), waPhones: optedOut.flatMap((s) => (s.waPhone ? [s.waPhone] : [])), now });
  }
  return rows.length;
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
    const row = rows.find((r) => g.identity.waPhone !== null && r.waPhone === g.identity.waPhone) ?? rows.find((r) => g.identity.userId !== null && r.userId === g.identity.userId);
    if (!row) throw Object.assign(new Error(`subscriber ${g.key} conflicted on insert but cannot be found`), { retryAlone: true });
    const entry = byRow.get(row.id) ?? { row, items: [] };
    entry.items.push(...g.items.filter((i) => !stored.has(i.item.wamid)));
    byRow.set(row.id, entry);
  }
  const plans: Plan[] = [];
  for (const { row, items } of byRow.values()) {
    if (items.length === 0) continue;
    const others = rows.filter((r) => r.id !== row.id);
    const taken: Taken = { waPhones: new Set(others.flatMap((r) => (r.waPhone ? [r.waPhone] : []))), userIds: new Set(others.flatMap((r) => (r.userId ? [r.userId] : []))) };
    items.sort((a, b) => a.item.timestamp.getTime() - b.item.timestamp.getTime() || a.item.wamid.localeCompare(b.item.wamid));
    plans.push(planSender(tenantId, stateOf(row), items, keywords, taken));
  }
  return plans;
}

// ------------------------------------------------------------------------------------------- statuses

const STATUS_NAMES: Record<string, string> = { sent: "sent", delivered: "delivered", read: "read", played: "read", failed: "failed", deleted: "deleted", enqueued: "accepted" };
const STATUS_RANK = MESSAGE_STATUS_RANK;

type StatusGroup = MessageStatusFacts & { latest: { status: string; at: Date } | null; recipientPhone: string | null; recipientUserId: string | null };

const minDate = (a: Date | null, b: Date | null): Date | null => (!a ? b : !b ? a : a.getTime() <= b.getTime() ? a : b);

function addStatus(g: StatusGroup, s: StatusUpdate, status: string): void {
  const at = s.timestamp;
  if ((STATUS_RANK[status] ?? 0) > (STATUS_RANK[g.status] ?? 0)) g.status = status;
  if (status === "sent") g.sentAt = minDate(g.sentAt, at);
  if (status === "delivered") g.deliveredAt = minDate(g.deliveredAt, at);
  if (status === "read") g.readAt = minDate(g.readAt, at);
  if (status === "failed" && (!g.failedAt || at.getTime() >= g.failedAt.getTime())) {
    const e = s.errors[0];
    Object.assign(g, { failedAt: at, errorCode: e && e.code !== null ? String(e.code) : null, errorTitle: e?.title ?? e?.message ?? null, errorDetail: e?.details ?? null });
  }
  if (["sent", "delivered", "read", "failed"].includes(status) && (!g.latest || at.getTime() > g.latest.at.getTime() || (at.getTime() === g.latest.at.getTime() && (STATUS_RANK[status] ?? 0) > (STATUS_RANK[g.latest.status] ?? 0)))) {
    g.latest = { status, at };
  }
  g.metaConversationId ??= s.conversation?.id ?? null;
  g.metaOrigin ??= s.conversation?.originType ?? null;
  g.recipientPhone ??= toWaPhone(s.recipientId);
  g.recipientUserId ??= s.recipientUserId;
}

/** Groups status events by message: events naming any common id (wamid, Gupshup ids) describe the same message. */
function groupStatuses(routed: Routed<StatusUpdate>[]): StatusGroup[] {
  const groupOf = new Map<string, StatusGroup>();
  const groups: StatusGroup[] = [];
  for (const { item } of routed) {
    const status = STATUS_NAMES[item.status];
    if (!status) continue; // warning, set-callback, unknown: nothing to apply
    const ids = [...new Set(item.matchIds.length > 0 ? item.matchIds : [item.wamid])];
    const found = [...new Set(ids.flatMap((id) => (groupOf.has(id) ? [groupOf.get(id)!] : [])))];
    let g = found[0];
    if (!g) {
      g = { key: groups.length, ids: [], status: "", sentAt: null, deliveredAt: null, readAt: null, failedAt: null, errorCode: null, errorTitle: null, errorDetail: null, metaConversationId: null, metaOrigin: null, latest: null, recipientPhone: null, recipientUserId: null };
      groups.push(g);
    }
    for (const other of found.slice(1)) mergeGroup(g, other, groupOf);
    for (const id of ids) {
      if (groupOf.has(id)) continue;
      groupOf.set(id, g);
      g.ids.push(id);
    }
    addStatus(g, item, status);
  }
  return groups.filter((g) => g.ids.length > 0).map((g, key) => ({ ...g, key }));
}

function mergeGroup(into: StatusGroup, from: StatusGroup, groupOf: Map<string, StatusGroup>): void {
  for (const id of from.ids) {
    groupOf.set(id, into);
    into.ids.push(id);
  }
  if ((STATUS_RANK[from.status] ?? 0) > (STATUS_RANK[into.status] ?? 0)) into.status = from.status;
  Object.assign(into, { sentAt: minDate(into.sentAt, from.sentAt), deliveredAt: minDate(into.deliveredAt, from.deliveredAt), readAt: minDate(into.readAt, from.readAt) });
  if (from.failedAt && (!into.failedAt || from.failedAt.getTime() >= into.failedAt.getTime())) {
    Object.assign(into, { failedAt: from.failedAt, errorCode: from.errorCode, errorTitle: from.errorTitle, errorDetail: from.errorDetail });
  }
  if (from.latest && (!into.latest || from.latest.at.getTime() > into.latest.at.getTime())) into.latest = from.latest;
  Object.assign(into, { metaConversationId: into.metaConversationId ?? from.metaConversationId, metaOrigin: into.metaOrigin ?? from.metaOrigin });
  Object.assign(into, { recipientPhone: into.recipientPhone ?? from.recipientPhone, recipientUserId: into.recipientUserId ?? from.recipientUserId });
  from.ids = []; // emptied groups are dropped when the batch's groups are numbered
}

function addDelta(deltas: Map<string, SubscriberStatusDelta>, subscriberId: string, g: StatusGroup): void {
  if (!g.latest) return;
  const d = deltas.get(subscriberId) ?? { id: subscriberId, status: g.latest.status, statusAt: g.latest.at, deliveredAt: null, readAt: null, failedAt: null, failedCode: null, failedReason: null };
  if (g.latest.at.getTime() > d.statusAt.getTime()) Object.assign(d, { status: g.latest.status, statusAt: g.latest.at });
  d.deliveredAt = maxDate(d.deliveredAt, g.deliveredAt ?? g.readAt); // a read implies delivery
  d.readAt = maxDate(d.readAt, g.readAt);
  if (g.failedAt && (!d.failedAt || g.failedAt.getTime() >= d.failedAt.getTime())) {
    Object.assign(d, { failedAt: g.failedAt, failedCode: g.errorCode, failedReason: g.errorTitle ?? g.errorDetail });
  }
  deltas.set(subscriberId, d);
}

/**
 * Statuses of one tenant: messages (and drip rows) matched by any id the events name move monotonically;
 * subscribers get last status/delivered/read/failed. A status for a message we never stored is recorded on
 * the subscriber its recipient id names, if any; otherwise it is dropped (the raw event keeps it).
 */
async function applyStatuses(tx: Db, tenantId: string, routed: Routed<StatusUpdate>[], now: Date): Promise<number> {
  const groups = groupStatuses(routed);
  if (groups.length === 0) return 0;
  const matched = await applyMessageStatusFacts(tx, { tenantId, facts: groups, now });
  const deltas = new Map<string, SubscriberStatusDelta>();
  for (const m of matched) addDelta(deltas, m.subscriberId, groups[m.key]!);
  const matchedKeys = new Set(matched.map((m) => m.key));
  const orphans = groups.filter((g) => !matchedKeys.has(g.key) && (g.recipientPhone || g.recipientUserId));
  if (orphans.length > 0) {
    const found = await findSubscribersByIdentity(tx, {
      tenantId,
      waPhones: orphans.flatMap((g) => (g.recipientPhone ? [g.recipientPhone] : [])),
      userIds: orphans.flatMap((g) => (g.recipientUserId ? [g.recipientUserId] : [])),
    });
    for (const g of orphans) {
      const sub = found.find((f) => f.waPhone !== null && f.waPhone === g.recipientPhone) ?? found.find((f) => f.userId !== null && f.userId === g.recipientUserId);
      if (sub) addDelta(deltas, sub.id, g);
    }
  }
  await applySubscriberStatusDeltas(tx, { tenantId, deltas: [...deltas.values()], now });
  return routed.length;
}

// ------------------------------------------------------------------------- user events, account fields

/** Gupshup user-events: opted-in / opted-out (a subscriber is created for an unknown phone so the opt-out sticks). */
async function applyUserEvents(tx: Db, tenantId: string, routed: Routed<UserEvent>[], now: Date): Promise<void> {
  for (const { item, number, ctx } of routed) {
    const optIn = item.event === "opted-in" ? true : item.event === "opted-out" ? false : null;
    const identity = identityFromPhone(item.phone);
    if (optIn === null || !identity?.waPhone) continue; // sandbox-start and the like change nothing
    const at = ctx.receivedAt; // user-events carry no per-user timestamp of their own
    await insertSubscribersIfAbsent(tx, [{ tenantId, ...identity, numberId: number.id, firstSeenAt: at, rawLastEventType: "user-event", rawVersion: ctx.rawVersion }]);
    const changed = await recordSubscriberOptEvent(tx, { tenantId, waPhone: identity.waPhone, optIn, at, now });
    if (changed && !optIn) await cancelPendingOutboundForOptOut(tx, { tenantId, subscriberIds: [changed], waPhones: [identity.waPhone], now });
  }
}

// Events after which the number cannot be trusted to send; shown on the number as its last error.
const ACCOUNT_PROBLEMS = new Set(["ACCOUNT_VIOLATION", "ACCOUNT_RESTRICTION", "ACCOUNT_DELETED", "DISABLED_UPDATE", "PARTNER_APP_UNINSTALLED", "PARTNER_REMOVED"]);

function describeAccountEvent(event: string, raw: Record<string, unknown>): string {
  const detail = JSON.stringify(raw.violation_info ?? raw.restriction_info ?? raw.ban_info ?? raw.waba_info ?? null);
  return `Meta reported ${event} for this WhatsApp Business Account${detail !== "null" ? `: ${detail.slice(0, 300)}` : ""}`;
}

/**
 * Template status → the binding of templates that use that Meta template; quality update → messaging tier
 * (and FLAGGED/UNFLAGGED → RED/GREEN quality); account_update problems → connection status `error` with
 * the event as last_error (a DISABLED_UPDATE "REINSTATE" clears it). Other account events are ignored.
 */
async function applyAccountChange(tx: Db, { item, numbers }: AccountWork, now: Date): Promise<void> {
  if (item.kind === "template_status" && item.name) {
    const tenantIds = [...new Set(numbers.map((n) => n.tenantId))];
    await recordTemplateBindingStatus(tx, { tenantIds, name: item.name, language: item.language, status: item.event, reason: item.reason, at: now });
  }
  if (item.kind === "number_quality") {
    const quality = item.event === "FLAGGED" ? "RED" : item.event === "UNFLAGGED" ? "GREEN" : undefined;
    const patch = { ...(item.currentLimit ? { messagingLimitTier: item.currentLimit } : {}), ...(quality ? { qualityRating: quality } : {}) };
    if (Object.keys(patch).length > 0) for (const n of numbers) await updateNumber(tx, { tenantId: n.tenantId, id: n.id }, patch);
  }
  if (item.kind !== "account_update" || !item.event) return;
  const reinstated = item.event === "DISABLED_UPDATE" && (item.raw.ban_info as { waba_ban_state?: unknown } | undefined)?.waba_ban_state === "REINSTATE";
  for (const n of numbers) {
    const key = { tenantId: n.tenantId, id: n.id };
    if (reinstated) {
      const current = await getNumberById(tx, key);
      if ((current?.lastError as { kind?: unknown } | null)?.kind === "account_update") await updateNumber(tx, key, { lastError: null, connectionStatus: "unverified" });
    } else if (ACCOUNT_PROBLEMS.has(item.event)) {
      const lastError = { kind: "account_update", event: item.event, message: describeAccountEvent(item.event, item.raw), hint: "Check the account in WhatsApp Manager (Account quality), then test the connection again.", details: item.raw };
      await updateNumber(tx, key, { connectionStatus: "error", lastError });
    }
  }
}
