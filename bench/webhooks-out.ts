// npm run bench:webhooks-out – outgoing webhooks from one process: a burst of BENCH_EVENTS (10,000) events for
// BENCH_SUBSCRIBERS (1,000) subscribers to 3 endpoints (3 receivers on 127.0.0.1 answering 200 at once), emitted
// with emitEvents in transactions of 500 while this process's delivery loop runs. Prints deliveries/s (first emit to
// last receipt), p50/p99 from emit to receipt, peak RSS, duplicates and order violations per subscriber (both must
// be 0), and met/MISSED against ≥ 500 deliveries/s. Uses BENCH_DATABASE_URL, or a fresh database on the local Postgres.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { openDatabase } from "../db/client";
import { insertTenant } from "../db/queries";
import { webhookEndpoints } from "../db/schema";
import { encryptSecret } from "../lib/crypto";
import { parseHostRules } from "../lib/egress";
import type { DeliverDeps } from "../lib/webhooks-out/deliver";
import { emitEvents } from "../lib/webhooks-out/emit";
import type { OutgoingEventInput } from "../lib/webhooks-out/events";
import { kickDeliveries } from "../lib/webhooks-out/kick";
import { drainDeliveries, startDeliveryLoop } from "../lib/webhooks-out/loop";
import { freshDatabase } from "./database";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1_000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 256);
const BATCH = 500;
const ENDPOINTS = 3;
const TARGET = 500;
const ENCRYPTION_KEY = Buffer.alloc(32, 7).toString("base64");

const log = (line = "") => console.info(line);
const fmt = (n: number) => Math.round(n).toLocaleString("en");
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

// ------------------------------------------------------------------------------------ receivers
type Receipt = { endpoint: number; id: string; subscriber: string; n: number; emittedAt: number; at: number; phase: string };
const receipts: Receipt[] = [];
let onReceipt: () => void = () => {};
async function startReceiver(endpoint: number): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        id: string;
        data: { subscriber: string; n: number; emittedAt: number; phase: string };
      };
      receipts.push({
        endpoint,
        id: body.id,
        subscriber: body.data.subscriber,
        n: body.data.n,
        emittedAt: body.data.emittedAt,
        at: Date.now(),
        phase: body.data.phase,
      });
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok");
      onReceipt();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/${endpoint}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

// ------------------------------------------------------------------------------------ setup
const database = await freshDatabase("ct_bench_whout");
const handle = await openDatabase({ url: database.url, max: 10 });
await handle.migrate();
const db = handle.db;
const receivers = await Promise.all(Array.from({ length: ENDPOINTS }, (_, i) => startReceiver(i)));
const tenantId = (await insertTenant(db, { name: "Bench webhooks" })).id;
await db.insert(webhookEndpoints).values(
  receivers.map((r) => ({
    tenantId,
    url: r.url,
    eventTypes: ["message.received", "subscriber.created"],
    secretEnc: encryptSecret("whsec_bench_secret", ENCRYPTION_KEY),
  })),
);
const subscriberIds = Array.from({ length: SUBSCRIBERS }, () => crypto.randomUUID());
const deps: DeliverDeps = { encryptionKey: ENCRYPTION_KEY, egress: { trusted: parseHostRules("127.0.0.1") } };

let peakRss = 0;
const rssTimer = setInterval(() => void (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);

function eventsOf(phase: string, from: number, to: number): OutgoingEventInput[] {
  const out: OutgoingEventInput[] = [];
  for (let i = from; i < to; i++) {
    const subscriber = subscriberIds[i % SUBSCRIBERS]!;
    const n = Math.floor(i / SUBSCRIBERS);
    out.push({
      type: "message.received",
      sourceKey: `${phase}:${i}`,
      subscriberId: subscriber,
      data: { phase, subscriber, n, emittedAt: Date.now(), text: "Hola, ¿tienen envío a Córdoba?" },
      occurredAt: new Date(),
    });
  }
  return out;
}

async function emitBurst(phase: string, count: number): Promise<number> {
  let written = 0;
  for (let from = 0; from < count; from += BATCH) {
    written += await db.transaction((tx) => emitEvents(tx, tenantId, eventsOf(phase, from, Math.min(count, from + BATCH))));
    kickDeliveries(); // after the commit
  }
  return written;
}

const until = (count: number) =>
  new Promise<void>((resolve) => {
    const check = () => {
      if (receipts.length >= count) resolve();
    };
    onReceipt = check;
    check();
  });

// warm-up (also gives ANALYZE real rows to look at), then statistics
log(`bench:webhooks-out – ${fmt(EVENTS)} events for ${fmt(SUBSCRIBERS)} subscribers to ${ENDPOINTS} endpoints, concurrency ${CONCURRENCY}`);
await emitBurst("warmup", WARMUP);
await drainDeliveries(db, deps, { concurrency: CONCURRENCY });
await db.execute(sql`analyze`);
const warm = receipts.length;
log(`warm-up: ${fmt(warm)} deliveries; ANALYZE done`);

// ------------------------------------------------------------------------------------ the burst
const loop = startDeliveryLoop(db, deps, { concurrency: CONCURRENCY });
const progress = process.env.BENCH_PROGRESS ? setInterval(() => log(`  … ${fmt(receipts.length - warm)} received`), 2_000) : null;
const t0 = Date.now();
const expected = warm + EVENTS * ENDPOINTS;
const done = until(expected);
const written = await emitBurst("burst", EVENTS);
const emitMs = Date.now() - t0;
const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 300_000).unref());
const outcome = await Promise.race([done.then(() => "done" as const), timeout]);
const totalMs = Date.now() - t0;
if (progress) clearInterval(progress);
await loop.stop();
clearInterval(rssTimer);

// ------------------------------------------------------------------------------------ figures
const burst = receipts.slice(warm).filter((r) => r.phase === "burst");
const seen = new Set<string>();
let duplicates = 0;
for (const r of receipts) {
  const key = `${r.endpoint}:${r.id}`;
  if (seen.has(key)) duplicates++;
  seen.add(key);
}
let orderViolations = 0;
const lastN = new Map<string, number>();
for (const r of burst) {
  const key = `${r.endpoint}:${r.subscriber}`;
  if ((lastN.get(key) ?? -1) > r.n) orderViolations++;
  lastN.set(key, Math.max(lastN.get(key) ?? -1, r.n));
}
const latencies = burst.map((r) => r.at - r.emittedAt).sort((a, b) => a - b);
const rate = (burst.length / totalMs) * 1000;
const stats = (await db.execute(sql`select status, count(*)::int as n from webhook_deliveries group by status order by status`)) as unknown as {
  status: string;
  n: number;
}[];

log(`emitted ${fmt(EVENTS)} events (${fmt(written)} deliveries) in ${fmt(emitMs)} ms`);
log(`delivered ${fmt(burst.length)} of ${fmt(EVENTS * ENDPOINTS)} in ${fmt(totalMs)} ms${outcome === "timeout" ? " (TIMED OUT after 300 s)" : ""}`);
log(`deliveries/s: ${fmt(rate)}`);
log(`emit → receipt: p50 ${fmt(percentile(latencies, 50))} ms, p99 ${fmt(percentile(latencies, 99))} ms, max ${fmt(latencies.at(-1) ?? 0)} ms`);
log(`peak RSS: ${fmt(peakRss / 1024 / 1024)} MiB`);
log(`duplicates: ${duplicates}`);
log(`order violations per subscriber: ${orderViolations}`);
log(`deliveries by status: ${stats.map((s) => `${s.status} ${fmt(s.n)}`).join(", ")}`);
const met = rate >= TARGET && duplicates === 0 && orderViolations === 0 && burst.length === EVENTS * ENDPOINTS;
log(`target ≥ ${TARGET} deliveries/s with 0 duplicates and 0 order violations: ${met ? "met" : "MISSED"}`);

await Promise.all(receivers.map((r) => r.close()));
await handle.close();
await database.drop();
process.exit(met ? 0 : 1);
