// GET /api/v1/subscribers(/{id}) after real webhook processing: seeds/000 names, ms timestamps, attribution.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import { insertTenant } from "@/db/queries";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { createApiKey } from "@/lib/api-keys";
import { sha256Hex } from "@/lib/crypto";
import { createNumber } from "@/lib/numbers/numbers";
import { numberFormSchema } from "@/lib/numbers/schemas";
import { processWebhookEvents } from "@/lib/whatsapp/ingest";
import { storeWebhookEvent } from "@/lib/whatsapp/store";

const current: { db?: Db } = {};
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<typeof ClientModule>()), getDb: async () => current.db! }));
const list = await import("./route");
const one = await import("./[id]/route");

const corpus = (name: string) => readFileSync(path.resolve("../shared/corpus/webhooks", name), "utf8");
type Handler = (req: Request, ctx: never) => Promise<Response>;
const call = async (handler: Handler, token: string, url: string, id = "") => {
  const res = await handler(new Request(url, { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({ id }) } as never);
  return { status: res.status, json: await res.json() };
};

describe.each(testDrivers)("/api/v1/subscribers (%s)", (kind) => {
  let t: TestDb;
  let key = "";
  let otherKey = "";
  beforeAll(async () => {
    t = await createTestDb(kind);
    current.db = t.db;
    const tenantId = (await insertTenant(t.db, { name: "Subs" })).id;
    await createNumber(t.db, { encryptionKey: Buffer.alloc(32, 1).toString("base64"), appUrl: "http://x" }, {
      tenantId,
      input: numberFormSchema.parse({ provider: "cloud", label: "Docs", phoneE164: "+15550783881", phoneNumberId: "106540352242922", wabaId: "102290129340398", accessToken: "t", appSecret: "s" }),
    });
    for (const [i, file] of ["meta-referral-ad-01.json", "meta-text-01.json"].entries()) {
      const event = await storeWebhookEvent(t.db, { provider: "cloud", rawBody: corpus(file), signatureResult: "valid", routedPhoneNumberIds: ["106540352242922"], tenantId });
      await processWebhookEvents(t.db, { ids: [event.id], now: new Date(Date.UTC(2026, 0, 1, 0, i)) });
    }
    key = (await createApiKey(t.db, { tenantId, name: "k", createdBy: null })).secret;
    otherKey = (await createApiKey(t.db, { tenantId: (await insertTenant(t.db, { name: "Other" })).id, name: "k", createdBy: null })).secret;
  });
  afterAll(() => t.cleanup());

  it("finds a subscriber by phone in any format and returns the seeds/000 fields with attribution", async () => {
    const found = await call(list.GET, key, "http://t/api/v1/subscribers?waPhone=%2B1%20650-555-1234");
    expect(found.status).toBe(200);
    expect(found.json.rows).toHaveLength(1);
    const row = found.json.rows[0];
    expect(row).toMatchObject({ waPhone: "+16505551234", waId: "16505551234", profileName: "Sheena Nelson", inboundCount: 2, status: "active", country: "US" });
    expect(row.phoneHash).toBe(sha256Hex("16505551234"));
    expect(typeof row.firstSeenAt).toBe("number");

    const detail = await call(one.GET, key, `http://t/api/v1/subscribers/${row.id}`, row.id);
    expect(detail.status).toBe(200);
    expect(detail.json).toMatchObject({
      ctwaClid: expect.stringMatching(/^Aff-n8ZTODiE79d22/),
      referral: { sourceType: "ad", sourceId: "120226305854810726", sourceUrl: "https://fb.me/3cr4Wqqkv", headline: "Chat with us", mediaType: "image" },
      lastTouch: { ctwaClid: expect.stringMatching(/^Aff-/) },
    });
    expect(detail.json.conversations.length).toBeGreaterThanOrEqual(1);
    expect(detail.json.conversations[0]).toMatchObject({ startedAt: expect.any(Number), windowExpiresAt: expect.any(Number) });
  });

  it("validates the phone, keeps tenants apart and answers 404 for unknown ids", async () => {
    const bad = await call(list.GET, key, "http://t/api/v1/subscribers?waPhone=12");
    expect(bad.status).toBe(422);
    expect(bad.json.error.details.fieldErrors.waPhone[0]).toMatch(/country code/);
    const mine = await call(list.GET, key, "http://t/api/v1/subscribers");
    const id = mine.json.rows[0].id;
    expect((await call(list.GET, otherKey, "http://t/api/v1/subscribers")).json.rows).toEqual([]);
    expect((await call(one.GET, otherKey, `http://t/api/v1/subscribers/${id}`, id)).status).toBe(404);
    expect((await call(one.GET, key, "http://t/api/v1/subscribers/nope", "nope")).status).toBe(404);
  });
});
