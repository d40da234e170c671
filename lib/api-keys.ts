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

/**
 * A valid key is remembered for a few seconds per database handle, so a busy integration (hundreds of
 * requests a second) does not read its key row on every request. Revoking through this process forgets
 * it at once; another process of the same deployment accepts a revoked key for at most this long.
 */
export const API_KEY_CACHE_MS = 5_000;
const LAST_USED_RESOLUTION_MS = 60_000; // as touchApiKey: last-used times are kept to the minute

type CachedKey = { tenantId: string; apiKeyId: string; until: number; touchedAt: number };
const g = globalThis as unknown as { __clicktrailApiKeyCache?: WeakMap<Db, Map<string, CachedKey>> };
const keyCache = (g.__clicktrailApiKeyCache ??= new WeakMap());
const cacheOf = (db: Db) => {
  let cache = keyCache.get(db);
  if (!cache) keyCache.set(db, (cache = new Map()));
  return cache;
};

/** Resolves a presented key to its tenant; throws `unauthorized` for unknown or revoked keys. */
export async function authenticateApiKey(db: Db, { secret, now }: { secret: string; now: Date }) {
  const hash = sha256Hex(secret);
  const cache = cacheOf(db);
  const hit = cache.get(hash);
  if (hit && hit.until > now.getTime()) {
    if (now.getTime() - hit.touchedAt >= LAST_USED_RESOLUTION_MS) {
      hit.touchedAt = now.getTime();
      await touchApiKey(db, hit.apiKeyId, now);
    }
    return { tenantId: hit.tenantId, apiKeyId: hit.apiKeyId };
  }
  const key = await getApiKeyByHash(db, hash);
  if (!key || key.revokedAt) {
    cache.delete(hash);
    throw new AppError("unauthorized", "The API key is not valid or has been revoked");
  }
  await touchApiKey(db, key.id, now);
  if (cache.size > 10_000) cache.clear(); // keys are few; this only bounds memory against floods of distinct valid keys
  cache.set(hash, { tenantId: key.tenantId, apiKeyId: key.id, until: now.getTime() + API_KEY_CACHE_MS, touchedAt: now.getTime() });
  return { tenantId: key.tenantId, apiKeyId: key.id };
}

function forgetApiKey(db: Db, apiKeyId: string): void {
  const cache = cacheOf(db);
  for (const [hash, entry] of cache) if (entry.apiKeyId === apiKeyId) cache.delete(hash);
}

export async function listApiKeysPage(db: Db, { tenantId, cursor, limit }: { tenantId: string } & PageParams) {
  const rows = await listApiKeys(db, { tenantId, cursor: cursor ? decodeCursor(cursor) : undefined, limit });
  return toPage(rows, limit, (r) => ({ at: r.createdAt, id: r.id }));
}

export async function revokeApiKeyById(db: Db, { tenantId, id, now }: { tenantId: string; id: string; now: Date }) {
  const row = await revokeApiKey(db, { tenantId, id, now });
  if (!row) throw notFound("Active API key");
  forgetApiKey(db, id);
  return row;
}
