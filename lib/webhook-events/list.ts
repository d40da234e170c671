// Reading stored webhook deliveries on behalf of a tenant: a keyset list without raw bodies (cheap summary
// only), one event with its raw body, headers and a parsed overview, and a hand replay of one event.
// Tenancy: a tenant sees exactly the events carrying its tenant_id. Events that named no connected number
// (unrouted, tenant_id null) are visible to nobody here; they are kept and processed automatically when that
// Phone Number ID is connected. Rejected events (bad signature) that named a known number carry its tenant.
import { z } from "zod";
import type { Db } from "@/db/client";
import type { WebhookEventRow } from "@/db/queries";
import { getTenantWebhookEvent, listTenantWebhookEventSummaries, type WebhookEventSummaryRow } from "@/db/queries/webhook-event-list";
import { type SIGNATURE_RESULTS, WEBHOOK_PROVIDERS, WEBHOOK_STATUSES } from "@/db/schema";
import { notFound } from "@/lib/errors";
import { parseGreenWebhook } from "@/lib/green/parse";
import { parseGupshupWebhook } from "@/lib/gupshup/parse";
import { jsonDepth } from "@/lib/json-depth";
import { type Page, decodeCursor, toPage } from "@/lib/pagination";
import { type ProcessOutcome, replayWebhookEvent } from "@/lib/whatsapp/ingest";
import type { WebhookError, WebhookItem } from "@/lib/whatsapp/normalised";
import { parseMetaWebhook } from "@/lib/whatsapp/parse";
import { parseBodyJson } from "@/lib/whatsapp/store";

export type WebhookEventStatus = (typeof WEBHOOK_STATUSES)[number];
export type WebhookEventProvider = (typeof WEBHOOK_PROVIDERS)[number];
export type SignatureResult = (typeof SIGNATURE_RESULTS)[number];

// ------------------------------------------------------------------------------------------ filters

const blankToUndefined = (v: unknown) => (v === "" ? undefined : v);

/** Query string of GET /api/v1/webhook-events: anything invalid is a 422 (an empty value means "any"). */
export const webhookEventFiltersSchema = z.object({
  status: z.preprocess(blankToUndefined, z.enum(WEBHOOK_STATUSES).optional()),
  provider: z.preprocess(blankToUndefined, z.enum(WEBHOOK_PROVIDERS).optional()),
  numberId: z.preprocess(blankToUndefined, z.uuid("Not a valid number id").optional()),
  cursor: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type WebhookEventFilters = z.infer<typeof webhookEventFiltersSchema>;

function isDecodableCursor(raw: string): boolean {
  try {
    decodeCursor(raw);
    return true;
  } catch {
    return false;
  }
}

/** The console page's searchParams: a value that is not valid falls back to "no filter" (never an error page). */
export const webhookEventSearchSchema = z.object({
  status: z.enum(WEBHOOK_STATUSES).optional().catch(undefined),
  provider: z.enum(WEBHOOK_PROVIDERS).optional().catch(undefined),
  numberId: z.uuid().optional().catch(undefined),
  cursor: z.string().min(1).refine(isDecodableCursor).optional().catch(undefined),
});
export type WebhookEventSearch = z.infer<typeof webhookEventSearchSchema>;

// --------------------------------------------------------------------------------------------- list

export type WebhookEventNumber = { id: string; label: string; phoneE164: string };

export type WebhookEventSummary = {
  id: string;
  provider: WebhookEventProvider;
  receivedAt: Date;
  status: WebhookEventStatus;
  signatureResult: SignatureResult;
  error: string | null;
  attempts: number;
  processedAt: Date | null;
  numberId: string | null;
  number: WebhookEventNumber | null;
  routedPhoneNumberIds: string[];
  bodyBytes: number;
  /** What the body holds, read cheaply from its text, e.g. "messages + statuses · 1.2 KB". */
  summary: string;
};

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

const GUPSHUP_TYPES: Record<string, string> = {
  message: "inbound message",
  "message-event": "delivery status",
  "user-event": "opt-in / opt-out event",
  "billing-event": "billing event",
};

function contentsOf(row: Pick<WebhookEventSummaryRow, "changeField" | "gupshupType" | "hasMessages" | "hasStatuses">): string {
  const parts: string[] = [];
  if (row.hasMessages) parts.push("messages");
  if (row.hasStatuses) parts.push("statuses");
  if (parts.length > 0) return parts.join(" + ");
  if (row.changeField) return row.changeField.replaceAll("_", " ");
  if (row.gupshupType) return GUPSHUP_TYPES[row.gupshupType] ?? row.gupshupType;
  return "unrecognised body";
}

function numberOf(numberId: string | null, label: string | null, phoneE164: string | null): WebhookEventNumber | null {
  return numberId && label !== null && phoneE164 !== null ? { id: numberId, label, phoneE164 } : null;
}

function toSummary(row: WebhookEventSummaryRow): WebhookEventSummary {
  return {
    id: row.id,
    provider: row.provider,
    receivedAt: row.receivedAt,
    status: row.status,
    signatureResult: row.signatureResult,
    error: row.error,
    attempts: row.attempts,
    processedAt: row.processedAt,
    numberId: row.numberId,
    number: numberOf(row.numberId, row.numberLabel, row.numberPhone),
    routedPhoneNumberIds: row.routedPhoneNumberIds,
    bodyBytes: row.bodyBytes,
    summary: `${contentsOf(row)} · ${formatBytes(row.bodyBytes)}`,
  };
}

/** The tenant's events, newest first, keyset-paginated; raw bodies are left out. */
export async function listWebhookEventsPage(
  db: Db,
  { tenantId, status, provider, numberId, cursor, limit }: { tenantId: string } & Omit<WebhookEventFilters, "limit"> & { limit: number },
): Promise<Page<WebhookEventSummary>> {
  const rows = await listTenantWebhookEventSummaries(db, {
    tenantId,
    status,
    provider,
    numberId,
    cursor: cursor ? decodeCursor(cursor) : undefined,
    limit,
  });
  const page = toPage(rows, limit, (r) => ({ at: r.receivedAt, id: r.id }));
  return { rows: page.rows.map(toSummary), nextCursor: page.nextCursor };
}

// ------------------------------------------------------------------------------------------- detail

/** One line per item of the delivery, as the parser sees it (the same parser processing uses). */
export type WebhookEventItem = {
  kind: WebhookItem["kind"];
  type: string | null;
  wamid: string | null;
  /** sender of a message, recipient of a status, phone of a user event */
  from: string | null;
  status: string | null;
  textPreview: string | null;
  phoneNumberId: string | null;
};

export type WebhookEventDetail = Omit<WebhookEventSummary, "summary"> & {
  /** counts of the parsed items, e.g. "2 messages, 1 status · 1.2 KB" */
  summary: string;
  rawBody: string;
  /** `exact`: the bytes received; `tenant_copy`: this workspace's changes of a delivery that named other workspaces' numbers too; `prefix`: the first 4 KiB of a refused body */
  rawBodyKind: WebhookEventRow["rawBodyKind"];
  /** SHA-256 (hex) of the whole body received (copies of one delivery share it) */
  bodySha256: string | null;
  /** Phone Number IDs the body named whose number's app secret did not verify it: nothing was routed to them */
  refusedPhoneNumberIds: string[];
  /** `json`; `text` when it is not JSON; `deep_json` when it nests deeper than MAX_SHOWN_DEPTH (then it is only shown as received) */
  bodyFormat: "json" | "text" | "deep_json";
  /** the body re-indented when it is JSON no deeper than MAX_SHOWN_DEPTH, else null */
  prettyBody: string | null;
  headers: Record<string, string>;
  items: WebhookEventItem[];
  /** why the body could not be read as a webhook of its provider (then `items` is empty) */
  parseError: string | null;
  replayable: boolean;
};

function describeErrors(errors: WebhookError[]): string | null {
  const text = errors
    .map((e) => [e.code, e.title ?? e.message].filter((p) => p !== null && p !== "").join(" "))
    .filter(Boolean)
    .join("; ");
  return text || null;
}

function toItem(item: WebhookItem): WebhookEventItem {
  const base = { type: null, wamid: null, from: null, status: null, textPreview: null, phoneNumberId: null };
  switch (item.kind) {
    case "message":
      return {
        ...base,
        kind: item.kind,
        type: item.type,
        wamid: item.wamid,
        from: item.from ?? item.fromUserId,
        textPreview: item.textPreview || null,
        phoneNumberId: item.phoneNumberId,
      };
    case "status":
      return {
        ...base,
        kind: item.kind,
        type: item.pricing?.category ?? null,
        wamid: item.wamid,
        from: item.recipientId ?? item.recipientUserId,
        status: item.status,
        textPreview: describeErrors(item.errors),
        phoneNumberId: item.phoneNumberId,
      };
    case "template_status":
      return { ...base, kind: item.kind, type: item.name, status: item.event, textPreview: [item.language, item.reason].filter(Boolean).join(" · ") || null };
    case "template_category":
    case "template_quality":
      return { ...base, kind: item.kind, type: item.name, textPreview: item.language };
    case "number_quality":
      return { ...base, kind: item.kind, type: item.displayPhoneNumber, status: item.event, textPreview: item.currentLimit };
    case "account_update":
      return { ...base, kind: item.kind, status: item.event, textPreview: item.wabaId ? `WABA ${item.wabaId}` : null };
    case "value_errors":
      return { ...base, kind: item.kind, textPreview: describeErrors(item.errors), phoneNumberId: item.phoneNumberId };
    case "user_event":
      return { ...base, kind: item.kind, from: item.phone, status: item.event };
    case "user_preference":
      return {
        ...base,
        kind: item.kind,
        type: item.category,
        from: item.waId ?? item.userId,
        status: item.value,
        textPreview: item.detail,
        phoneNumberId: item.phoneNumberId,
      };
    case "instance_state":
      return { ...base, kind: item.kind, status: item.state };
    case "ignored":
      return { ...base, kind: item.kind, type: item.field, textPreview: item.reason };
  }
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

const KIND_NOUNS: Record<WebhookItem["kind"], [string, string]> = {
  message: ["message", "messages"],
  status: ["status", "statuses"],
  template_status: ["template status update", "template status updates"],
  template_category: ["template category update", "template category updates"],
  template_quality: ["template quality update", "template quality updates"],
  number_quality: ["number quality update", "number quality updates"],
  account_update: ["account update", "account updates"],
  value_errors: ["error report", "error reports"],
  user_event: ["user event", "user events"],
  user_preference: ["user preference", "user preferences"],
  instance_state: ["instance state change", "instance state changes"],
  ignored: ["ignored field", "ignored fields"],
};

function itemCounts(items: WebhookEventItem[]): string {
  const counts = new Map<WebhookItem["kind"], number>();
  for (const i of items) counts.set(i.kind, (counts.get(i.kind) ?? 0) + 1);
  return [...counts].map(([kind, n]) => plural(n, ...KIND_NOUNS[kind])).join(", ") || "no items";
}

/** Deeper than this a stored body is not re-indented (JSON.stringify overflows the stack near 10,000); Meta's nest about 8. */
export const MAX_SHOWN_DEPTH = 100;

function readBody(provider: WebhookEventProvider, rawBody: string, receivedAt: Date) {
  let json: unknown;
  try {
    json = parseBodyJson(rawBody);
  } catch {
    return { bodyFormat: "text" as const, prettyBody: null, items: [], parseError: "The body is not JSON" };
  }
  const deep = jsonDepth(rawBody) > MAX_SHOWN_DEPTH;
  const shown = { bodyFormat: deep ? ("deep_json" as const) : ("json" as const), prettyBody: deep ? null : JSON.stringify(json, null, 2) };
  try {
    const parse = provider === "gupshup" ? parseGupshupWebhook : provider === "green" ? parseGreenWebhook : parseMetaWebhook;
    const parsed = parse(json, { receivedAt });
    return { ...shown, items: parsed.items.map(toItem), parseError: null };
  } catch (e) {
    const message = e instanceof RangeError ? `The body nests too deeply to read (${e.message})` : e instanceof Error ? e.message : String(e);
    return { ...shown, items: [], parseError: message };
  }
}

/** Every status but `rejected` (it failed its signature check, so it is never processed) can be replayed. */
export function isReplayable(status: WebhookEventStatus): boolean {
  return status !== "rejected";
}

/** One of the tenant's events with the raw body (exactly as received), a pretty copy, headers and a parsed overview. */
export async function getWebhookEventDetail(db: Db, { tenantId, id }: { tenantId: string; id: string }): Promise<WebhookEventDetail> {
  const found = await getTenantWebhookEvent(db, { tenantId, id });
  if (!found) throw notFound("Webhook event");
  const e = found.event;
  const body = readBody(e.provider, e.rawBody, e.receivedAt);
  const bodyBytes = e.bodyBytes ?? Buffer.byteLength(e.rawBody);
  return {
    id: e.id,
    provider: e.provider,
    receivedAt: e.receivedAt,
    status: e.status,
    signatureResult: e.signatureResult,
    error: e.error,
    attempts: e.attempts,
    processedAt: e.processedAt,
    numberId: e.numberId,
    number: numberOf(e.numberId, found.numberLabel, found.numberPhone),
    routedPhoneNumberIds: e.routedPhoneNumberIds,
    bodyBytes,
    summary: `${body.parseError ? "unreadable body" : itemCounts(body.items)} · ${formatBytes(bodyBytes)}`,
    rawBody: e.rawBody,
    rawBodyKind: e.rawBodyKind,
    bodySha256: e.bodySha256,
    refusedPhoneNumberIds: e.refusedPhoneNumberIds,
    bodyFormat: body.bodyFormat,
    prettyBody: body.prettyBody,
    headers: e.headers,
    items: body.items,
    parseError: body.parseError,
    replayable: isReplayable(e.status),
  };
}

// ------------------------------------------------------------------------------------------- replay

/**
 * Reprocesses one of the tenant's events by hand. Only the tenant's own events (the same rule as the list and
 * the detail): another tenant's or an unowned one is a 404; a rejected or busy one a 409 (from the domain).
 */
export async function replayTenantWebhookEvent(db: Db, { tenantId, id, now }: { tenantId: string; id: string; now: Date }): Promise<ProcessOutcome> {
  if (!(await getTenantWebhookEvent(db, { tenantId, id }))) throw notFound("Webhook event");
  return replayWebhookEvent(db, { tenantId, id, now });
}
