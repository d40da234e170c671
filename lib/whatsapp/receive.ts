// The transport-free half of the webhook routes: verify, store, answer. Everything Meta or Gupshup
// sends is stored before anything else happens (rejected requests too, with the reason), so
// nothing is lost; processing runs afterwards (see processing-loop.ts).
import type { Db } from "@/db/client";
import { isForeignKeyViolation } from "@/db/errors";
import { findNumberByGupshupToken, findNumbersByPhoneNumberIds, verifyTokenExists } from "@/db/queries";
import { openSecret, safeEqual } from "@/lib/crypto";
import { storeWebhookEventGrouped } from "./event-writer";
import { storeWebhookEvent } from "./store";
import { extractPhoneNumberIds } from "./parse";
import { verifyMetaSignature } from "./signature";

export type ReceiveDeps = { encryptionKey: string; metaAppSecret?: string; globalVerifyToken?: string };
export type ReceiveOutcome = {
  status: 200 | 400 | 401;
  body: { received: true; eventId: string } | { error: { code: string; message: string } };
  /** an event was stored that processing should pick up */
  stored: "received" | "unrouted" | "rejected" | null;
};

const refuse = (status: 400 | 401, code: string, message: string, stored: ReceiveOutcome["stored"]): ReceiveOutcome => ({
  status,
  body: { error: { code, message } },
  stored,
});

/** Meta's subscription handshake: echo hub.challenge when the verify token is one of ours. */
export async function answerVerification(db: Db, deps: Pick<ReceiveDeps, "globalVerifyToken">, params: URLSearchParams): Promise<{ status: 200; challenge: string } | { status: 403 }> {
  const mode = params.get("hub.mode");
  const token = params.get("hub.verify_token");
  const challenge = params.get("hub.challenge");
  if (mode !== "subscribe" || !token || challenge === null) return { status: 403 };
  const global = deps.globalVerifyToken ? safeEqual(token, deps.globalVerifyToken) : false;
  if (global || (await verifyTokenExists(db, token))) return { status: 200, challenge };
  return { status: 403 };
}

type RoutingEntry = { id: string; tenantId: string; phoneNumberId: string | null; secret: string | null; at: number };
const ROUTING_TTL_MS = 10_000;
const g = globalThis as unknown as { __clicktrailRouting?: Map<string, RoutingEntry> };
const routingCache: Map<string, RoutingEntry> = (g.__clicktrailRouting ??= new Map());

/** Forget cached routing (a number was connected, edited or deleted in this process). */
export function forgetWebhookRouting(): void {
  routingCache.clear();
}

/**
 * The numbers a payload names, with their decrypted app secrets: cached for 10 s per Phone Number
 * ID (one lookup and one decryption per number, not per webhook). Unknown ids are never cached, so
 * a number connected a moment ago routes its next webhook.
 */
async function routingFor(db: Db, phoneNumberIds: string[], encryptionKey: string): Promise<RoutingEntry[]> {
  const now = Date.now();
  const hits: RoutingEntry[] = [];
  const misses: string[] = [];
  for (const id of phoneNumberIds) {
    const hit = routingCache.get(id);
    if (hit && now - hit.at < ROUTING_TTL_MS) hits.push(hit);
    else misses.push(id);
  }
  if (misses.length === 0) return hits;
  const found = await findNumbersByPhoneNumberIds(db, misses);
  for (const n of found) {
    const entry = { id: n.id, tenantId: n.tenantId, phoneNumberId: n.phoneNumberId, secret: openSecret(n.appSecretEnc, encryptionKey), at: now };
    if (n.phoneNumberId) routingCache.set(n.phoneNumberId, entry);
    hits.push(entry);
  }
  return hits;
}

/** POST /api/webhooks/whatsapp: X-Hub-Signature-256 over the raw bytes with the named numbers' app secrets. */
export async function receiveCloudWebhook(db: Db, deps: ReceiveDeps, request: { rawBody: string; headers: Headers }): Promise<ReceiveOutcome> {
  try {
    return await receiveCloud(db, deps, request);
  } catch (e) {
    if (!isForeignKeyViolation(e)) throw e;
    // a cached number was deleted (perhaps by another process): route again from the database
    forgetWebhookRouting();
    return receiveCloud(db, deps, request);
  }
}

async function receiveCloud(db: Db, deps: ReceiveDeps, { rawBody, headers }: { rawBody: string; headers: Headers }): Promise<ReceiveOutcome> {
  const header = headers.get("x-hub-signature-256");
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    const signature = deps.metaAppSecret ? verifyMetaSignature(rawBody, header, [deps.metaAppSecret]) : null;
    await storeWebhookEvent(db, {
      provider: "cloud", rawBody, headers, status: "rejected", error: "The body is not JSON",
      signatureResult: !header ? "missing" : signature?.ok ? "valid" : signature ? "invalid" : "unverified",
    });
    return refuse(400, "bad_request", "The body is not JSON", "rejected");
  }

  const phoneNumberIds = extractPhoneNumberIds(json);
  const numbers = await routingFor(db, phoneNumberIds, deps.encryptionKey);
  const secrets = [...numbers.flatMap((n) => (n.secret ? [n.secret] : [])), ...(deps.metaAppSecret ? [deps.metaAppSecret] : [])];
  const single = numbers.length === 1 ? numbers[0]! : null;
  const routing = { routedPhoneNumberIds: phoneNumberIds, tenantId: single?.tenantId ?? null, numberId: single?.id ?? null };

  if (!header) {
    await storeWebhookEvent(db, { provider: "cloud", rawBody, headers, ...routing, signatureResult: "missing", status: "rejected", error: "X-Hub-Signature-256 header is missing" });
    return refuse(401, "unauthorized", "X-Hub-Signature-256 header is missing", "rejected");
  }
  if (secrets.length === 0) {
    if (phoneNumberIds.length > 0 && numbers.length === 0) {
      // nobody here knows this Phone Number ID yet: keep it, verify and process it once a number claims it
      const event = await storeWebhookEvent(db, { provider: "cloud", rawBody, headers, ...routing, signatureResult: "unverified", status: "unrouted" });
      return { status: 200, body: { received: true, eventId: event.id }, stored: "unrouted" };
    }
    const reason = numbers.length > 0 ? "The number has no readable app secret to verify the signature with" : "The payload names no known number and META_APP_SECRET is not set";
    await storeWebhookEvent(db, { provider: "cloud", rawBody, headers, ...routing, signatureResult: "unverified", status: "rejected", error: reason });
    return refuse(401, "unauthorized", reason, "rejected");
  }
  const verdict = verifyMetaSignature(rawBody, header, secrets);
  if (!verdict.ok) {
    const error = verdict.reason === "malformed" ? "X-Hub-Signature-256 is not of the form sha256=<hex>" : "X-Hub-Signature-256 does not match the body";
    await storeWebhookEvent(db, { provider: "cloud", rawBody, headers, ...routing, signatureResult: "invalid", status: "rejected", error });
    return refuse(401, "unauthorized", error, "rejected");
  }
  const eventId = await storeWebhookEventGrouped(db, { provider: "cloud", rawBody, headers, ...routing, signatureResult: "valid", status: "received" });
  return { status: 200, body: { received: true, eventId }, stored: "received" };
}

/** POST /api/webhooks/gupshup/{token}: the per-number token in the URL authenticates the callback. */
export async function receiveGupshupWebhook(db: Db, { token, rawBody, headers }: { token: string; rawBody: string; headers: Headers }): Promise<ReceiveOutcome> {
  const number = token.length >= 16 ? await findNumberByGupshupToken(db, token) : null;
  if (!number) {
    await storeWebhookEvent(db, { provider: "gupshup", rawBody, headers, signatureResult: "invalid", status: "rejected", error: "Unknown Gupshup callback token" });
    return refuse(401, "unauthorized", "Unknown callback token", "rejected");
  }
  const route = { tenantId: number.tenantId, numberId: number.id };
  try {
    JSON.parse(rawBody);
  } catch {
    await storeWebhookEvent(db, { provider: "gupshup", rawBody, headers, ...route, signatureResult: "not_required", status: "rejected", error: "The body is not JSON" });
    return refuse(400, "bad_request", "The body is not JSON", "rejected");
  }
  const event = await storeWebhookEvent(db, { provider: "gupshup", rawBody, headers, ...route, signatureResult: "not_required", status: "received" });
  return { status: 200, body: { received: true, eventId: event.id }, stored: "received" };
}
