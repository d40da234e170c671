// The engine of outgoing webhooks against real receivers on 127.0.0.1 and a real database: an independent receiver
// verifies the signature with node:crypto exactly as the README's recipe does; retries (500, timeout, then 200),
// permanent failures, 429 with Retry-After, order per subscriber, no duplicate between two loops, egress refusal,
// the 24 h switch-off with an injected clock, and emission that writes only what an endpoint listens to.
import crypto, { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "@/db/client";
import { insertTenant } from "@/db/queries";
import { outgoingEvents, webhookDeliveries, webhookDeliveryAttempts, webhookEndpoints } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { encryptSecret } from "@/lib/crypto";
import { parseHostRules } from "@/lib/egress";
import { type DeliverDeps, RETRY_SCHEDULE_MS } from "./deliver";
import { emitEvents } from "./emit";
import type { OutgoingEventInput, OutgoingEventType } from "./events";
import { DISABLE_AFTER_MS, drainDeliveries } from "./loop";
import { claimDueDeliveries } from "@/db/queries/webhooks-out";

const encryptionKey = Buffer.alloc(32, 41).toString("base64");

// ---- the README's verification recipe, written again here on purpose (independent of lib/webhooks-out/sign.ts) ----
function verifyClicktrailSignature(rawBody: string, header: string, secret: string, toleranceSeconds = 300, nowSeconds = Date.now() / 1000): boolean {
  const parts = header.split(",");
  const t = parts.find((p) => p.startsWith("t="))?.slice(2);
  const signatures = parts.filter((p) => p.startsWith("v1=")).map((p) => p.slice(3));
  if (!t || signatures.length === 0) return false;
  if (Math.abs(nowSeconds - Number(t)) > toleranceSeconds) return false;
  const expected = crypto.createHmac("sha256", secret).update(`${t}.${rawBody}`).digest();
  return signatures.some((s) => {
    const given = Buffer.from(s, "hex");
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  });
}

type Received = {
  headers: http.IncomingHttpHeaders;
  body: string;
  json: { id: string; type: string; createdAt: string; workspaceId: string; data: Record<string, unknown> };
  status: number;
};
type Answer = { status: number; delayMs?: number; headers?: Record<string, string>; text?: string };
type Receiver = { url: string; got: Received[]; answer: (r: Received) => Answer; connections: () => number; close: () => Promise<void> };

async function startReceiver(answer: (r: Received) => Answer = () => ({ status: 200 })): Promise<Receiver> {
  const got: Received[] = [];
  let connections = 0;
  const recv: Receiver = { url: "", got, answer, connections: () => connections, close: async () => {} };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const r: Received = { headers: req.headers, body, json: JSON.parse(body) as Received["json"], status: 0 };
    const a = recv.answer(r);
    r.status = a.status;
    got.push(r);
    if (a.delayMs) await new Promise((d) => setTimeout(d, a.delayMs));
    if (res.destroyed) return;
    res.writeHead(a.status, { "content-type": "text/plain", ...(a.headers ?? {}) });
    res.end(a.text ?? "ok");
  });
  server.on("connection", () => void (connections += 1));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  recv.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  recv.close = async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  return recv;
}

const trusted = parseHostRules("127.0.0.1");
const deps = (extra: Partial<DeliverDeps> = {}): DeliverDeps => ({ encryptionKey, egress: { trusted }, timeoutMs: 10_000, random: () => 0, ...extra });

/** A clock the test moves (the database's own now() stamps creation; claims use this one). */
function clock() {
  let t = Date.now() + 1_000;
  return { now: () => new Date(t), advance: (ms: number) => void (t += ms) };
}

const ev = (type: OutgoingEventType, subscriberId: string | null, n: number | string, data: Record<string, unknown> = {}): OutgoingEventInput => ({
  type,
  sourceKey: `${type}:${subscriberId ?? "none"}:${n}`,
  subscriberId,
  data: { n, ...data },
  occurredAt: new Date(),
});

describe.each(testDrivers)("outgoing webhooks: delivery (%s)", (driver) => {
  let t: TestDb;
  let tenantId: string;
  beforeAll(async () => {
    t = await createTestDb(driver);
  });
  afterAll(async () => {
    await t?.cleanup();
  });
  beforeEach(async () => {
    tenantId = (await insertTenant(t.db, { name: `Webhooks ${randomUUID().slice(0, 6)}` })).id;
  });

  async function endpoint(url: string, eventTypes: OutgoingEventType[] = ["message.received", "subscriber.created"], secret = "whsec_test_current_secret") {
    const [row] = await t.db
      .insert(webhookEndpoints)
      .values({ tenantId, url, eventTypes, secretEnc: encryptSecret(secret, encryptionKey) })
      .returning();
    return row!;
  }
  const attemptsOf = (endpointId: string) =>
    t.db.select().from(webhookDeliveryAttempts).where(eq(webhookDeliveryAttempts.endpointId, endpointId)).orderBy(asc(webhookDeliveryAttempts.attemptedAt));
  const deliveriesOf = (endpointId: string) =>
    t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId)).orderBy(asc(webhookDeliveries.seq));

  it("signs each delivery with the endpoint's secret; an independent receiver verifies it and refuses a tampered body or an old timestamp", async () => {
    const secret = "whsec_" + crypto.randomBytes(24).toString("base64url");
    const recv = await startReceiver();
    try {
      const ep = await endpoint(recv.url, ["message.received"], secret);
      const sub = randomUUID();
      expect(await emitEvents(t.db, tenantId, [ev("message.received", sub, 1, { text: "hola ñandú 🎉" })])).toBe(1);
      const c = clock();
      const totals = await drainDeliveries(t.db, deps(), { now: c.now });
      expect(totals).toMatchObject({ claimed: 1, succeeded: 1 });
      expect(recv.got).toHaveLength(1);
      const r = recv.got[0]!;
      const header = String(r.headers["clicktrail-signature"]);
      expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      const t0 = Number(/t=(\d+)/.exec(header)![1]);
      expect(verifyClicktrailSignature(r.body, header, secret, 300, t0 + 10)).toBe(true);
      expect(verifyClicktrailSignature(r.body.replace("hola", "hala"), header, secret, 300, t0 + 10)).toBe(false);
      expect(verifyClicktrailSignature(r.body, header, "whsec_another", 300, t0 + 10)).toBe(false);
      expect(verifyClicktrailSignature(r.body, header, secret, 300, t0 + 301)).toBe(false); // a replay 5 minutes later
      const [stored] = await t.db.select().from(outgoingEvents).where(eq(outgoingEvents.tenantId, tenantId));
      expect(r.json).toEqual({
        id: stored!.id,
        type: "message.received",
        createdAt: stored!.createdAt.toISOString(),
        workspaceId: tenantId,
        data: { n: 1, text: "hola ñandú 🎉" },
      });
      expect(r.headers["clicktrail-event-id"]).toBe(stored!.id);
      expect(r.headers["clicktrail-event-type"]).toBe("message.received");
      expect(r.headers["content-type"]).toBe("application/json");
      const [d] = await deliveriesOf(ep.id);
      expect(d).toMatchObject({ status: "succeeded", attempts: 1, lastStatusCode: 200, leaseOwner: null });
      const [a] = await attemptsOf(ep.id);
      expect(a).toMatchObject({ statusCode: 200, responseSnippet: "ok", error: null });
    } finally {
      await recv.close();
    }
  });

  it("during a rotation signs with both secrets until the previous one expires", async () => {
    const recv = await startReceiver();
    try {
      const ep = await endpoint(recv.url, ["message.received"], "whsec_new");
      await t.db
        .update(webhookEndpoints)
        .set({ previousSecretEnc: encryptSecret("whsec_old", encryptionKey), previousSecretExpiresAt: new Date(Date.now() + 3_600_000) })
        .where(eq(webhookEndpoints.id, ep.id));
      const sub = randomUUID();
      await emitEvents(t.db, tenantId, [ev("message.received", sub, 1)]);
      const c = clock();
      await drainDeliveries(t.db, deps(), { now: c.now });
      const first = recv.got[0]!;
      const h1 = String(first.headers["clicktrail-signature"]);
      expect(h1.split(",").filter((p) => p.startsWith("v1="))).toHaveLength(2);
      expect(verifyClicktrailSignature(first.body, h1, "whsec_old")).toBe(true);
      expect(verifyClicktrailSignature(first.body, h1, "whsec_new")).toBe(true);
      // once the previous secret expired, only the current one signs
      await t.db
        .update(webhookEndpoints)
        .set({ previousSecretExpiresAt: new Date(Date.now() - 1000) })
        .where(eq(webhookEndpoints.id, ep.id));
      await emitEvents(t.db, tenantId, [ev("message.received", sub, 2)]);
      await drainDeliveries(t.db, deps(), { now: c.now });
      const h2 = String(recv.got[1]!.headers["clicktrail-signature"]);
      expect(h2.split(",").filter((p) => p.startsWith("v1="))).toHaveLength(1);
      expect(verifyClicktrailSignature(recv.got[1]!.body, h2, "whsec_old")).toBe(false);
      expect(verifyClicktrailSignature(recv.got[1]!.body, h2, "whsec_new")).toBe(true);
    } finally {
      await recv.close();
    }
  });

  it("retries a 500 and a timeout with backoff, then delivers once on 200: three attempts, the same event id and body", async () => {
    const answers: Answer[] = [
      { status: 500, text: "boom" },
      { status: 200, delayMs: 3_000 },
      { status: 200, text: "thanks" },
    ];
    const recv = await startReceiver(() => answers.shift() ?? { status: 200 });
    try {
      const ep = await endpoint(recv.url);
      await emitEvents(t.db, tenantId, [ev("message.received", randomUUID(), 1)]);
      const c = clock();
      expect(await drainDeliveries(t.db, deps(), { now: c.now })).toMatchObject({ claimed: 1, retried: 1 });
      let [d] = await deliveriesOf(ep.id);
      expect(d).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: 500, lastError: "HTTP 500" });
      expect(d!.nextAttemptAt.getTime() - c.now().getTime()).toBe(10_000); // the first wait (no jitter drawn)
      expect(await drainDeliveries(t.db, deps(), { now: c.now })).toMatchObject({ claimed: 0 }); // not due yet
      c.advance(10_001);
      expect(await drainDeliveries(t.db, deps({ timeoutMs: 2_000 }), { now: c.now })).toMatchObject({ claimed: 1, retried: 1 });
      [d] = await deliveriesOf(ep.id);
      expect(d).toMatchObject({ status: "pending", attempts: 2, lastStatusCode: null });
      expect(d!.lastError).toMatch(/^timeout/);
      expect(d!.nextAttemptAt.getTime() - c.now().getTime()).toBe(60_000);
      c.advance(60_001);
      expect(await drainDeliveries(t.db, deps(), { now: c.now })).toMatchObject({ claimed: 1, succeeded: 1 });
      [d] = await deliveriesOf(ep.id);
      expect(d).toMatchObject({ status: "succeeded", attempts: 3, lastStatusCode: 200, lastError: null });
      const attempts = await attemptsOf(ep.id);
      expect(attempts.map((a) => [a.statusCode, a.error?.split(":")[0] ?? null, a.responseSnippet])).toEqual([
        [500, "HTTP 500", "boom"],
        [null, "timeout", null],
        [200, null, "thanks"],
      ]);
      expect(new Set(recv.got.map((r) => r.json.id)).size).toBe(1);
      expect(new Set(recv.got.map((r) => r.body)).size).toBe(1);
      expect(recv.got.filter((r) => r.status === 200 && r.headers["clicktrail-event-id"] === r.json.id)).toHaveLength(2); // one timed out on our side
      expect(await drainDeliveries(t.db, deps(), { now: c.now })).toMatchObject({ claimed: 0 });
    } finally {
      await recv.close();
    }
  });

  it("fails a 410 and a 400 at once (one attempt, no retry), and reads no more than 1 KiB of an answer", async () => {
    const recv = await startReceiver((r) => (r.json.data.n === 1 ? { status: 410, text: "x".repeat(5_000) } : { status: 400, text: "bad" }));
    try {
      const ep = await endpoint(recv.url);
      await emitEvents(t.db, tenantId, [ev("message.received", randomUUID(), 1), ev("message.received", randomUUID(), 2)]);
      const c = clock();
      expect(await drainDeliveries(t.db, deps(), { now: c.now })).toMatchObject({ claimed: 2, failed: 2 });
      const ds = await deliveriesOf(ep.id);
      expect(ds.map((d) => [d.status, d.attempts, d.lastStatusCode])).toEqual([
        ["failed", 1, 410],
        ["failed", 1, 400],
      ]);
      const attempts = await attemptsOf(ep.id);
      expect(Math.max(...attempts.map((a) => a.responseSnippet?.length ?? 0))).toBeLessThanOrEqual(1024);
      c.advance(24 * 3_600_000);
      expect(await drainDeliveries(t.db, deps(), { now: c.now })).toMatchObject({ claimed: 0 });
      expect(recv.got).toHaveLength(2);
    } finally {
      await recv.close();
    }
  });

  it("honours Retry-After on a 429", async () => {
    let calls = 0;
    const recv = await startReceiver(() => (++calls === 1 ? { status: 429, headers: { "retry-after": "120" } } : { status: 200 }));
    try {
      const ep = await endpoint(recv.url);
      await emitEvents(t.db, tenantId, [ev("message.received", randomUUID(), 1)]);
      const c = clock();
      await drainDeliveries(t.db, deps(), { now: c.now });
      const [d] = await deliveriesOf(ep.id);
      expect(d).toMatchObject({ status: "pending", lastStatusCode: 429 });
      expect(d!.nextAttemptAt.getTime() - c.now().getTime()).toBe(120_000);
      c.advance(60_000);
      expect(await drainDeliveries(t.db, deps(), { now: c.now })).toMatchObject({ claimed: 0 });
      c.advance(60_001);
      expect(await drainDeliveries(t.db, deps(), { now: c.now })).toMatchObject({ claimed: 1, succeeded: 1 });
    } finally {
      await recv.close();
    }
  });

  it("delivers a subscriber's events in order even when the first needs retries, without holding back another subscriber", async () => {
    const a = randomUUID();
    const b = randomUUID();
    let failedOnce = false;
    const recv = await startReceiver((r) => {
      if (r.json.data.who === "a" && r.json.data.n === 1 && !failedOnce) {
        failedOnce = true;
        return { status: 503 };
      }
      return { status: 200 };
    });
    try {
      const ep = await endpoint(recv.url);
      await emitEvents(t.db, tenantId, [
        ev("subscriber.created", a, 1, { who: "a" }),
        ev("message.received", b, 1, { who: "b" }),
        ev("message.received", a, 2, { who: "a" }),
      ]);
      await emitEvents(t.db, tenantId, [ev("message.received", b, 2, { who: "b" }), ev("message.received", a, 3, { who: "a" })]);
      const c = clock();
      await drainDeliveries(t.db, deps(), { now: c.now });
      const seen = () => recv.got.filter((r) => r.status === 200).map((r) => `${r.json.data.who}${r.json.data.n}`);
      expect(seen()).toEqual(["b1", "b2"]); // a1 is waiting for its retry; a2 and a3 wait behind it
      expect(recv.got.filter((r) => r.json.data.who === "a").map((r) => r.json.data.n)).toEqual([1]);
      // a2 and a3 were claimed with a1 (one run) and went back untried: pending, no attempt counted, due after a1's retry
      const [a1, a2, a3] = (await deliveriesOf(ep.id)).filter((d) => d.orderKey === a);
      expect([a1, a2, a3].map((d) => [d!.status, d!.attempts])).toEqual([
        ["pending", 1],
        ["pending", 0],
        ["pending", 0],
      ]);
      expect(a2!.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(a1!.nextAttemptAt.getTime());
      expect(a3!.lastAttemptAt).toBeNull();
      expect((await attemptsOf(ep.id)).filter((x) => x.deliveryId === a2!.id || x.deliveryId === a3!.id)).toEqual([]);
      c.advance(11_000);
      await drainDeliveries(t.db, deps(), { now: c.now });
      expect(seen().filter((s) => s.startsWith("a"))).toEqual(["a1", "a2", "a3"]);
      expect((await deliveriesOf(ep.id)).every((d) => d.status === "succeeded")).toBe(true);
    } finally {
      await recv.close();
    }
  });

  it("claims a queue's head with the next ones of its queue as one run, in order; another claim gets none of that queue meanwhile", async () => {
    const a = randomUUID();
    const b = randomUUID();
    const ep = await endpoint("http://127.0.0.1:9/hooks");
    await emitEvents(
      t.db,
      tenantId,
      [1, 2, 3, 4, 5].flatMap((n) => [ev("message.received", a, n), ev("message.received", b, n)]),
    );
    const now = clock().now();
    const first = await claimDueDeliveries(t.db, { now, limit: 10, leaseMs: 60_000, owner: randomUUID(), chain: 3 });
    const runOf = (who: string) => first.filter((d) => d.orderKey === who).map((d) => [d.chainPos, (d.data as { n: number }).n]);
    expect(runOf(a)).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    expect(runOf(b)).toHaveLength(3);
    expect(new Set(first.map((d) => d.attempts))).toEqual(new Set([1]));
    // a4, a5 wait behind the claimed run: a second claim takes nothing of these queues
    expect(await claimDueDeliveries(t.db, { now, limit: 10, leaseMs: 60_000, owner: randomUUID(), chain: 3 })).toEqual([]);
    expect((await deliveriesOf(ep.id)).filter((d) => d.status === "delivering")).toHaveLength(6);
  });

  it("a failed delivery does not block the next one of its subscriber", async () => {
    const a = randomUUID();
    const recv = await startReceiver((r) => (r.json.data.n === 1 ? { status: 422 } : { status: 200 }));
    try {
      await endpoint(recv.url);
      await emitEvents(t.db, tenantId, [ev("message.received", a, 1), ev("message.received", a, 2)]);
      const totals = await drainDeliveries(t.db, deps(), { now: clock().now });
      expect(totals).toMatchObject({ claimed: 2, failed: 1, succeeded: 1 });
      expect(recv.got.map((r) => [r.json.data.n, r.status])).toEqual([
        [1, 422],
        [2, 200],
      ]);
    } finally {
      await recv.close();
    }
  });

  // two loops means two processes, so Postgres (PGlite is one process's database)
  it.skipIf(driver === "pglite")("never posts a delivery twice when two loops drain at once, and keeps each subscriber's order", async () => {
    const recv = await startReceiver(() => ({ status: 200, delayMs: 2 }));
    const second = await openDatabase({ url: t.url!, max: 10 });
    try {
      await endpoint(recv.url);
      const subs = Array.from({ length: 30 }, () => randomUUID());
      for (let round = 0; round < 10; round++)
        await emitEvents(
          t.db,
          tenantId,
          subs.map((s, i) => ev("message.received", s, round, { who: i })),
        );
      const c = clock();
      const [x, y] = await Promise.all([
        drainDeliveries(t.db, deps(), { now: c.now, concurrency: 16 }),
        drainDeliveries(second.db, deps(), { now: c.now, concurrency: 16 }),
      ]);
      expect(x.succeeded + y.succeeded).toBe(300);
      const ids = recv.got.map((r) => r.json.id);
      expect(ids).toHaveLength(300);
      expect(new Set(ids).size).toBe(300);
      const last = new Map<unknown, number>();
      for (const r of recv.got) {
        const n = Number(r.json.data.n);
        expect(n).toBeGreaterThan(last.get(r.json.data.who) ?? -1);
        last.set(r.json.data.who, n);
      }
      expect(x.claimed).toBeGreaterThan(0);
      expect(y.claimed).toBeGreaterThan(0);
    } finally {
      await second.close();
      await recv.close();
    }
  });

  it("refuses a private destination before connecting and records why", async () => {
    const recv = await startReceiver();
    try {
      const direct = await endpoint("https://10.0.0.7/hooks");
      const named = await endpoint("https://hooks.example.com/hooks");
      await emitEvents(t.db, tenantId, [ev("message.received", randomUUID(), 1)]);
      const resolveToMetadata = async () => [{ address: "169.254.169.254", family: 4 }];
      // only the host list of the test is trusted; here nothing is: 127.0.0.1 is refused as well
      const strict = deps({ egress: { trusted: [], resolve: resolveToMetadata } });
      await drainDeliveries(t.db, strict, { now: clock().now });
      const [d1] = await deliveriesOf(direct.id);
      expect(d1).toMatchObject({ status: "failed", attempts: 1 });
      expect(d1!.lastError).toMatch(/^refused: 10\.0\.0\.7 is a private address/);
      const [d2] = await deliveriesOf(named.id);
      expect(d2!.lastError).toMatch(/refused/);
      expect(d2!.lastError).toMatch(/169\.254\.169\.254/);
      expect((await attemptsOf(named.id))[0]!.error).toMatch(/refused/);
      expect(recv.connections()).toBe(0);
    } finally {
      await recv.close();
    }
  });

  it("switches an endpoint off after 24 h of failures, says why, and keeps its pending deliveries for when it is back", async () => {
    let up = false;
    const recv = await startReceiver(() => (up ? { status: 200 } : { status: 502, text: "bad gateway" }));
    try {
      const ep = await endpoint(recv.url);
      const sub = randomUUID();
      await emitEvents(t.db, tenantId, [ev("message.received", sub, 1), ev("message.received", sub, 2)]);
      const c = clock();
      const start = c.now();
      await drainDeliveries(t.db, deps(), { now: c.now });
      let [row] = await t.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, ep.id));
      expect(row!.failingSince?.getTime()).toBe(start.getTime());
      expect(row!.enabled).toBe(true);
      for (const wait of RETRY_SCHEDULE_MS) {
        c.advance(wait + 1);
        await drainDeliveries(t.db, deps(), { now: c.now });
        [row] = await t.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, ep.id));
        if (!row!.enabled) break;
        expect(c.now().getTime() - start.getTime()).toBeLessThan(DISABLE_AFTER_MS);
      }
      expect(row!.enabled).toBe(false);
      expect(row!.failingSince?.getTime()).toBe(start.getTime());
      expect(c.now().getTime() - start.getTime()).toBeGreaterThanOrEqual(DISABLE_AFTER_MS);
      expect(row!.disabledAt?.getTime()).toBe(c.now().getTime());
      expect(row!.disabledReason).toContain(start.toISOString());
      expect(row!.disabledReason).toContain("HTTP 502");
      const before = recv.got.length;
      c.advance(3_600_000 * 9);
      expect(await drainDeliveries(t.db, deps(), { now: c.now })).toMatchObject({ claimed: 0 }); // switched off: nothing goes out
      expect(recv.got.length).toBe(before);
      const ds = await deliveriesOf(ep.id);
      expect(ds.map((d) => d.status)).toEqual(["pending", "pending"]); // waiting, not lost
      // an admin switches it back on (the endpoints API): the waiting deliveries go, in order, and the streak ends
      up = true;
      await t.db.update(webhookEndpoints).set({ enabled: true, disabledAt: null, disabledReason: null }).where(eq(webhookEndpoints.id, ep.id));
      expect(await drainDeliveries(t.db, deps(), { now: c.now })).toMatchObject({ succeeded: 2 });
      expect(recv.got.slice(before).map((r) => r.json.data.n)).toEqual([1, 2]);
      [row] = await t.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, ep.id));
      expect(row!.failingSince).toBeNull();
    } finally {
      await recv.close();
    }
  });

  it("emission writes nothing for a tenant without endpoints, only subscribed types, only to enabled endpoints, and once per source key", async () => {
    const sub = randomUUID();
    expect(await emitEvents(t.db, tenantId, [ev("message.received", sub, 1), ev("lead.created", sub, 1)])).toBe(0);
    expect(await t.db.select().from(outgoingEvents).where(eq(outgoingEvents.tenantId, tenantId))).toHaveLength(0);
    const a = await endpoint("https://a.example.com/hooks", ["lead.created"]);
    const b = await endpoint("https://b.example.com/hooks", ["lead.created", "message.received"]);
    const off = await endpoint("https://c.example.com/hooks", ["conversion.sent"]);
    const all = await endpoint("https://d.example.com:8443/hooks", ["*" as OutgoingEventType]);
    await t.db.update(webhookEndpoints).set({ enabled: false }).where(eq(webhookEndpoints.id, off.id));
    expect(await emitEvents(t.db, tenantId, [ev("message.received", sub, 1), ev("lead.created", sub, 1), ev("conversion.sent", sub, 1)])).toBe(6);
    const events = await t.db.select().from(outgoingEvents).where(eq(outgoingEvents.tenantId, tenantId));
    expect(events.map((e) => e.type).sort()).toEqual(["conversion.sent", "lead.created", "message.received"]); // conversion.sent: for "*" only
    expect((await deliveriesOf(a.id)).map((d) => d.orderKey)).toEqual([sub]);
    expect(await deliveriesOf(b.id)).toHaveLength(2);
    expect(await deliveriesOf(off.id)).toHaveLength(0);
    expect(await deliveriesOf(all.id)).toHaveLength(3);
    // a replay of the same facts writes nothing; an event without a subscriber is ordered by its own id
    expect(await emitEvents(t.db, tenantId, [ev("message.received", sub, 1), ev("lead.created", sub, 1)])).toBe(0);
    await emitEvents(t.db, tenantId, [ev("lead.created", null, 9)]);
    const [lone] = await t.db.select().from(outgoingEvents).where(eq(outgoingEvents.sourceKey, "lead.created:none:9"));
    expect((await deliveriesOf(a.id)).map((d) => d.orderKey)).toEqual([sub, lone!.id]);
    // another tenant's endpoints never get this tenant's events
    const other = (await insertTenant(t.db, { name: "Other" })).id;
    expect(await emitEvents(t.db, other, [ev("lead.created", sub, 1)])).toBe(0);
  });
});
