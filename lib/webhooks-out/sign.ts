// Signatures of outgoing webhooks, Stripe-style: `Clicktrail-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`.
// While a rotated-out secret is still valid, a second v1 entry signed with it follows, so a receiver holding either
// secret verifies. The receiver's side (verifyWebhookSignature) is the recipe the README shows.
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "Clicktrail-Signature";
export const EVENT_ID_HEADER = "Clicktrail-Event-Id";
export const EVENT_TYPE_HEADER = "Clicktrail-Event-Type";
/** a receiver should refuse signatures older than this (replays) */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export function signPayload(secret: string, timestamp: number, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

/** The header value: the current secret first, then each still-valid previous one. */
export function signatureHeader(secrets: readonly string[], timestamp: number, body: string): string {
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${signPayload(s, timestamp, body)}`)].join(",");
}

/** Verifies a header against one secret: any v1 entry matches, and the timestamp is within `toleranceSeconds` of `now`. */
export function verifyWebhookSignature(
  header: string | null | undefined,
  body: string,
  secret: string,
  { now = Date.now(), toleranceSeconds = DEFAULT_TOLERANCE_SECONDS }: { now?: number; toleranceSeconds?: number } = {},
): boolean {
  if (!header) return false;
  const parts = header.split(",").map((p) => p.trim().split("="));
  const t = Number(parts.find(([k]) => k === "t")?.[1]);
  if (!Number.isInteger(t) || Math.abs(now / 1000 - t) > toleranceSeconds) return false;
  const expected = Buffer.from(signPayload(secret, t, body), "hex");
  return parts.filter(([k, v]) => k === "v1" && v !== undefined && /^[0-9a-f]{64}$/.test(v)).some(([, v]) => timingSafeEqual(Buffer.from(v!, "hex"), expected));
}
