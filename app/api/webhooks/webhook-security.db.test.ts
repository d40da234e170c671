// Attacks on the webhook route, on a test database (only getDb is pointed at it) and a fake Graph API on loopback:
// forged deliveries signed with another workspace's secret, a delivery shared by two workspaces, a bogus claim
// of another business's Phone Number ID, an endless chunked body, byte-exact BOM / invalid UTF-8 bodies and a
// flood of bad signatures.
import { createHash } from "node:crypto";
import { and, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import { insertTenant } from "@/db/queries";
import { messages, subscribers, webhookEvents, whatsappNumbers } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { type FakeGraph, startFakeGraph } from "@/e2e/fakes/fake-graph";
import { setEnvForTests } from "@/lib/env";
import { runScheduledWork } from "@/lib/scheduler";
import { connectNumber, recheckNumber } from "@/lib/numbers/connect";
import { numberFormSchema } from "@/lib/numbers/schemas";
import { getWebhookEventDetail } from "@/lib/webhook-events/list";
import { kickWebhookProcessing } from "@/lib/whatsapp/processing-loop";
import { forgetWebhookRouting, UNROUTED_HOURLY_LIMIT } from "@/lib/whatsapp/receive";
import { pruneWebhookEvents } from "@/lib/whatsapp/retention";
import { signMetaBody } from "@/lib/whatsapp/signature";
import { storedBodyBytes } from "@/lib/whatsapp/store";
import { fixtureText } from "@/test/fixtures/webhooks";

const current: { db?: Db } = {};
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<typeof ClientModule>()), getDb: async () => current.db! }));

const meta = await import("./whatsapp/route");

const KEY = Buffer.alloc(32, 12).toString("base64");
const FIXTURE_PNID = "320000000000001";
const FIXTURE_WABA = "310000000000001";
const MIB = 1024 * 1024;
const sha256 = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

type Party = { tenantId: string; pnid: string; waba: string; phone: string; secret: string; token: string };

/** A fixture re-addressed to one party's number (and, for the sender, a customer of its own). */
const textFor = (p: Party, name = "meta-text.json", extra: Record<string, string> = {}) =>
  fixtureText(name, { [FIXTURE_PNID]: p.pnid, [FIXTURE_WABA]: p.waba, "15550100001": p.phone.slice(1), ...extra });
/** One body whose entries are those of several bodies. */
const merge = (...bodies: string[]) =>
  JSON.stringify({ object: "whatsapp_business_account", entry: bodies.flatMap((b) => (JSON.parse(b) as { entry: unknown[] }).entry) });

const post = (body: BodyInit, headers: Record<string, string> = {}, init: RequestInit & { duplex?: "half" } = {}) =>
  meta.POST(
    new Request("http://test.local/api/webhooks/whatsapp", { method: "POST", body, headers: { "content-type": "application/json", ...headers }, ...init }),
  );
const signed = (body: string | Buffer, secret: string) =>
  post(typeof body === "string" ? body : new Uint8Array(body), { "x-hub-signature-256": signMetaBody(body, secret) });

describe.each(testDrivers)("webhook attacks (%s)", (kind) => {
  let t: TestDb;
  let graph: FakeGraph;
  let restoreEnv = () => {};
  const parties: Record<"a" | "b" | "shared1" | "shared2", Party> = {} as never;
  const deps = () => ({
    keys: { encryptionKey: KEY, appUrl: "http://localhost:3000" },
    connection: { encryptionKey: KEY, graph: { base: graph.url, version: "v24.0", timeoutMs: 2000 }, now: () => new Date() },
  });

  async function connect(p: Party, opts: { token?: string } = {}) {
    return connectNumber(t.db, deps(), {
      tenantId: p.tenantId,
      input: numberFormSchema.parse({
        provider: "cloud",
        label: `N ${p.pnid}`,
        phoneE164: p.phone,
        phoneNumberId: p.pnid,
        wabaId: p.waba,
        accessToken: opts.token ?? p.token,
        appSecret: p.secret,
      }),
    });
  }

  function party(n: number, tenantId: string, secret: string): Party {
    const p = { tenantId, pnid: `33000000000000${n}`, waba: `34000000000000${n}`, phone: `+1555020000${n}`, secret, token: `token-${n}` };
    graph.addPhoneNumber({ id: p.pnid, token: p.token, display_phone_number: p.phone.slice(1), verified_name: `Business ${n}` });
    return p;
  }

  const eventsOf = (tenantId: string) => t.db.select().from(webhookEvents).where(eq(webhookEvents.tenantId, tenantId)).orderBy(webhookEvents.receivedAt);
  const wamidsOf = async (tenantId: string) => (await t.db.select({ w: messages.wamid }).from(messages).where(eq(messages.tenantId, tenantId))).map((r) => r.w);

  beforeAll(async () => {
    t = await createTestDb(kind);
    current.db = t.db;
    forgetWebhookRouting();
    graph = await startFakeGraph();
    restoreEnv = setEnvForTests({ ENCRYPTION_KEY: KEY, META_APP_SECRET: "" });
    const tenantA = (await insertTenant(t.db, { name: "A" })).id;
    const tenantB = (await insertTenant(t.db, { name: "B" })).id;
    parties.a = party(1, tenantA, "secret-of-a-0000000000000000000");
    parties.b = party(2, tenantB, "secret-of-b-0000000000000000000");
    // one Meta app (a BSP's) serving a number in each workspace: its deliveries may name both
    parties.shared1 = party(3, tenantA, "shared-app-secret-000000000000");
    parties.shared2 = party(4, tenantB, "shared-app-secret-000000000000");
    for (const p of Object.values(parties)) expect((await connect(p)).check?.status).toBe("connected");
  });
  afterAll(async () => {
    restoreEnv();
    await graph.close();
    await t.cleanup();
  });

  it("refuses A's Phone Number ID in a body signed with B's secret: nothing reaches A, the refusal is recorded", async () => {
    const { a, b } = parties;
    const before = (await eventsOf(a.tenantId)).length;
    // B's own genuine change plus a forged STOP from A's customer, signed with B's app secret
    const forged = merge(
      textFor(b, "meta-text.json", { "wamid.CT-TEXT-0001": "wamid.B-OWN-1" }),
      textFor(a, "meta-text-stop-ru.json", { "wamid.CT-STOP-0001": "wamid.FORGED-STOP" }),
    );
    const res = await signed(forged, b.secret);
    expect(res.status).toBe(200);
    await kickWebhookProcessing(t.db);
    expect(await wamidsOf(a.tenantId)).not.toContain("wamid.FORGED-STOP");
    expect((await eventsOf(a.tenantId)).length).toBe(before);
    const [bRow] = await t.db
      .select()
      .from(webhookEvents)
      .where(eq(webhookEvents.bodySha256, sha256(forged)));
    expect(bRow).toMatchObject({
      tenantId: b.tenantId,
      status: "processed",
      rawBodyKind: "tenant_copy",
      refusedPhoneNumberIds: [a.pnid],
      verifiedPhoneNumberIds: [b.pnid],
    });
    expect(bRow!.rawBody).not.toContain(a.pnid);
    expect(await wamidsOf(b.tenantId)).toContain("wamid.B-OWN-1");

    // a WABA-level change for A's WABA (account disabled) beside B's own change, signed by B: A's number is untouched
    const wabaForged = merge(
      textFor(b, "meta-text.json", { "wamid.CT-TEXT-0001": "wamid.B-OWN-2" }),
      fixtureText("meta-account-update-disabled.json", { [FIXTURE_WABA]: a.waba }),
    );
    expect((await signed(wabaForged, b.secret)).status).toBe(200);
    await kickWebhookProcessing(t.db);
    const [aNumber] = await t.db.select().from(whatsappNumbers).where(eq(whatsappNumbers.phoneNumberId, a.pnid));
    expect(aNumber).toMatchObject({ connectionStatus: "connected", lastError: null });
    const [wabaRow] = await t.db
      .select()
      .from(webhookEvents)
      .where(eq(webhookEvents.bodySha256, sha256(wabaForged)));
    expect(wabaRow).toMatchObject({ tenantId: b.tenantId, rawBodyKind: "tenant_copy", refusedPhoneNumberIds: [a.pnid] });

    // only A's number named, signed by B: refused outright, and kept as refused
    const alone = textFor(a, "meta-text-stop-ru.json", { "wamid.CT-STOP-0001": "wamid.FORGED-STOP-2" });
    expect((await signed(alone, b.secret)).status).toBe(401);
    const [refused] = await t.db
      .select()
      .from(webhookEvents)
      .where(eq(webhookEvents.bodySha256, sha256(alone)));
    expect(refused).toMatchObject({ status: "rejected", signatureResult: "invalid", refusedPhoneNumberIds: [a.pnid] });
    await kickWebhookProcessing(t.db);
    expect(await wamidsOf(a.tenantId)).not.toContain("wamid.FORGED-STOP-2");
    const [optedOut] = await t.db
      .select()
      .from(subscribers)
      .where(and(eq(subscribers.tenantId, a.tenantId), eq(subscribers.status, "opted_out")));
    expect(optedOut).toBeUndefined();
  });

  it("splits a genuine delivery naming two workspaces' numbers: each sees only its own messages", async () => {
    const { shared1, shared2 } = parties;
    const one = textFor(shared1, "meta-text.json", { "wamid.CT-TEXT-0001": "wamid.SPLIT-A", "Do you ship to Lisbon?": "A's customer asks about Lisbon" });
    const two = textFor(shared2, "meta-text.json", {
      "wamid.CT-TEXT-0001": "wamid.SPLIT-B",
      "15550142001": "15550142999",
      "Do you ship to Lisbon?": "B's customer asks about Porto",
    });
    const delivery = merge(one, two);
    const res = await signed(delivery, shared1.secret);
    expect(res.status).toBe(200);
    await kickWebhookProcessing(t.db);
    const rows = await t.db
      .select()
      .from(webhookEvents)
      .where(eq(webhookEvents.bodySha256, sha256(delivery)));
    expect(rows.map((r) => r.tenantId).sort()).toEqual([shared1.tenantId, shared2.tenantId].sort());
    for (const row of rows) {
      const mine = row.tenantId === shared1.tenantId;
      expect(row).toMatchObject({
        status: "processed",
        rawBodyKind: "tenant_copy",
        refusedPhoneNumberIds: [],
        verifiedPhoneNumberIds: [mine ? shared1.pnid : shared2.pnid],
      });
      const detail = await getWebhookEventDetail(t.db, { tenantId: row.tenantId!, id: row.id });
      const shown = JSON.stringify(detail);
      expect(shown).toContain(mine ? "Lisbon" : "Porto");
      expect(shown).not.toContain(mine ? "Porto" : "Lisbon");
      expect(shown).not.toContain(mine ? "wamid.SPLIT-B" : "wamid.SPLIT-A");
      // a workspace cannot open the other's copy
      await expect(getWebhookEventDetail(t.db, { tenantId: mine ? shared2.tenantId : shared1.tenantId, id: row.id })).rejects.toMatchObject({
        code: "not_found",
      });
    }
    expect(await wamidsOf(shared1.tenantId)).toContain("wamid.SPLIT-A");
    expect(await wamidsOf(shared1.tenantId)).not.toContain("wamid.SPLIT-B");
    expect(await wamidsOf(shared2.tenantId)).toContain("wamid.SPLIT-B");
    expect(await wamidsOf(shared2.tenantId)).not.toContain("wamid.SPLIT-A");
  });

  it("refuses a bogus-token claim of a proven Phone Number ID, and an unproven claim gets no webhooks", async () => {
    const { a, b } = parties;
    // B claims A's proven id with a token of its own
    await expect(connect({ ...a, tenantId: b.tenantId, phone: "+15550209999", token: "bogus" })).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringContaining("verified in another workspace"),
    });

    // an id nobody has proven: an attacker claims it first with a bogus token; its webhooks wait for the owner
    const late: Party = {
      ...a,
      pnid: "330000000000009",
      waba: "340000000000009",
      phone: "+15550200009",
      token: "owner-token",
      secret: "owner-secret-000000000000000000",
    };
    graph.addPhoneNumber({ id: late.pnid, token: late.token, display_phone_number: late.phone.slice(1), verified_name: "Owner" });
    const attacker = await connect({ ...late, tenantId: b.tenantId, token: "bogus-token", secret: "attacker-secret-0000000000000000" });
    expect(attacker.check?.status).toBe("error");
    const waiting = textFor(late, "meta-text.json", { "wamid.CT-TEXT-0001": "wamid.LATE-1" });
    expect((await signed(waiting, late.secret)).status).toBe(200);
    const forged = textFor(late, "meta-text.json", { "wamid.CT-TEXT-0001": "wamid.LATE-FORGED" });
    expect((await signed(forged, "attacker-secret-0000000000000000")).status).toBe(200); // unrouted: nobody proved the id yet
    await kickWebhookProcessing(t.db);
    expect(await wamidsOf(b.tenantId)).not.toContain("wamid.LATE-1");
    const [unrouted] = await t.db
      .select()
      .from(webhookEvents)
      .where(eq(webhookEvents.bodySha256, sha256(waiting)));
    expect(unrouted).toMatchObject({ status: "unrouted", tenantId: null, signatureResult: "unverified" });

    // the owner proves it: it adopts what waited (checked with its own secret), the attacker keeps nothing
    expect((await connect(late)).check?.status).toBe("connected");
    expect(await wamidsOf(a.tenantId)).toContain("wamid.LATE-1");
    expect(await wamidsOf(a.tenantId)).not.toContain("wamid.LATE-FORGED");
    expect(await wamidsOf(b.tenantId)).not.toContain("wamid.LATE-1");
    const [forgedRow] = await t.db
      .select()
      .from(webhookEvents)
      .where(eq(webhookEvents.bodySha256, sha256(forged)));
    expect(forgedRow).toMatchObject({ status: "rejected", signatureResult: "invalid", refusedPhoneNumberIds: [late.pnid] });
    const next = textFor(late, "meta-text.json", { "wamid.CT-TEXT-0001": "wamid.LATE-2" });
    expect((await signed(next, late.secret)).status).toBe(200);
    await kickWebhookProcessing(t.db);
    expect(await wamidsOf(a.tenantId)).toContain("wamid.LATE-2");
    expect(await wamidsOf(b.tenantId)).not.toContain("wamid.LATE-2");
    const claims = await t.db.select().from(whatsappNumbers).where(eq(whatsappNumbers.phoneNumberId, late.pnid));
    expect(claims.map((c) => [c.tenantId === a.tenantId, c.phoneNumberIdProvenAt !== null]).sort()).toEqual([
      [false, false],
      [true, true],
    ]);
  });

  it("lets only the first workspace whose token passes the check prove an id; the second check is refused", async () => {
    const { a, b } = parties;
    const contested: Party = {
      ...a,
      pnid: "330000000000008",
      waba: "340000000000008",
      phone: "+15550200008",
      token: "bsp-token",
      secret: "contested-secret-00000000000000",
    };
    graph.addPhoneNumber({ id: contested.pnid, token: contested.token, display_phone_number: contested.phone.slice(1) });
    const bDeps = { ...deps(), connection: { ...deps().connection, graph: { base: "http://127.0.0.1:9", version: "v24.0", timeoutMs: 300 } } };
    // B enters the id while Graph cannot be reached (unproven), then A proves it
    const bClaim = await connectNumber(t.db, bDeps, {
      tenantId: b.tenantId,
      input: numberFormSchema.parse({
        provider: "cloud",
        label: "B claim",
        phoneE164: contested.phone,
        phoneNumberId: contested.pnid,
        wabaId: contested.waba,
        accessToken: contested.token,
        appSecret: "x",
      }),
    });
    expect(bClaim.check?.status).toBe("error");
    expect((await connect(contested)).check?.status).toBe("connected");
    const again = await recheckNumber(t.db, deps(), { tenantId: b.tenantId, id: bClaim.number.id });
    expect(again.check).toMatchObject({ status: "error", message: expect.stringContaining("verified in another workspace") });
    const [bRow] = await t.db.select().from(whatsappNumbers).where(eq(whatsappNumbers.id, bClaim.number.id));
    expect(bRow!.phoneNumberIdProvenAt).toBeNull();
  });

  it("answers 413 to an endless chunked body without reading it", async () => {
    let pulled = 0;
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const started = Date.now();
    const res = await post(endless, { "x-hub-signature-256": signMetaBody("x", parties.a.secret) }, { duplex: "half" });
    expect(res.status).toBe(413);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(pulled).toBeLessThanOrEqual(MIB + 4 * chunk.byteLength); // what was read before the cut, plus the stream's read-ahead
    // a declared length over the cap is refused before a byte is read
    let pulledDeclared = 0;
    const declared = new ReadableStream<Uint8Array>({ pull: (c) => void ((pulledDeclared += chunk.byteLength), c.enqueue(chunk)) });
    expect((await post(declared, { "content-length": String(200 * MIB) }, { duplex: "half" })).status).toBe(413);
    expect(pulledDeclared).toBeLessThanOrEqual(4 * chunk.byteLength);
  });

  it("accepts signed bodies with a UTF-8 BOM or invalid UTF-8 and stores their exact bytes", async () => {
    const { a } = parties;
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(textFor(a, "meta-text.json", { "wamid.CT-TEXT-0001": "wamid.BOM-1" }))]);
    const invalid = Buffer.from(textFor(a, "meta-text.json", { "wamid.CT-TEXT-0001": "wamid.BAD-UTF8-1", "Mara Quinn": "Mara @@" }));
    invalid.set([0xff, 0xfe], invalid.indexOf("@@")); // two bytes that are no UTF-8 at all, inside the profile name
    for (const body of [bom, invalid]) {
      const res = await signed(body, a.secret);
      expect(res.status).toBe(200);
      const { eventId } = (await res.json()) as { eventId: string };
      await kickWebhookProcessing(t.db);
      const [row] = await t.db.select().from(webhookEvents).where(eq(webhookEvents.id, eventId));
      expect(row).toMatchObject({ status: "processed", signatureResult: "valid", rawBodyKind: "exact", bodySha256: sha256(body), bodyBytes: body.byteLength });
      expect(storedBodyBytes(row!).equals(body)).toBe(true);
    }
    expect(await wamidsOf(a.tenantId)).toEqual(expect.arrayContaining(["wamid.BOM-1", "wamid.BAD-UTF8-1"]));
  });

  it("keeps a flood of bad signatures bounded and deletes it after 7 days", async () => {
    const { a } = parties;
    const big = textFor(a).replace('"Hi! Do you ship to Lisbon?"', `"${"x".repeat(MIB - 4096)}"`);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => post(big, { "x-hub-signature-256": signMetaBody(`${i}`, "guess") })));
    expect(answers.every((r) => r.status === 401)).toBe(true);
    const rows = await t.db
      .select()
      .from(webhookEvents)
      .where(eq(webhookEvents.bodySha256, sha256(big)));
    expect(rows).toHaveLength(20);
    for (const row of rows) {
      expect(row).toMatchObject({ status: "rejected", rawBodyKind: "prefix", bodyBytes: Buffer.byteLength(big), rawBodyExactB64: null });
      expect(Buffer.byteLength(row.rawBody)).toBeLessThanOrEqual(4096 * 3); // 4 KiB of bytes; invalid tails become U+FFFD
    }
    const [{ stored }] = rowsOfSum(
      await t.db
        .select({ stored: sql<number>`sum(octet_length(raw_body))::int` })
        .from(webhookEvents)
        .where(
          inArray(
            webhookEvents.id,
            rows.map((r) => r.id),
          ),
        ),
    );
    expect(stored).toBeLessThan(20 * 5000);

    const now = new Date();
    await t.db
      .update(webhookEvents)
      .set({ receivedAt: new Date(now.getTime() - 8 * 24 * 3600_000) })
      .where(
        inArray(
          webhookEvents.id,
          rows.slice(0, 15).map((r) => r.id),
        ),
      );
    // the scheduled work (cron route and the self-host ticker) deletes them
    expect((await runScheduledWork(t.db, { now: () => now, budgetMs: 5_000 })).rejectedWebhooksDeleted).toBeGreaterThanOrEqual(15);
    expect((await pruneWebhookEvents(t.db, { now })).rejected).toBe(0);
    const left = await t.db
      .select({ id: webhookEvents.id })
      .from(webhookEvents)
      .where(
        inArray(
          webhookEvents.id,
          rows.map((r) => r.id),
        ),
      );
    expect(left).toHaveLength(5);
  });

  it("refuses a signed body nested 10,000 deep before it is stored as received (processing would overflow the stack)", async () => {
    const { a } = parties;
    const deep = textFor(a).replace('"Hi! Do you ship to Lisbon?"', `${"[".repeat(10_000)}1${"]".repeat(10_000)}`);
    const res = await signed(deep, a.secret);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "bad_request", message: "The body nests deeper than 64 levels" } });
    const rows = await t.db
      .select()
      .from(webhookEvents)
      .where(eq(webhookEvents.bodySha256, sha256(deep)));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "rejected", rawBodyKind: "prefix", error: "The body nests deeper than 64 levels" });
  });

  it("keeps whole at most the hourly limit of events for unproven ids; past it they are bounded and answered 429", async () => {
    const { a } = parties;
    const stranger = { ...a, pnid: "339999999999999", waba: "349999999999999" }; // nobody has proven this id
    const big = textFor(stranger).replace('"Hi! Do you ship to Lisbon?"', `"${"y".repeat(MIB - 4096)}"`);
    const first = await signed(big, "anything");
    expect(first.status).toBe(200); // nobody can check it yet: kept whole for the number that proves the id
    const [kept] = await t.db
      .select()
      .from(webhookEvents)
      .where(eq(webhookEvents.bodySha256, sha256(big)));
    expect(kept).toMatchObject({ status: "unrouted", tenantId: null, bodyBytes: Buffer.byteLength(big) });

    // a flood has filled the hour (rows written directly: a thousand 1 MiB posts would only slow the test)
    const hourAgo = new Date(Date.now() - 59 * 60_000);
    await t.db.execute(sql`insert into ${webhookEvents} (provider, raw_body, status, signature_result, received_at)
      select 'cloud', '{}', 'unrouted', 'unverified', ${hourAgo.toISOString()}::timestamptz from generate_series(1, ${UNROUTED_HOURLY_LIMIT})`);
    const flood = big.replace('"yyyy', '"zzzz');
    const refused = await signed(flood, "anything");
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { code: "too_many_unrouted" } });
    const [bounded] = await t.db
      .select()
      .from(webhookEvents)
      .where(eq(webhookEvents.bodySha256, sha256(flood)));
    expect(bounded).toMatchObject({ status: "rejected", rawBodyKind: "prefix", bodyBytes: Buffer.byteLength(flood) });
    expect(Buffer.byteLength(bounded!.rawBody)).toBeLessThanOrEqual(4096 * 3);

    // a delivery that also verifies for a proven number still reaches it; only its unproven part is bounded
    const mixed = merge(
      textFor(a, "meta-text.json", { "wamid.CT-TEXT-0001": "wamid.FLOOD-A", "15550142001": "15550142077" }),
      textFor(stranger, "meta-text.json", { "wamid.CT-TEXT-0001": "wamid.FLOOD-STRANGER" }),
    );
    expect((await signed(mixed, a.secret)).status).toBe(200);
    const rows = await t.db
      .select()
      .from(webhookEvents)
      .where(eq(webhookEvents.bodySha256, sha256(mixed)));
    expect(rows.map((r) => [r.tenantId, r.status === "rejected" ? "bounded" : "whole"]).sort()).toEqual(
      [
        [a.tenantId, "whole"],
        [null, "bounded"],
      ].sort(),
    );

    // the scheduled work forgets unadopted ones after 30 days, and never a workspace's own events
    const old = new Date(Date.now() - 31 * 24 * 3600_000);
    await t.db
      .update(webhookEvents)
      .set({ receivedAt: old })
      .where(and(eq(webhookEvents.status, "unrouted"), sql`${webhookEvents.tenantId} is null`));
    const now = new Date();
    const result = await runScheduledWork(t.db, { now: () => now, budgetMs: 5_000 });
    expect(result.unroutedWebhooksDeleted).toBeGreaterThanOrEqual(UNROUTED_HOURLY_LIMIT + 1);
    expect(
      await t.db
        .select()
        .from(webhookEvents)
        .where(and(eq(webhookEvents.status, "unrouted"), sql`${webhookEvents.tenantId} is null`)),
    ).toEqual([]);
    expect((await eventsOf(a.tenantId)).length).toBeGreaterThan(0);
  });
});

function rowsOfSum<T>(rows: T[]): [T] {
  expect(rows).toHaveLength(1);
  return rows as [T];
}
