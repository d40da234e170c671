import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "@/db/migrations-info";
import { getApiKeyById, insertApiKey, insertTenant } from "@/db/queries";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { API_KEY_CACHE_MS, authenticateApiKey, createApiKey, ensureBootstrapApiKey, listApiKeysPage, revokeApiKeyById } from "./api-keys";
import { sha256Hex } from "./crypto";

const now = new Date("2026-06-01T12:00:00Z");

describe.each(testDrivers)("API keys (%s)", (kind) => {
  let t: TestDb;
  let tenantId: string;
  beforeAll(async () => {
    t = await createTestDb(kind);
    tenantId = (await insertTenant(t.db, { name: "Keys" })).id;
  });
  afterAll(() => t.cleanup());

  it("shows the key once and stores only its hash and prefix", async () => {
    const { apiKey, secret } = await createApiKey(t.db, { tenantId, name: "CRM", createdBy: null });
    expect(secret).toMatch(/^ck_[A-Za-z0-9_-]{43}$/);
    expect(apiKey.prefix).toBe(secret.slice(0, 11));
    expect(apiKey).not.toHaveProperty("keyHash");
    const [stored] = rowsOf<{ key_hash: string }>(await t.db.execute(sql`select key_hash from api_keys where id = ${apiKey.id}`));
    expect(stored?.key_hash).toBe(sha256Hex(secret));
    expect(JSON.stringify(stored)).not.toContain(secret);
  });

  it("authenticates, records the last use, and refuses once revoked", async () => {
    const { apiKey, secret } = await createApiKey(t.db, { tenantId, name: "Website", createdBy: null });
    expect(await authenticateApiKey(t.db, { secret, now })).toEqual({ tenantId, apiKeyId: apiKey.id });
    expect((await getApiKeyById(t.db, { tenantId, id: apiKey.id }))?.lastUsedAt).toEqual(now);
    await revokeApiKeyById(t.db, { tenantId, id: apiKey.id, now });
    await expect(authenticateApiKey(t.db, { secret, now })).rejects.toMatchObject({ code: "unauthorized" });
    await expect(authenticateApiKey(t.db, { secret: `${secret}x`, now })).rejects.toMatchObject({ code: "unauthorized" });
    await expect(revokeApiKeyById(t.db, { tenantId, id: apiKey.id, now })).rejects.toMatchObject({ code: "not_found" });
  });

  it("remembers a valid key for a few seconds: a revocation in another process counts after that, last use is still kept to the minute", async () => {
    const { apiKey, secret } = await createApiKey(t.db, { tenantId, name: "Busy shop", createdBy: null });
    const at = (ms: number) => new Date(now.getTime() + ms);
    await authenticateApiKey(t.db, { secret, now: at(0) });
    // revoked by another process (straight in the database, so this process's cache does not know)
    await t.db.execute(sql`update api_keys set revoked_at = now() where id = ${apiKey.id}`);
    expect(await authenticateApiKey(t.db, { secret, now: at(API_KEY_CACHE_MS - 1) })).toEqual({ tenantId, apiKeyId: apiKey.id });
    await expect(authenticateApiKey(t.db, { secret, now: at(API_KEY_CACHE_MS) })).rejects.toMatchObject({ code: "unauthorized" });

    const busy = await createApiKey(t.db, { tenantId, name: "Busier shop", createdBy: null });
    for (const s of [0, 1_000, 2_000]) await authenticateApiKey(t.db, { secret: busy.secret, now: at(s) });
    expect((await getApiKeyById(t.db, { tenantId, id: busy.apiKey.id }))?.lastUsedAt).toEqual(at(0));
  });

  it("registers BOOTSTRAP_API_KEY once with that exact value", async () => {
    const secret = "bootstrap-key-for-tests-0123456789";
    expect(await ensureBootstrapApiKey(t.db, { tenantId, secret })).toEqual({ created: true });
    expect(await ensureBootstrapApiKey(t.db, { tenantId, secret })).toEqual({ created: false });
    expect((await authenticateApiKey(t.db, { secret, now })).tenantId).toBe(tenantId);
  });

  it("pages through keys newest first without gaps or repeats, ties broken by id", async () => {
    const other = (await insertTenant(t.db, { name: "Paging" })).id;
    const same = new Date("2026-05-01T00:00:00Z"); // four keys share one timestamp: the id decides
    const stamps = [same, same, same, same, new Date("2026-05-02T00:00:00Z"), new Date("2026-04-30T00:00:00Z"), same];
    for (const [i, createdAt] of stamps.entries()) {
      await insertApiKey(t.db, { tenantId: other, name: `k${i}`, prefix: "ck_x", keyHash: `hash-${other}-${i}`, createdAt });
    }
    const all = (await listApiKeysPage(t.db, { tenantId: other, limit: 100 })).rows;
    const expected = [...all].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1));
    expect(all.map((r) => r.id)).toEqual(expected.map((r) => r.id));
    for (const limit of [1, 2, 3]) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await listApiKeysPage(t.db, { tenantId: other, limit, cursor });
        seen.push(...page.rows.map((r) => r.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(expected.map((r) => r.id));
    }
  });
});
