// Storing a webhook request: the first thing every webhook route does. Accepted bodies are kept byte-exact
// (the signature covers the bytes, and a replay must verify again); refused ones only as a bounded prefix.
import { jsonDepth } from "@/lib/json-depth";
import { createHash } from "node:crypto";
import type { Db } from "@/db/client";
import { type WebhookEventRow, insertWebhookEvent } from "@/db/queries";
import type { NewWebhookEvent } from "@/db/queries/webhook-events";
import type { SIGNATURE_RESULTS, WEBHOOK_PROVIDERS, WEBHOOK_STATUSES } from "@/db/schema";

const KEPT_HEADERS = ["content-type", "content-length", "user-agent", "x-hub-signature-256", "x-forwarded-for", "x-request-id"];
/** How much of a refused body is kept: enough to see what it was, too little to grow the log fast. */
export const REFUSED_BODY_PREFIX_BYTES = 4096;

export type StoreWebhookEventInput = {
  provider: (typeof WEBHOOK_PROVIDERS)[number];
  /** the bytes received (a string is taken as its UTF-8 bytes) */
  rawBody: Buffer | string;
  /** a split delivery: this workspace's entries of the body (JSON), stored instead of the whole body */
  tenantCopy?: string;
  /** a refused body: keep its SHA-256, size and a prefix only */
  bounded?: boolean;
  headers?: Headers | Record<string, string | string[] | undefined>;
  signatureResult: (typeof SIGNATURE_RESULTS)[number];
  routedPhoneNumberIds?: string[];
  /** Cloud: the Phone Number IDs whose own app secret verified the body; only their items are processed */
  verifiedPhoneNumberIds?: string[] | null;
  refusedPhoneNumberIds?: string[];
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

/** The body as text, a BOM kept (U+FEFF), invalid UTF-8 as U+FFFD. */
export function decodeBody(bytes: Buffer): string {
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
}

/** JSON.parse of a webhook body's text: a leading BOM is not part of the JSON (Meta's HMAC still covers it). */
export function parseBodyJson(text: string): unknown {
  return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
}

/** Providers' payloads nest about 8 levels; far deeper ones would overflow the stack of whatever walks them. */
export const MAX_WEBHOOK_DEPTH = 64;

/**
 * A received body as JSON that processing can walk, or why not ("The body is not JSON", or nests too deep):
 * checked before a body is stored as received, so no stored event can fail its processing this way.
 */
export function readWebhookJson(text: string): { ok: true; json: unknown } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = parseBodyJson(text);
  } catch {
    return { ok: false, error: "The body is not JSON" };
  }
  if (jsonDepth(text) > MAX_WEBHOOK_DEPTH) return { ok: false, error: `The body nests deeper than ${MAX_WEBHOOK_DEPTH} levels` };
  return { ok: true, json };
}

/** The exact bytes of a stored event (what its signature covers). */
export function storedBodyBytes(row: { rawBody: string; rawBodyExactB64: string | null }): Buffer {
  return row.rawBodyExactB64 !== null ? Buffer.from(row.rawBodyExactB64, "base64") : Buffer.from(row.rawBody, "utf8");
}

/**
 * Stores one webhook request (call this before any processing: nothing Meta sends is lost). Postgres text
 * cannot hold NUL, invalid UTF-8 has no text form and a BOM may not survive a driver: then raw_body_exact_b64
 * keeps the exact bytes beside the text (U+FFFD for what has no text form). The column is only filled for
 * such bodies, so the common path stays one text column.
 */
export async function storeWebhookEvent(db: Db, input: StoreWebhookEventInput): Promise<WebhookEventRow> {
  return insertWebhookEvent(db, webhookEventValues(input));
}

function bodyColumns(input: StoreWebhookEventInput) {
  const bytes = typeof input.rawBody === "string" ? Buffer.from(input.rawBody, "utf8") : input.rawBody;
  const digest = { bodySha256: createHash("sha256").update(bytes).digest("hex"), bodyBytes: bytes.byteLength };
  if (input.tenantCopy !== undefined)
    return { ...digest, rawBody: input.tenantCopy.replaceAll("\u0000", "\uFFFD"), rawBodyExactB64: null, rawBodyKind: "tenant_copy" as const };
  if (input.bounded && bytes.byteLength > REFUSED_BODY_PREFIX_BYTES) {
    return {
      ...digest,
      rawBody: decodeBody(bytes.subarray(0, REFUSED_BODY_PREFIX_BYTES)).replaceAll("\u0000", "\uFFFD"),
      rawBodyExactB64: null,
      rawBodyKind: "prefix" as const,
    };
  }
  const text = typeof input.rawBody === "string" ? input.rawBody : decodeBody(bytes);
  const stored = text.replaceAll("\u0000", "\uFFFD");
  // a leading BOM survives in text, but a driver may drop it when it reads the text back (PGlite's decoder does)
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const exact = !bom && Buffer.from(stored, "utf8").equals(bytes);
  return { ...digest, rawBody: stored, rawBodyExactB64: exact ? null : bytes.toString("base64"), rawBodyKind: "exact" as const };
}

/** The row storeWebhookEvent writes (exported for the group-commit writer). */
export function webhookEventValues(input: StoreWebhookEventInput): NewWebhookEvent {
  const body = bodyColumns(input);
  return {
    provider: input.provider,
    ...body,
    headers: keptHeaders(input.headers),
    signatureResult: input.signatureResult,
    routedPhoneNumberIds: input.routedPhoneNumberIds ?? [],
    verifiedPhoneNumberIds: input.verifiedPhoneNumberIds ?? null,
    refusedPhoneNumberIds: input.refusedPhoneNumberIds ?? [],
    tenantId: input.tenantId ?? null,
    numberId: input.numberId ?? null,
    status: input.status ?? "received",
    error: input.error ?? null,
    ...(input.receivedAt ? { receivedAt: input.receivedAt } : {}),
  };
}
