// Webhook ingestion core: stored raw events (webhook_events) → subscribers, conversations, messages, statuses,
// opt-outs and number/template updates. Idempotent by unique keys (a replayed delivery changes nothing) and
// set-based: a batch of events is applied with a handful of multi-row statements in one transaction; if the
// batch throws, each event is retried alone so one poison event cannot hold the others back. The verbs live
// beside it: ingest-inbound (messages), ingest-statuses, ingest-account (user events, WABA changes),
// ingest-preferences (Meta user_preferences: marketing stop / resume). The managers' Telegram notices a batch
// brings (a reply to a drip, a quality drop) are sent after its transaction committed.
import type { Db } from "@/db/client";
import {
  TRUSTED_SIGNATURE_RESULTS,
  type RoutingNumber,
  type WebhookEventOutcome,
  type WebhookEventRow,
  claimReceivedWebhookEvents,
  findNumbersForRouting,
  getWebhookEvent,
  listUnroutedWebhookEventIds,
  lockWebhookEvents,
  markWebhookEventFailed,
  recordWebhookEventOutcomes,
  relaxCommitDurability,
  touchNumbersLastWebhookAt,
} from "@/db/queries";
import { AppError, notFound } from "@/lib/errors";
import { type Notice, sendNoticesLater } from "@/lib/telegram/notices";
import { noteNewSubscribers } from "@/lib/audiences/sync";
import { parseGreenWebhook } from "@/lib/green/parse";
import { parseGupshupWebhook } from "@/lib/gupshup/parse";
import { applyAccountChange, applyUserEvents } from "./ingest-account";
import { applyInbound } from "./ingest-inbound";
import { applyUserPreferences } from "./ingest-preferences";
import { applyStatuses } from "./ingest-statuses";
import type { ChangeEvent, InboundMessage, StatusUpdate, WebhookItem } from "./normalised";
import { parseMetaWebhook } from "./parse";
import { parseBodyJson } from "./store";
import type { AccountWork, EventContext, Routed, UserEvent, UserPreference } from "./routed";

const BATCH_SIZE = 250; // events per transaction

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
/** `notices`: the managers' Telegram notices of the batch, sent once its transaction committed. */
type BatchResult = { outcomes: ProcessOutcome[]; messagesInserted: number; statusesApplied: number; notices: Notice[]; audienceTenants?: Set<string> };

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
    results.push(
      await processChunk(
        db,
        page.map((e) => e.id),
        now,
        (tx) =>
          lockWebhookEvents(
            tx,
            page.map((e) => e.id),
          ),
      ),
    );
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

/** A committed batch's Telegram notices go out after it, in the background (never inside the transaction). */
function committed(db: Db, result: BatchResult): BatchResult {
  sendNoticesLater(db, result.notices);
  if (result.audienceTenants?.size) void noteNewSubscribers(db, result.audienceTenants); // their audiences sync in a few seconds
  return { ...result, notices: [], audienceTenants: undefined };
}

async function processChunk(db: Db, ids: string[], now: Date, lock: Locker): Promise<BatchResult> {
  try {
    const result = await db.transaction(async (tx) => {
      await relaxCommitDurability(tx);
      return runBatch(tx, await lock(tx), ids, now);
    });
    return committed(db, result);
  } catch (e) {
    if (ids.length > 1) {
      // one poison event must not hold the others back: retry each alone, keep the thrower as failed
      const alone: BatchResult[] = [];
      for (const id of ids) alone.push(await processChunk(db, [id], now, (tx) => lockWebhookEvents(tx, [id])));
      return {
        outcomes: alone.flatMap((r) => r.outcomes),
        messagesInserted: sum(alone, "messagesInserted"),
        statusesApplied: sum(alone, "statusesApplied"),
        notices: [],
      };
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
      const result = await db.transaction(async (tx) => {
        await relaxCommitDurability(tx);
        return runBatch(tx, await lockWebhookEvents(tx, [id]), [id], now);
      });
      return committed(db, result);
    } catch (again) {
      failure = again;
    }
  }
  const error = describeError(failure);
  await markWebhookEventFailed(db, { id, error });
  return { outcomes: [{ id, status: "failed", error }], messagesInserted: 0, statusesApplied: 0, notices: [] };
}

const sum = (results: BatchResult[], key: "messagesInserted" | "statusesApplied") => results.reduce((n, r) => n + r[key], 0);

type TenantWork = {
  inbound: Routed<InboundMessage>[];
  statuses: Routed<StatusUpdate>[];
  userEvents: Routed<UserEvent>[];
  preferences: Routed<UserPreference>[];
};
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
  const notices: Notice[] = [];
  const audienceTenants = new Set<string>();
  for (const [tenantId, work] of plan.tenants) {
    messagesInserted += await applyInbound(tx, tenantId, work.inbound, now, notices, audienceTenants);
    statusesApplied += await applyStatuses(tx, tenantId, work.statuses, now);
    await applyUserEvents(tx, tenantId, work.userEvents, now);
    await applyUserPreferences(tx, tenantId, work.preferences, now);
  }
  for (const change of plan.account) await applyAccountChange(tx, change, now, notices);
  await touchNumbersLastWebhookAt(
    tx,
    [...plan.touches].map(([id, at]) => ({ id, at })),
  );
  await recordWebhookEventOutcomes(tx, plan.outcomes, now);
  outcomes.push(...plan.outcomes.map((o) => ({ id: o.id, status: o.status, error: null })));
  const seen = new Set(rows.map((r) => r.id));
  outcomes.push(...requested.filter((id) => !seen.has(id)).map((id) => ({ id, status: "skipped" as const, error: null })));
  return { outcomes, messagesInserted, statusesApplied, notices, audienceTenants };
}

// ---------------------------------------------------------------------------------------- parse, route

function stripNul(value: unknown): unknown {
  if (typeof value === "string") return value.replaceAll("\u0000", "");
  if (Array.isArray(value)) return value.map(stripNul);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replaceAll("\u0000", ""), stripNul(v)]));
  return value;
}

/** "v2"/"v3" for Gupshup subscriptions; Meta does not put its API version in the body, so "cloud"; "green". */
function rawVersionOf(provider: WebhookEventRow["provider"], json: unknown): string {
  if (provider === "cloud" || provider === "green") return provider;
  const body = json as { entry?: unknown; version?: unknown };
  if (Array.isArray(body.entry)) return "v3";
  return typeof body.version === "number" || typeof body.version === "string" ? `v${body.version}` : "gupshup";
}

function parseEvent(row: WebhookEventRow): ParsedEvent | { error: string } {
  try {
    const raw: unknown = parseBodyJson(row.rawBody);
    // Postgres text/jsonb cannot hold NUL: a "\u0000" escape in a payload would otherwise poison the event forever
    const json = row.rawBody.includes("\\u0000") ? stripNul(raw) : raw;
    const options = { receivedAt: row.receivedAt };
    const result =
      row.provider === "gupshup"
        ? parseGupshupWebhook(json, options)
        : row.provider === "green"
          ? parseGreenWebhook(json, options)
          : parseMetaWebhook(json, options);
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

/** Numbers an item belongs to. Gupshup and Green API events are tied to one number by their URL (webhook_events.number_id). */
function targetsOf(item: WebhookItem, event: WebhookEventRow, maps: RoutingMaps): RoutingNumber[] {
  const all = candidatesOf(item, event, maps);
  const verified = event.provider === "cloud" ? event.verifiedPhoneNumberIds : null;
  // a Cloud item reaches only proven numbers whose own app secret verified this body (null: stored before that rule)
  return verified ? all.filter((n) => n.proven && n.phoneNumberId !== null && verified.includes(n.phoneNumberId)) : all;
}

function candidatesOf(item: WebhookItem, event: WebhookEventRow, maps: RoutingMaps): RoutingNumber[] {
  const eventNumber = event.numberId ? maps.byId.get(event.numberId) : undefined;
  const pinned = event.provider !== "cloud" && eventNumber ? [eventNumber] : null;
  const one = (n: RoutingNumber | undefined) => (n ? [n] : []);
  switch (item.kind) {
    case "message":
    case "status":
    case "value_errors":
    case "user_preference":
      return pinned ?? (item.phoneNumberId ? one(maps.byPnid.get(item.phoneNumberId)) : one(eventNumber));
    case "user_event":
    case "instance_state":
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

// items about a number or its account rather than a customer (applied by ingest-account)
const ACCOUNT_KINDS = new Set<WebhookItem["kind"]>(["template_status", "number_quality", "account_update", "instance_state"]);
const isAccountItem = (item: WebhookItem): item is ChangeEvent => ACCOUNT_KINDS.has(item.kind);

async function routeEvents(tx: Db, events: ParsedEvent[]) {
  const numbers = await findNumbersForRouting(tx, {
    phoneNumberIds: [...new Set(events.flatMap((e) => e.items.flatMap((i) => ("phoneNumberId" in i && i.phoneNumberId ? [i.phoneNumberId] : []))))],
    ids: [...new Set(events.flatMap((e) => (e.row.numberId ? [e.row.numberId] : [])))],
    wabaIds: [
      ...new Set(events.flatMap((e) => e.items.flatMap((i) => ("wabaId" in i && i.wabaId && i.kind !== "message" && i.kind !== "status" ? [i.wabaId] : [])))),
    ],
  });
  const maps: RoutingMaps = { byPnid: new Map(), byId: new Map(), byWaba: new Map() };
  for (const n of numbers) {
    // unproven claims of a Phone Number ID may coexist with the proven one: the proven number wins
    if (n.phoneNumberId && !maps.byPnid.get(n.phoneNumberId)?.proven) maps.byPnid.set(n.phoneNumberId, n);
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
        const work = tenants.get(number.tenantId) ?? { inbound: [], statuses: [], userEvents: [], preferences: [] };
        tenants.set(number.tenantId, work);
        if (item.kind === "message") work.inbound.push({ item, number, ctx: event.ctx });
        else if (item.kind === "status") work.statuses.push({ item, number, ctx: event.ctx });
        else if (item.kind === "user_event") work.userEvents.push({ item, number, ctx: event.ctx });
        else if (item.kind === "user_preference") work.preferences.push({ item, number, ctx: event.ctx });
      }
      if (targets.length > 0 && isAccountItem(item)) account.push({ item, numbers: targets });
    }
    for (const n of routedTo) if ((touches.get(n.id)?.getTime() ?? 0) < event.ctx.receivedAt.getTime()) touches.set(n.id, event.ctx.receivedAt);
    outcomes.push({
      id: event.row.id,
      receivedAt: event.row.receivedAt,
      status: unrouted > 0 ? "unrouted" : "processed",
      tenantId: routedTo[0]?.tenantId ?? null,
      numberId: routedTo[0]?.id ?? null,
      phoneNumberIds: event.phoneNumberIds,
    });
  }
  return { tenants, account, touches, outcomes };
}
