// API keys: `ck_` + 32 random bytes (base64url). Only the sha-256 is stored; the key is shown once.
import { getApiKeyByHash, insertApiKey, listApiKeys, revokeApiKey, touchApiKey } from "@/db/queries";
import type { Db } from "@/db/client";
import { randomToken, sha256Hex } from "./crypto";
import { AppError, notFound } from "./errors";
import { type PageParams, decodeCursor, toPage } from "./pagination";

export const API_KEY_PREFIX_LENGTH = 11;

export function generateApiKey(): string {
  return `ck_${randomToken(32)}`;
}

export async function createApiKey(
  db: Db,
  { tenantId, name, createdBy, secret = generateApiKey() }: { tenantId: string; name: string; createdBy: string | null; secret?: string },
) {
  const apiKey = await insertApiKey(db, {
    tenantId,
    name,
    createdBy,
    prefix: secret.slice(0, API_KEY_PREFIX_LENGTH),
    keyHash: sha256Hex(secret),
  });
  if (!apiKey) throw new AppError("conflict", "This key already exists");
  return { apiKey, secret };
}

/** `BOOTSTRAP_API_KEY`: makes that exact key valid for the tenant (idempotent across restarts). */
export async function ensureBootstrapApiKey(db: Db, { tenantId, secret }: { tenantId: string; secret: string }) {
  const existing = await getApiKeyByHash(db, sha256Hex(secret));
  if (existing) return { created: false };
  await insertApiKey(db, {
    tenantId,
    name: "Bootstrap key (BOOTSTRAP_API_KEY)",
    createdBy: null,
    prefix: secret.slice(0, API_KEY_PREFIX_LENGTH),
    keyHash: sha256Hex(secret),
  });
  return { created: true };
}

/** Resolves a presented key to its tenant; throws `unauthorized` for unknown or revoked keys. */
export async function authenticateApiKey(db: Db, { secret, now }: { secret: string; now: Date }) {
  const key = await getApiKeyByHash(db, sha256Hex(secret));
  if (!key || key.revokedAt) throw new AppError("unauthorized", "The API key is not valid or has been revoked");
  await touchApiKey(db, key.id, now);
  return { tenantId: key.tenantId, apiKeyId: key.id };
}

export async function listApiKeysPage(db: Db, { tenantId, cursor, limit }: { tenantId: string } & PageParams) {
  const rows = await listApiKeys(db, { tenantId, cursor: cursor ? decodeCursor(cursor) : undefined, limit });
  return toPage(rows, limit, (r) => ({ at: r.createdAt, id: r.id }));
}

export async function revokeApiKeyById(db: Db, { tenantId, id, now }: { tenantId: string; id: string; now: Date }) {
  const row = await revokeApiKey(db, { tenantId, id, now });
  if (!row) throw notFound("Active API key");
  return row;
}
