// X-Hub-Signature-256 for Meta webhooks: HMAC-SHA256 of the raw request bytes, keyed by the App Secret.
import { createHmac, timingSafeEqual } from "node:crypto";

export type MetaSignatureResult = { ok: true; secretIndex: number } | { ok: false; reason: "missing" | "malformed" | "mismatch" };

const HEADER_PATTERN = /^sha256=([0-9a-f]{64})$/i;

function hmacSha256(rawBody: string | Buffer, secret: string): Buffer {
  // The signature covers the bytes exactly as received: never re-serialise parsed JSON before this.
  return createHmac("sha256", secret)
    .update(typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : rawBody)
    .digest();
}

/**
 * Checks `sha256=<hex>` against every candidate app secret (several apps, or a secret being rotated).
 * Every non-empty secret is tried even after a match, so timing does not reveal which one matched;
 * empty secrets are skipped (an unset secret must never verify anything).
 */
export function verifyMetaSignature(rawBody: string | Buffer, header: string | null, secrets: string[]): MetaSignatureResult {
  const value = header?.trim();
  if (!value) return { ok: false, reason: "missing" };
  const match = HEADER_PATTERN.exec(value);
  if (!match?.[1]) return { ok: false, reason: "malformed" };
  const expected = Buffer.from(match[1], "hex");
  let secretIndex = -1;
  secrets.forEach((secret, index) => {
    if (!secret) return;
    const equal = timingSafeEqual(hmacSha256(rawBody, secret), expected);
    if (equal && secretIndex === -1) secretIndex = index;
  });
  return secretIndex === -1 ? { ok: false, reason: "mismatch" } : { ok: true, secretIndex };
}

/** The full `X-Hub-Signature-256` header value Meta would send for this body (tests, e2e, replay tools). */
export function signMetaBody(rawBody: string | Buffer, secret: string): string {
  return `sha256=${hmacSha256(rawBody, secret).toString("hex")}`;
}
