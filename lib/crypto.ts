// Secrets at rest (AES-256-GCM), hashing, and constant-time comparison.
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from "node:crypto";

const VERSION = "v1";

function keyBytes(base64Key: string): Buffer {
  const key = Buffer.from(base64Key, "base64");
  if (key.length !== 32) throw new Error("ENCRYPTION_KEY must decode to 32 bytes");
  return key;
}

/** Encrypts with a fresh 96-bit IV; output `v1.<iv>.<tag>.<ciphertext>` (base64url parts). */
export function encryptSecret(plaintext: string, base64Key: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyBytes(base64Key), iv);
  const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), data].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(".");
}

/** Decrypts and authenticates; throws on a wrong key or any tampering. */
export function decryptSecret(sealed: string, base64Key: string): string {
  const [version, iv, tag, data] = sealed.split(".");
  if (version !== VERSION || !iv || !tag || data === undefined) throw new Error("unrecognised secret format");
  const decipher = createDecipheriv("aes-256-gcm", keyBytes(base64Key), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
}

/** The last characters of a secret, for `•••• 1a2b` style hints. */
/** A stored secret in the clear, or null when there is none or it was sealed with another key (ENCRYPTION_KEY changed). */
export function openSecret(sealed: string | null | undefined, base64Key: string): string | null {
  if (!sealed) return null;
  try {
    return decryptSecret(sealed, base64Key);
  } catch {
    return null;
  }
}

export function secretHint(secret: string, visible = 4): string {
  return `•••• ${secret.slice(-visible)}`;
}

export function sha256Hex(input: string | Buffer): string {
  return createHash("sha256").update(input).digest("hex");
}

/** Constant-time string equality (hashes first, so lengths never leak through timing). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
}

export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString("base64url");
}
