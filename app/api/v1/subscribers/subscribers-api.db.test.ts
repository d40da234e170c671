// GET /api/v1/subscribers(/{id}) after real webhook processing: seeds/000 names, ms timestamps, attribution.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import { eq } from "drizzle-orm";
import { insertTenant } from "@/db/queries";
import { outboundMessages, subscribers } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { createApiKey } from "@/lib/api-keys";
import { sha256Hex } from "@/lib/crypto";
import { createNumber } from "@/lib/numbers/numbers";
import { numberFormSchema } from "@/lib/numbers/schemas";
import { processWebhookEvents } from "@/lib/whatsapp/ingest";
import { storeWebhookEvent } from "@/lib/whatsapp/store";
import { fixtureText } from "@/test/fixtures/webhooks";

const current: { db?: Db } = {};
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<typeof ClientModule>()), getDb: async () => current.db! }));
const list = await import("./route");
const one = await import("./[id]/route");
const exporter = await import("./export/route");

const PNID = "320000000000001"; // the fixtures' Phone Number ID (test/fixtures/webhooks/README.md)
const CLID = "ARAkLmOcT9xQbW2vZr7uYs4nHd1pKe8fJg3tLc6mVa0iBo5wNyEq-Ct_Ad0001zRk"; // meta-referral-ad.json's ctwa_clid
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
    await createNumber(
      t.db,
      { encryptionKey: Buffer.alloc(32, 1).toString("base64"), appUrl: "http://x" },
      {
        tenantId,
        input: numberFormSchema.parse({
          provider: "cloud",
          label: "Fixtures",
          phoneE164: "+15550100001",
          phoneNumberId: PNID,
          wabaId: "310000000000001",
          accessToken: "t",
          appSecret: "s",
        }),
      },
    );
    // Mara Quinn's ad click, then her plain text: one subscriber with two inbound messages
    for (const [i, file] of ["meta-referral-ad.json", "meta-text.json"].entries()) {
      const event = await storeWebhookEvent(t.db, {
        provider: "cloud",
        rawBody: fixtureText(file),
        signatureResult: "valid",
        routedPhoneNumberIds: [PNID],
        tenantId,
      });
      await processWebhookEvents(t.db, { ids: [event.id], now: new Date(Date.UTC(2026, 0, 1, 0, i)) });
    }
    key = (await createApiKey(t.db, { tenantId, name: "k", createdBy: null })).secret;
    otherKey = (await createApiKey(t.db, { tenantId: (await insertTenant(t.db, { name: "Other" })).id, name: "k", createdBy: null })).secret;
  });
  afterAll(() => t.cleanup());

  it("finds a subscriber by phone in any format and returns the seeds/000 fields with attribution", async () => {
    const found = await call(list.GET, key, "http://t/api/v1/subscribers?waPhone=%2B1%20555-014-2001");
    expect(found.status).toBe(200);
    expect(found.json.rows).toHaveLength(1);
    const row = found.json.rows[0];
    expect(row).toMatchObject({ waPhone: "+15550142001", waId: "15550142001", profileName: "Mara Quinn", inboundCount: 2, status: "active", country: "US" });
    expect(row.phoneHash).toBe(sha256Hex("15550142001"));
    expect(typeof row.firstSeenAt).toBe("number");

    const detail = await call(one.GET, key, `http://t/api/v1/subscribers/${row.id}`, row.id);
    expect(detail.status).toBe(200);
    expect(detail.json).toMatchObject({
      ctwaClid: CLID,
      referral: { sourceType: "ad", sourceId: "120210000000000101", sourceUrl: "https://fb.me/ct1Ad0001", headline: "Sail this winter", mediaType: "image" },
      lastTouch: { ctwaClid: CLID },
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

  it("filters the list like the console and pages with a cursor", async () => {
    const [ad] = await t.db.select().from(subscribers).where(eq(subscribers.waPhone, "+15550142001"));
    await t.db.insert(subscribers).values({
      tenantId: ad!.tenantId,
      waPhone: "+14155550100",
      profileName: "Organic Olga",
      firstSeenAt: new Date(Date.UTC(2025, 0, 1)),
      lastInboundAt: new Date(Date.UTC(2025, 0, 2)),
    });
    const ads = await call(list.GET, key, "http://t/api/v1/subscribers?source=ad&clickId=true");
    expect(ads.json.rows.map((r: { waPhone: string }) => r.waPhone)).toEqual(["+15550142001"]);
    const noClick = await call(list.GET, key, "http://t/api/v1/subscribers?clickId=false");
    expect(noClick.json.rows.map((r: { waPhone: string }) => r.waPhone)).toEqual(["+14155550100"]);
    expect((await call(list.GET, key, "http://t/api/v1/subscribers?clickId=yes")).status).toBe(422); // booleans are true/false
    const ofNumber = await call(list.GET, key, `http://t/api/v1/subscribers?numberId=${ad!.numberId}`);
    expect(ofNumber.json.rows.map((r: { waPhone: string }) => r.waPhone)).toEqual(["+15550142001"]); // Olga has no number
    expect(ads.json.rows[0].firstTouch).toMatchObject({ headline: "Sail this winter", sourceType: "ad", ctwaClid: CLID });
    const organic = await call(list.GET, key, "http://t/api/v1/subscribers?source=organic");
    expect(organic.json.rows.map((r: { waPhone: string }) => r.waPhone)).toEqual(["+14155550100"]);
    expect(organic.json.rows[0].firstTouch).toBeNull();
    const first = await call(list.GET, key, "http://t/api/v1/subscribers?limit=1");
    expect(first.json.rows).toHaveLength(1);
    const second = await call(list.GET, key, `http://t/api/v1/subscribers?limit=1&cursor=${first.json.nextCursor}`);
    expect(first.json.rows[0].waPhone).toBe("+15550142001"); // wrote last
    expect(second.json.rows.map((r: { waPhone: string }) => r.waPhone)).toEqual(["+14155550100"]);
    expect(second.json.nextCursor).toBeNull();
    const bad = await call(list.GET, key, "http://t/api/v1/subscribers?source=billboard&from=2026-13-01");
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.json.error.details.fieldErrors).sort()).toEqual(["from", "source"]);
    expect((await call(list.GET, key, "http://t/api/v1/subscribers?q=ab")).status).toBe(422);
  });

  it("PATCH sets lifecycle and tags, blocks (cancelling pending drips) and never opts someone back in", async () => {
    const id = (await call(list.GET, key, "http://t/api/v1/subscribers?waPhone=%2B15550142001")).json.rows[0].id;
    const patch = async (body: unknown, token = key) => {
      const res = await one.PATCH(
        new Request(`http://t/api/v1/subscribers/${id}`, { method: "PATCH", headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(body) }),
        { params: Promise.resolve({ id }) } as never,
      );
      return { status: res.status, json: await res.json() };
    };
    const staged = await patch({ lifecycleState: "customer", tags: ["VIP", " vip ", "course A"] });
    expect(staged.status).toBe(200);
    const [row] = await t.db.select().from(subscribers).where(eq(subscribers.id, id));
    expect(row).toMatchObject({ lifecycleState: "customer", tags: ["VIP", "course A"] });
    expect(row!.lifecycleChangedAt).toBeInstanceOf(Date);

    await t.db
      .insert(outboundMessages)
      .values({ tenantId: row!.tenantId, subscriberId: id, phone: row!.waPhone!, status: "pending", scheduledAt: new Date(), templateName: "day1" } as never);
    expect((await patch({ status: "blocked" })).status).toBe(200);
    const [drip] = await t.db.select().from(outboundMessages).where(eq(outboundMessages.subscriberId, id));
    expect(drip).toMatchObject({ status: "cancelled", errorCode: "blocked" });
    expect((await patch({ status: "active" })).status).toBe(200); // unblock

    expect((await patch({ status: "opted_out" })).status).toBe(200);
    const back = await patch({ status: "active" });
    expect(back.status).toBe(409);
    expect(back.json.error.message).toMatch(/START/);
    expect((await patch({ nickname: "x" })).status).toBe(422);
    expect((await patch({})).status).toBe(422);
    expect((await patch({ tags: ["a,b"] })).status).toBe(422);
    expect((await patch({ lifecycleState: "lead" }, otherKey)).status).toBe(404);
  });

  it("exports the filtered list as a streamed CSV whose rows match the filter", async () => {
    const res = await exporter.GET(
      new Request("http://t/api/v1/subscribers/export?source=ad", { headers: { authorization: `Bearer ${key}` } }),
      undefined as never,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(res.headers.get("content-disposition")).toMatch(/attachment; filename="subscribers-\d{4}-\d{2}-\d{2}\.csv"/);
    const lines = (await res.text()).trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^id,name,wa_phone,/);
    expect(lines.slice(1).map((l) => l.split(",")[2])).toEqual(["+15550142001"]);
    expect(lines[1]).toContain(",ad,Sail this winter,");
    const all = await exporter.GET(new Request("http://t/api/v1/subscribers/export", { headers: { authorization: `Bearer ${key}` } }), undefined as never);
    expect((await all.text()).trimEnd().split("\r\n")).toHaveLength(3); // header + both subscribers
    const bad = await exporter.GET(new Request("http://t/api/v1/subscribers/export?q=ab", { headers: { authorization: `Bearer ${key}` } }), undefined as never);
    expect(bad.status).toBe(422);
  });
});
