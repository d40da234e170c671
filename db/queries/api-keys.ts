import { and, eq, isNull, lt, or } from "drizzle-orm";
import type { Db } from "../client";
import { apiKeys } from "../schema";
import { type Cursor, beforeCursor, takeFirstOrNull, newestFirst } from "./keyset";

export const publicApiKeyColumns = {
  id: apiKeys.id,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  createdBy: apiKeys.createdBy,
  lastUsedAt: apiKeys.lastUsedAt,
  revokedAt: apiKeys.revokedAt,
  createdAt: apiKeys.createdAt,
};

export async function insertApiKey(db: Db, values: typeof apiKeys.$inferInsert) {
  const [row] = await db.insert(apiKeys).values(values).onConflictDoNothing({ target: apiKeys.keyHash }).returning(publicApiKeyColumns);
  return row ?? null;
}

export async function getApiKeyByHash(db: Db, keyHash: string) {
  return takeFirstOrNull(
    await db
      .select({ id: apiKeys.id, tenantId: apiKeys.tenantId, revokedAt: apiKeys.revokedAt, lastUsedAt: apiKeys.lastUsedAt })
      .from(apiKeys)
      .where(eq(apiKeys.keyHash, keyHash))
      .limit(1),
  );
}

export async function listApiKeys(db: Db, { tenantId, cursor, limit }: { tenantId: string; cursor?: Cursor; limit: number }) {
  return db
    .select(publicApiKeyColumns)
    .from(apiKeys)
    .where(and(eq(apiKeys.tenantId, tenantId), beforeCursor(apiKeys.createdAt, apiKeys.id, cursor)))
    .orderBy(...newestFirst(apiKeys.createdAt, apiKeys.id))
    .limit(limit + 1);
}

export async function revokeApiKey(db: Db, { tenantId, id, now }: { tenantId: string; id: string; now: Date }) {
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning(publicApiKeyColumns);
  return row ?? null;
}

export async function getApiKeyById(db: Db, { tenantId, id }: { tenantId: string; id: string }) {
  return takeFirstOrNull(
    await db
      .select(publicApiKeyColumns)
      .from(apiKeys)
      .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, id)))
      .limit(1),
  );
}

/** Records use at most once a minute per key, so a busy integration does not write on every request. */
export async function touchApiKey(db: Db, id: string, now: Date) {
  const staleBefore = new Date(now.getTime() - 60_000);
  await db
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(and(eq(apiKeys.id, id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, staleBefore))));
}
