// Meta Custom Audiences (customer list): the normalisation and SHA-256 digests Meta matches people by, and the
// request bodies of POST/DELETE /{audience-id}/users in batches Meta accepts (docs/meta-custom-audiences.md).
// Framework-free: the sync job (issue 23) builds its batches here.
import { sha256Hex } from "@/lib/crypto";

/** Meta takes at most this many rows per /{audience-id}/users request. */
export const AUDIENCE_BATCH_MAX = 10_000;

const SHA256_HEX = /^[a-f0-9]{64}$/;

/** A phone as Meta hashes it: digits only (no `+`, spaces, brackets or letters), no leading zeros, country code kept. */
export function normaliseAudiencePhone(phone: string): string | null {
  const digits = phone.replace(/\D/g, "").replace(/^0+/, "");
  // E.164 allows at most 15 digits; fewer than 7 cannot be a full international number
  return digits.length >= 7 && digits.length <= 15 ? digits : null;
}

/** An email as Meta hashes it: trimmed (Meta's SDK strips whitespace, NUL, vertical tab and dots at both ends), lowercase. */
export function normaliseAudienceEmail(email: string): string | null {
  const trimmed = email.replace(/^[\s\0\v.]+|[\s\0\v.]+$/g, "").toLowerCase();
  return /^[^@\s]+@[^@\s]+$/.test(trimmed) ? trimmed : null;
}

/** The digest Meta matches: SHA-256 hex of the normalised value; a value that already is a digest passes as it is. */
export function audienceDigest(kind: "PHONE" | "EMAIL", value: string | null | undefined): string | null {
  if (!value) return null;
  const lower = value.trim().toLowerCase();
  if (SHA256_HEX.test(lower)) return lower;
  const normalised = kind === "PHONE" ? normaliseAudiencePhone(value) : normaliseAudienceEmail(value);
  return normalised === null ? null : sha256Hex(normalised);
}

export type AudiencePerson = { phone: string | null; email?: string | null };
export type AudienceBody = { payload: { schema: ["PHONE", "EMAIL"]; data: [string, string][] } };

/**
 * The bodies of /{audience-id}/users for these people, in batches of at most `batchSize` rows: multi-key rows
 * [phone digest, email digest], an empty string for an unknown value. A person with neither is left out, and
 * `skipped` counts them.
 */
export function audienceBatches(people: Iterable<AudiencePerson>, batchSize = AUDIENCE_BATCH_MAX): { bodies: AudienceBody[]; rows: number; skipped: number } {
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > AUDIENCE_BATCH_MAX)
    throw new RangeError(`batchSize must be 1–${AUDIENCE_BATCH_MAX}, got ${batchSize}`);
  const bodies: AudienceBody[] = [];
  let current: [string, string][] = [];
  let rows = 0;
  let skipped = 0;
  for (const p of people) {
    const phone = audienceDigest("PHONE", p.phone);
    const email = audienceDigest("EMAIL", p.email);
    if (!phone && !email) {
      skipped++;
      continue;
    }
    current.push([phone ?? "", email ?? ""]);
    rows++;
    if (current.length === batchSize) {
      bodies.push({ payload: { schema: ["PHONE", "EMAIL"], data: current } });
      current = [];
    }
  }
  if (current.length > 0) bodies.push({ payload: { schema: ["PHONE", "EMAIL"], data: current } });
  return { bodies, rows, skipped };
}
