// The transport-free half of the webhook routes: verify, store, answer. Everything Meta or Gupshup
// sends is stored before anything else happens (rejected requests too, with the reason), so
// nothing is lost; processing runs afterwards (see processing-loop.ts).
import type { Db } from "@/db/client";
import { isForeignKeyViolation } from "@/db/errors";
import { countRecentUnroutedEvents, findNumberByGupshupToken, findNumbersByPhoneNumberIds, findNumbersByWabaIds, verifyTokenExists } from "@/db/queries";
import { openSecret, safeEqual } from "@/lib/crypto";
import { storeWebhookEventGrouped } from "./event-writer";
import { decodeBody, readWebhookJson, storeWebhookEvent } from "./store";
import { type ChangeRef, changeRefs, cutDelivery } from "./split";
import { verifyMetaSignature } from "./signature";

export type ReceiveDeps = { encryptionKey: string; metaAppSecret?: string; globalVerifyToken?: string };
export type ReceiveOutcome = {
  status: 200 | 400 | 401 | 429;
  body: { received: true; eventId: string } | { error: { code: string; message: string } };
  /** an event was stored that processing should pick up */
  stored: "received" | "unrouted" | "rejected" | null;
};

const refuse = (status: 400 | 401 | 429, code: string, message: string, stored: ReceiveOutcome["stored"]): ReceiveOutcome => ({
  status,
  body: { error: { code, message } },
  stored,
});

/** Meta's subscription handshake: echo hub.challenge when the verify token is one of ours. */
export async function answerVerification(
  db: Db,
  deps: Pick<ReceiveDeps, "globalVerifyToken">,
  params: URLSearchParams,
): Promise<{ status: 200; challenge: string } | { status: 403 }> {
  const mode = params.get("hub.mode");
  const token = params.get("hub.verify_token");
  const challenge = params.get("hub.challenge");
  if (mode !== "subscribe" || !token || challenge === null) return { status: 403 };
  const global = deps.globalVerifyToken ? safeEqual(token, deps.globalVerifyToken) : false;
  if (global || (await verifyTokenExists(db, token))) return { status: 200, challenge };
  return { status: 403 };
}

type RoutingEntry = { id: string; tenantId: string; phoneNumberId: string | null; wabaId: string | null; secret: string | null; at: number };
const ROUTING_TTL_MS = 10_000;
const g = globalThis as unknown as { __clicktrailRouting?: Map<string, RoutingEntry> };
const routingCache: Map<string, RoutingEntry> = (g.__clicktrailRouting ??= new Map());

/** Forget cached routing (a number was connected, edited, proven or deleted in this process). */
export function forgetWebhookRouting(): void {
  routingCache.clear();
}

type NumberForRouting = { id: string; tenantId: string; phoneNumberId: string | null; wabaId: string | null; appSecretEnc: string | null };
const toEntry = (n: NumberForRouting, encryptionKey: string, at: number): RoutingEntry => ({
  id: n.id,
  tenantId: n.tenantId,
  phoneNumberId: n.phoneNumberId,
  wabaId: n.wabaId,
  secret: openSecret(n.appSecretEnc, encryptionKey),
  at,
});

/**
 * The proven numbers a payload names (by Phone Number ID; by WABA for changes without one), with their
 * decrypted app secrets: cached for 10 s per Phone Number ID (one lookup and one decryption per number,
 * not per webhook). Unknown ids are never cached, so a number proven a moment ago routes its next webhook.
 */
async function routingFor(db: Db, refs: ChangeRef[], encryptionKey: string): Promise<RoutingEntry[]> {
  const now = Date.now();
  const found = new Map<string, RoutingEntry>();
  const misses: string[] = [];
  for (const id of new Set(refs.flatMap((r) => (r.phoneNumberId ? [r.phoneNumberId] : [])))) {
    const hit = routingCache.get(id);
    if (hit && now - hit.at < ROUTING_TTL_MS) found.set(hit.id, hit);
    else misses.push(id);
  }
  for (const n of await findNumbersByPhoneNumberIds(db, misses)) {
    const entry = toEntry(n, encryptionKey, now);
    if (n.phoneNumberId) routingCache.set(n.phoneNumberId, entry);
    found.set(n.id, entry);
  }
  const wabaIds = [...new Set(refs.flatMap((r) => (!r.phoneNumberId && r.wabaId ? [r.wabaId] : [])))];
  for (const n of await findNumbersByWabaIds(db, wabaIds)) found.set(n.id, toEntry(n, encryptionKey, now));
  return [...found.values()];
}

/** POST /api/webhooks/whatsapp: X-Hub-Signature-256 over the raw bytes, checked per named number with its own app secret. */
export async function receiveCloudWebhook(db: Db, deps: ReceiveDeps, request: { rawBody: Buffer | string; headers: Headers }): Promise<ReceiveOutcome> {
  const bytes = typeof request.rawBody === "string" ? Buffer.from(request.rawBody, "utf8") : request.rawBody;
  try {
    return await receiveCloud(db, deps, bytes, request.headers);
  } catch (e) {
    if (!isForeignKeyViolation(e)) throw e;
    // a cached number was deleted (perhaps by another process): route again from the database
    forgetWebhookRouting();
    return receiveCloud(db, deps, bytes, request.headers);
  }
}

const signatureError = (reason: "missing" | "malformed" | "mismatch") =>
  reason === "missing"
    ? "X-Hub-Signature-256 header is missing"
    : reason === "malformed"
      ? "X-Hub-Signature-256 is not of the form sha256=<hex>"
      : "X-Hub-Signature-256 does not match the body";

async function receiveCloud(db: Db, deps: ReceiveDeps, rawBody: Buffer, headers: Headers): Promise<ReceiveOutcome> {
  const header = headers.get("x-hub-signature-256");
  const body = readWebhookJson(decodeBody(rawBody));
  if (!body.ok) {
    const signature = deps.metaAppSecret ? verifyMetaSignature(rawBody, header, [deps.metaAppSecret]) : null;
    await storeWebhookEvent(db, {
      provider: "cloud",
      rawBody,
      bounded: true,
      headers,
      status: "rejected",
      error: body.error,
      signatureResult: !header ? "missing" : signature?.ok ? "valid" : signature ? "invalid" : "unverified",
    });
    return refuse(400, "bad_request", body.error, "rejected");
  }
  const json = body.json;
  const refs = changeRefs(json);
  const numbers = await routingFor(db, refs, deps.encryptionKey);
  const verdict = judgeDelivery(rawBody, header, refs, numbers, deps.metaAppSecret);
  const named = [...new Set(numbers.map((n) => n.tenantId))];
  const bounded = {
    provider: "cloud" as const,
    rawBody,
    bounded: true,
    headers,
    routedPhoneNumberIds: verdict.phoneNumberIds,
    refusedPhoneNumberIds: verdict.refused,
  };
  const owner = named.length === 1 ? { tenantId: named[0]!, numberId: numbers.length === 1 ? numbers[0]!.id : null } : {};

  if (verdict.failure === "missing" || verdict.failure === "malformed") {
    const error = signatureError(verdict.failure);
    await storeWebhookEvent(db, { ...bounded, ...owner, signatureResult: verdict.failure === "missing" ? "missing" : "invalid", status: "rejected", error });
    return refuse(401, "unauthorized", error, "rejected");
  }
  if (verdict.tenants.size === 0 && verdict.unknown.length === 0) {
    const error = numbers.length > 0 ? signatureError("mismatch") : "The payload names no known number and META_APP_SECRET is not set";
    if (numbers.length === 0 && deps.metaAppSecret && verifyMetaSignature(rawBody, header, [deps.metaAppSecret]).ok) {
      // signed by the deployment's app, naming no number here (e.g. a WABA nobody connected): kept, nothing to route
      const eventId = await storeWebhookEventGrouped(db, {
        provider: "cloud",
        rawBody,
        headers,
        signatureResult: "valid",
        verifiedPhoneNumberIds: [],
        status: "received",
      });
      return { status: 200, body: { received: true, eventId }, stored: "received" };
    }
    await storeWebhookEvent(db, { ...bounded, ...owner, signatureResult: numbers.length > 0 ? "invalid" : "unverified", status: "rejected", error });
    return refuse(401, "unauthorized", error, "rejected");
  }
  const ids = await storeVerifiedParts(db, { json, rawBody, headers, refs, verdict });
  if (ids.length === 0) {
    // only unproven Phone Number IDs, and too many of those lately: Meta delivers again later (for up to 7 days)
    return refuse(429, "too_many_unrouted", UNROUTED_FLOOD_ERROR, "rejected");
  }
  return { status: 200, body: { received: true, eventId: ids[0]! }, stored: verdict.tenants.size > 0 ? "received" : "unrouted" };
}

type TenantPart = { numbers: RoutingEntry[]; refs: ChangeRef[] };
type Verdict = {
  failure: "missing" | "malformed" | null;
  phoneNumberIds: string[];
  /** per workspace: its numbers whose own secret verified the body, and the changes addressed to them */
  tenants: Map<string, TenantPart>;
  refused: string[];
  /** Phone Number IDs no proven number has yet: kept unrouted, checked with the secret of the number that proves them */
  unknown: string[];
};

/** Which changes of a delivery each workspace may have: only those of numbers whose own app secret (or META_APP_SECRET) signed it. */
function judgeDelivery(rawBody: Buffer, header: string | null, refs: ChangeRef[], numbers: RoutingEntry[], metaAppSecret?: string): Verdict {
  const phoneNumberIds = [...new Set(refs.flatMap((r) => (r.phoneNumberId ? [r.phoneNumberId] : [])))];
  const verdict: Verdict = { failure: null, phoneNumberIds, tenants: new Map(), refused: [], unknown: [] };
  const first = verifyMetaSignature(rawBody, header, []);
  if (first.ok === false && first.reason !== "mismatch") {
    verdict.failure = first.reason;
    verdict.refused = numbers.flatMap((n) => (n.phoneNumberId ? [n.phoneNumberId] : []));
    return verdict;
  }
  const bySecret = new Map<string, boolean>();
  const verified = new Set<string>();
  for (const n of numbers) {
    const secret = n.secret ?? metaAppSecret ?? "";
    if (!bySecret.has(secret)) bySecret.set(secret, secret !== "" && verifyMetaSignature(rawBody, header, [secret]).ok);
    if (bySecret.get(secret)) verified.add(n.id);
    else if (n.phoneNumberId) verdict.refused.push(n.phoneNumberId);
  }
  const byPnid = new Map(numbers.flatMap((n) => (n.phoneNumberId ? [[n.phoneNumberId, n] as const] : [])));
  const unknown = new Set<string>();
  for (const ref of refs) {
    const owners = ref.phoneNumberId
      ? [byPnid.get(ref.phoneNumberId)].filter((n): n is RoutingEntry => !!n)
      : numbers.filter((n) => ref.wabaId !== null && n.wabaId === ref.wabaId);
    if (ref.phoneNumberId && owners.length === 0) unknown.add(ref.phoneNumberId);
    for (const n of owners.filter((o) => verified.has(o.id))) {
      const part = verdict.tenants.get(n.tenantId) ?? { numbers: [], refs: [] };
      if (!part.numbers.includes(n)) part.numbers.push(n);
      if (!part.refs.includes(ref)) part.refs.push(ref);
      verdict.tenants.set(n.tenantId, part);
    }
  }
  verdict.unknown = [...unknown];
  verdict.refused = [...new Set(verdict.refused)];
  return verdict;
}

/**
 * Events for Phone Number IDs nobody has proven are kept whole (up to 1 MiB) so that the number that proves
 * the id later can check and adopt them; nobody can verify them before that, so anyone can send them. At most
 * this many are kept whole per hour; past it they are kept bounded like refused requests (and, when nothing
 * else in the body verified, answered 429 so that Meta delivers them again later).
 */
export const UNROUTED_HOURLY_LIMIT = 1000;
const UNROUTED_FLOOD_ERROR = `More than ${UNROUTED_HOURLY_LIMIT.toLocaleString("en")} events for Phone Number IDs no number has proven arrived in the last hour: this one was not kept whole`;

/**
 * Stores what was verified: one event per workspace (the exact bytes when every change is that workspace's,
 * otherwise a copy holding only its changes, so no workspace sees another's customers), and the whole body
 * once more as `unrouted` when it names Phone Number IDs nobody has proven yet. Returns the ids, workspaces first.
 */
async function storeVerifiedParts(
  db: Db,
  { json, rawBody, headers, refs, verdict }: { json: unknown; rawBody: Buffer; headers: Headers; refs: ChangeRef[]; verdict: Verdict },
): Promise<string[]> {
  const writes = [...verdict.tenants].map(([tenantId, part]) => {
    const whole = part.refs.length === refs.length;
    const pnids = part.numbers.flatMap((n) => (n.phoneNumberId ? [n.phoneNumberId] : []));
    return storeWebhookEventGrouped(db, {
      provider: "cloud",
      rawBody,
      headers,
      tenantId,
      numberId: part.numbers.length === 1 ? part.numbers[0]!.id : null,
      ...(whole ? {} : { tenantCopy: cutDelivery(json, refs, (r) => part.refs.includes(r)) }),
      routedPhoneNumberIds: [...new Set(part.refs.flatMap((r) => (r.phoneNumberId ? [r.phoneNumberId] : [])))],
      verifiedPhoneNumberIds: pnids,
      refusedPhoneNumberIds: verdict.refused,
      signatureResult: "valid",
      status: "received",
    });
  });
  const ids = await Promise.all(writes);
  if (verdict.unknown.length === 0) return ids;
  const unrouted = {
    provider: "cloud" as const,
    rawBody,
    headers,
    routedPhoneNumberIds: verdict.unknown,
    refusedPhoneNumberIds: verdict.refused,
    signatureResult: "unverified" as const,
  };
  if ((await countRecentUnroutedEvents(db, { since: new Date(Date.now() - 3_600_000), limit: UNROUTED_HOURLY_LIMIT })) >= UNROUTED_HOURLY_LIMIT) {
    await storeWebhookEvent(db, { ...unrouted, bounded: true, status: "rejected", error: UNROUTED_FLOOD_ERROR });
    return ids;
  }
  // nobody here has proven these Phone Number IDs yet: keep the exact bytes, check them with the secret of the number that does
  ids.push((await storeWebhookEvent(db, { ...unrouted, status: "unrouted" })).id);
  return ids;
}

/** POST /api/webhooks/gupshup/{token}: the per-number token in the URL authenticates the callback. */
export async function receiveGupshupWebhook(
  db: Db,
  { token, rawBody, headers }: { token: string; rawBody: Buffer | string; headers: Headers },
): Promise<ReceiveOutcome> {
  const number = token.length >= 16 ? await findNumberByGupshupToken(db, token) : null;
  if (!number) {
    await storeWebhookEvent(db, {
      provider: "gupshup",
      rawBody,
      bounded: true,
      headers,
      signatureResult: "invalid",
      status: "rejected",
      error: "Unknown Gupshup callback token",
    });
    return refuse(401, "unauthorized", "Unknown callback token", "rejected");
  }
  const route = { tenantId: number.tenantId, numberId: number.id };
  const body = readWebhookJson(typeof rawBody === "string" ? rawBody : decodeBody(rawBody));
  if (!body.ok) {
    await storeWebhookEvent(db, {
      provider: "gupshup",
      rawBody,
      bounded: true,
      headers,
      ...route,
      signatureResult: "not_required",
      status: "rejected",
      error: body.error,
    });
    return refuse(400, "bad_request", body.error, "rejected");
  }
  const event = await storeWebhookEvent(db, { provider: "gupshup", rawBody, headers, ...route, signatureResult: "not_required", status: "received" });
  return { status: 200, body: { received: true, eventId: event.id }, stored: "received" };
}
