// /api/v1/webhook-events: the real handlers on a test database (only getDb is swapped), events stored the way
// the webhook routes store them.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import { getSubscriberByWaPhone, insertTenant } from "@/db/queries";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { createApiKey } from "@/lib/api-keys";
import { setEnvForTests } from "@/lib/env";
import { createNumber } from "@/lib/numbers/numbers";
import { numberFormSchema } from "@/lib/numbers/schemas";
import { type StoreWebhookEventInput, storeWebhookEvent } from "@/lib/whatsapp/store";
import { signMetaBody } from "@/lib/whatsapp/signature";
import { fixtureText } from "@/test/fixtures/webhooks";

const current: { db?: Db } = {};
vi.mock("@/db/client", async (importOriginal) => ({
  ...(await importOriginal<typeof ClientModule>()),
  getDb: async () => current.db!,
}));

const list = await import("./route");
const one = await import("./[id]/route");
const replay = await import("./[id]/replay/route");

type Handler = (req: Request, ctx: never) => Promise<Response>;
const call = async (handler: Handler, opts: { method?: string; token: string; id?: string; query?: string }) => {
  const res = await handler(
    new Request(`http://test.local/api/v1/webhook-events${opts.query ? `?${opts.query}` : ""}`, {
      method: opts.method ?? "GET",
      headers: { authorization: `Bearer ${opts.token}` },
    }),
    { params: Promise.resolve({ id: opts.id ?? "" }) } as never,
  );
  return { status: res.status, json: await res.json() };
};

const keys = { encryptionKey: Buffer.alloc(32, 5).toString("base64"), appUrl: "https://clicktrail.example.com" };
const T0 = new Date("2030-05-01T10:00:00.000Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
type Listed = { id: string; status: string; provider: string; receivedAt: string; summary: string; number: { label: string } | null };

describe.each(testDrivers)("/api/v1/webhook-events (%s)", (kind) => {
  let t: TestDb;
  let restoreEnv = () => {};
  let key = "";
  let otherKey = "";
  let tenantId = "";
  let cloudNumberId = "";
  let gupshupNumberId = "";
  const pnid = "320000000000001"; // the fixtures' Phone Number ID (test/fixtures/webhooks/README.md)
  const textBody = fixtureText("meta-text.json");
  const ids: Record<string, string> = {};
  let total = 0;

  const store = async (name: string, input: Partial<StoreWebhookEventInput> & { receivedAt: Date }) => {
    const row = await storeWebhookEvent(t.db, { provider: "cloud", rawBody: textBody, signatureResult: "valid", tenantId, numberId: cloudNumberId, ...input });
    ids[name] = row.id;
    if (row.tenantId === tenantId) total += 1;
    return row;
  };

  beforeAll(async () => {
    t = await createTestDb(kind);
    current.db = t.db;
    restoreEnv = setEnvForTests({ ENCRYPTION_KEY: keys.encryptionKey, APP_URL: keys.appUrl });
    tenantId = (await insertTenant(t.db, { name: "Webhook events" })).id;
    key = (await createApiKey(t.db, { tenantId, name: "k", createdBy: null })).secret;
    otherKey = (await createApiKey(t.db, { tenantId: (await insertTenant(t.db, { name: "Other" })).id, name: "k", createdBy: null })).secret;
    const cloudInput = {
      provider: "cloud",
      label: "Main line",
      phoneE164: "+1 555-010-0001",
      phoneNumberId: pnid,
      wabaId: "310000000000001",
      accessToken: "EAAG-token-1a2b",
      appSecret: "app-secret-3c4d",
    };
    cloudNumberId = (await createNumber(t.db, keys, { tenantId, input: numberFormSchema.parse(cloudInput) })).id;
    const gupshupInput = { provider: "gupshup", label: "Gupshup line", phoneE164: "+57 312 345 6789", gupshupAppName: "DemoAPI", gupshupApiKey: "gs-key-5e6f" };
    gupshupNumberId = (await createNumber(t.db, keys, { tenantId, input: numberFormSchema.parse(gupshupInput) })).id;

    const headers = {
      "content-type": "application/json",
      "x-hub-signature-256": signMetaBody(textBody, "app-secret-3c4d"),
      "user-agent": "facebookexternalua",
    };
    await store("processed1", { receivedAt: at(1), status: "processed", headers });
    await store("processed2", { receivedAt: at(2), status: "processed", rawBody: fixtureText("meta-status-delivered.json") });
    await store("tieA", { receivedAt: at(3), status: "processed" }); // two events in the same millisecond: the id breaks the tie
    await store("tieB", { receivedAt: at(3), status: "processed" });
    await store("gupshup", {
      receivedAt: at(4),
      provider: "gupshup",
      numberId: gupshupNumberId,
      signatureResult: "not_required",
      status: "processed",
      rawBody: fixtureText("gupshup-message-event-delivered.json"),
    });
    await store("failed", { receivedAt: at(5), status: "failed", error: "connection terminated unexpectedly" });
    await store("poison", { receivedAt: at(6), status: "failed", error: "not a WhatsApp Business Account webhook", rawBody: '{"object":"page","entry":[]}' });
    await store("rejected", { receivedAt: at(7), status: "rejected", signatureResult: "invalid", error: "X-Hub-Signature-256 does not match" });
    await store("notJson", { receivedAt: at(8), status: "rejected", signatureResult: "missing", error: "The body is not JSON", rawBody: "hello=1&x" });
    await store("unowned", {
      receivedAt: at(9),
      tenantId: null,
      numberId: null,
      status: "unrouted",
      signatureResult: "unverified",
      routedPhoneNumberIds: ["999000111222333"],
    });
  });
  afterAll(async () => {
    restoreEnv();
    await t.cleanup();
  });

  it("lists the tenant's events newest first, with a summary and no raw bodies", async () => {
    const res = await call(list.GET, { token: key });
    expect(res.status).toBe(200);
    const rows = res.json.rows as Listed[];
    expect(rows).toHaveLength(total);
    expect(res.json.nextCursor).toBeNull();
    expect(rows[0]!.id).toBe(ids.notJson);
    expect(rows.map((r) => r.id)).not.toContain(ids.unowned); // no tenant owns it yet: listed to nobody
    const times = rows.map((r) => Date.parse(r.receivedAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const text = JSON.stringify(res.json);
    expect(text).not.toContain("Do you ship to Lisbon?");
    expect(rows[0]).not.toHaveProperty("rawBody");
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(ids.processed1!)).toMatchObject({
      provider: "cloud",
      status: "processed",
      signatureResult: "valid",
      number: { label: "Main line", phoneE164: "+15550100001" },
      summary: expect.stringMatching(/^messages · \d+(\.\d)? (B|KB)$/),
    });
    expect(byId.get(ids.processed2!)!.summary).toMatch(/^statuses · /);
    expect(byId.get(ids.gupshup!)).toMatchObject({
      provider: "gupshup",
      number: { label: "Gupshup line" },
      summary: expect.stringMatching(/^delivery status · /),
    });
    expect(byId.get(ids.notJson!)!.summary).toMatch(/^unrecognised body · 9 B$/);
  });

  it("filters by status, provider and number", async () => {
    const idsOf = async (query: string) => {
      const res = await call(list.GET, { token: key, query });
      expect(res.status).toBe(200);
      return (res.json.rows as Listed[]).map((r) => r.id);
    };
    expect(await idsOf("status=failed")).toEqual([ids.poison, ids.failed]);
    expect(await idsOf("status=rejected")).toEqual([ids.notJson, ids.rejected]);
    expect(await idsOf("status=unrouted")).toEqual([]);
    expect(await idsOf("provider=gupshup")).toEqual([ids.gupshup]);
    expect(await idsOf(`numberId=${gupshupNumberId}`)).toEqual([ids.gupshup]);
    expect((await idsOf("status=processed&provider=cloud")).sort()).toEqual([ids.processed1, ids.processed2, ids.tieA, ids.tieB].sort());
    expect(await idsOf("status=&provider=")).toHaveLength(total); // empty means "any"
  });

  it("pages with keyset cursors: every event exactly once, in order", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await call(list.GET, { token: key, query: `limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}` });
      expect(res.status).toBe(200);
      expect(res.json.rows.length).toBeLessThanOrEqual(3);
      seen.push(...(res.json.rows as Listed[]).map((r) => r.id));
      cursor = res.json.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(Math.ceil(total / 3));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(((await call(list.GET, { token: key })).json.rows as Listed[]).map((r) => r.id));
  });

  it("refuses invalid filters with 422 and a bad cursor with 422 invalid_cursor", async () => {
    for (const query of ["status=bogus", "provider=twilio", "numberId=not-a-uuid", "limit=0", "limit=201", "limit=abc", "status=failed&status=rejected"]) {
      const res = await call(list.GET, { token: key, query });
      expect(res.status, query).toBe(422);
      expect(res.json.error.code).toBe("unprocessable");
    }
    expect((await call(list.GET, { token: key, query: "status=bogus" })).json.error.details.fieldErrors.status).toBeDefined();
    expect(await call(list.GET, { token: key, query: "cursor=garbage" })).toMatchObject({ status: 422, json: { error: { code: "invalid_cursor" } } });
  });

  it("shows one event with its raw body, a pretty copy, headers and the parsed items", async () => {
    const res = await call(one.GET, { token: key, id: ids.processed1 });
    expect(res.status).toBe(200);
    expect(res.json.rawBody).toBe(textBody);
    expect(res.json.prettyBody).toBe(JSON.stringify(JSON.parse(textBody), null, 2));
    expect(res.json.headers).toMatchObject({ "x-hub-signature-256": expect.stringMatching(/^sha256=[0-9a-f]{64}$/), "user-agent": "facebookexternalua" });
    expect(res.json).toMatchObject({
      status: "processed",
      replayable: true,
      parseError: null,
      number: { id: cloudNumberId, label: "Main line" },
      summary: expect.stringMatching(/^1 message · /),
    });
    expect(res.json.items).toEqual([
      {
        kind: "message",
        type: "text",
        wamid: "wamid.CT-TEXT-0001",
        from: "15550142001",
        status: null,
        textPreview: "Hi! Do you ship to Lisbon?",
        phoneNumberId: pnid,
      },
    ]);
    const status = await call(one.GET, { token: key, id: ids.processed2 });
    expect(status.json.items[0]).toMatchObject({ kind: "status", status: "delivered", wamid: "wamid.CT-OUT-0001", from: "15550142001" });
    const gupshup = await call(one.GET, { token: key, id: ids.gupshup });
    expect(gupshup.json.items[0]).toMatchObject({ kind: "status", status: "delivered", from: "15550142101" });
    const notJson = await call(one.GET, { token: key, id: ids.notJson });
    expect(notJson.json).toMatchObject({ rawBody: "hello=1&x", prettyBody: null, items: [], parseError: "The body is not JSON", replayable: false });
    const poison = await call(one.GET, { token: key, id: ids.poison });
    expect(poison.json).toMatchObject({ items: [], parseError: expect.stringMatching(/not a WhatsApp Business Account webhook/) });
    expect((await call(one.GET, { token: key, id: "not-a-uuid" })).status).toBe(404);
  });

  it("keeps other tenants out, and events no tenant owns away from everyone", async () => {
    expect((await call(list.GET, { token: otherKey })).json).toEqual({ rows: [], nextCursor: null });
    expect((await call(list.GET, { token: otherKey, query: `numberId=${cloudNumberId}` })).json.rows).toEqual([]);
    for (const id of [ids.processed1, ids.failed]) {
      expect((await call(one.GET, { token: otherKey, id })).status).toBe(404);
      expect((await call(replay.POST, { method: "POST", token: otherKey, id })).status).toBe(404);
    }
    expect((await call(one.GET, { token: key, id: ids.unowned })).status).toBe(404);
    expect((await call(replay.POST, { method: "POST", token: key, id: ids.unowned })).status).toBe(404);
    expect((await call(one.GET, { token: otherKey, id: ids.unowned })).status).toBe(404);
  });

  it("replays a failed event into a processed one", async () => {
    const res = await call(replay.POST, { method: "POST", token: key, id: ids.failed });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ id: ids.failed, status: "processed", error: null });
    expect(await getSubscriberByWaPhone(t.db, { tenantId, waPhone: "+15550142001" })).toMatchObject({ profileName: "Mara Quinn", inboundCount: 1 });
    const after = await call(one.GET, { token: key, id: ids.failed });
    expect(after.json).toMatchObject({ status: "processed", error: null, attempts: 1, processedAt: expect.any(String) });
    expect((await call(list.GET, { token: key, query: "status=failed" })).json.rows.map((r: Listed) => r.id)).toEqual([ids.poison]);
    const again = await call(replay.POST, { method: "POST", token: key, id: ids.failed }); // idempotent
    expect(again.json).toEqual({ id: ids.failed, status: "processed", error: null });
  });

  it("reports a replay that fails again, and refuses rejected events with 409", async () => {
    const poison = await call(replay.POST, { method: "POST", token: key, id: ids.poison });
    expect(poison.status).toBe(200);
    expect(poison.json).toMatchObject({ id: ids.poison, status: "failed", error: expect.stringMatching(/not a WhatsApp Business Account webhook/) });
    const rejected = await call(replay.POST, { method: "POST", token: key, id: ids.rejected });
    expect(rejected.status).toBe(409);
    expect(rejected.json.error).toMatchObject({ code: "conflict", message: expect.stringMatching(/signature/) });
    expect((await call(one.GET, { token: key, id: ids.rejected })).json).toMatchObject({ status: "rejected", attempts: 0 });
    expect((await call(replay.POST, { method: "POST", token: key, id: "00000000-0000-4000-8000-000000000000" })).status).toBe(404);
  });
});
