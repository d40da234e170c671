// npm run bench:webhooks – webhook ingestion against what `npm start` runs (server.mjs: the webhook fast path in
// front of Next) on the local PostgreSQL. Exits 1 when a target is missed.
//   1. Full load, BENCH_CONNECTIONS (64) connections for BENCH_SECONDS (60) each: a bare node:http server
//      doing only the HMAC and JSON.parse (bench/bare-server.mjs, the ceiling of any receiver on this machine),
//      then signed single-status webhooks (target ≥ 3,000/s, p99 ≤ 50 ms) and signed single-message webhooks
//      (≥ 2,000/s), each with its ratio to the bare server; every accepted one applied within 10 s of the end, lost 0.
//   2. Light load, 20 webhooks/s for 20 s (constant arrival): stored → applied (received_at → processed_at)
//      p50/p99, target p99 ≤ 1 s.
//   3. Status batches (100 statuses per POST) for existing outbound messages: statuses applied/s (≥ 10,000).
//   4. A stored-but-unprocessed backlog drained by two parallel drainers, no server: messages/s (≥ 3,000).
// Needs `npm run build` first. Uses BENCH_DATABASE_URL, or a fresh database on postgres://postgres@127.0.0.1:5432
// (BENCH_DB_PREFIX names it). BENCH_SERVER=next measures plain `next start` instead of server.mjs.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import autocannon from "autocannon";
import { count, eq, inArray, sql } from "drizzle-orm";
import { openDatabase } from "../db/client";
import { insertTenant, markPhoneNumberIdProven } from "../db/queries";
import { messages, subscribers, webhookEvents } from "../db/schema";
import { createNumber } from "../lib/numbers/numbers";
import { numberFormSchema } from "../lib/numbers/schemas";
import { drainReceivedEvents } from "../lib/whatsapp/processing-loop";
import { inboundMessage, type PayloadNumber, statusUpdates } from "../lib/whatsapp/payloads";
import { signMetaBody } from "../lib/whatsapp/signature";
import { constantRate, percentile } from "./constant-rate";
import { freshDatabase } from "./database";
import { startBenchServer } from "./server";

const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const duration = Number(process.env.BENCH_SECONDS ?? 60);
const bareSeconds = Number(process.env.BENCH_BARE_SECONDS ?? Math.min(duration, 20));
const lightRate = Number(process.env.BENCH_LIGHT_RATE ?? 20);
const lightSeconds = Number(process.env.BENCH_LIGHT_SECONDS ?? 20);
const backlogSize = Number(process.env.BENCH_BACKLOG ?? 30_000);
const statusBatches = Number(process.env.BENCH_STATUS_BATCHES ?? 600);
/** outbound messages the single-status run can address (one status each): more than it can send */
const statusTargets = Number(process.env.BENCH_STATUS_TARGETS ?? duration * 8_000);
const ENCRYPTION_KEY = Buffer.alloc(32, 5).toString("base64");
const APP_SECRET = randomBytes(16).toString("hex");
const NUMBER: PayloadNumber = { phoneNumberId: "106540352242922", displayPhoneNumber: "15550783881", wabaId: "102290129340398" };
const TARGET = { statusRate: 3_000, statusP99: 50, messageRate: 2_000, appliedWithinMs: 10_000, lightP99: 1_000, statusBatchRate: 10_000, backlogRate: 3_000 };

const fmt = (n: number) => Math.round(n).toLocaleString("en");
const log = (line = "") => console.info(line);
const misses: string[] = [];
/** Records a target: prints nothing itself, the figure's line says it; a miss fails the bench at the end. */
const check = (ok: boolean, what: string) => {
  if (!ok) misses.push(what);
  return ok ? "ok" : "MISSED";
};

const database = await freshDatabase(process.env.BENCH_DB_PREFIX ?? "ct_bench");
process.env.DATABASE_URL = database.url;
process.env.ENCRYPTION_KEY = ENCRYPTION_KEY;
const handle = await openDatabase({ url: database.url, max: 8 });
await handle.migrate();
const db = handle.db;
const tenantId = (await insertTenant(db, { name: "Bench" })).id;
const benchNumber = await createNumber(
  db,
  { encryptionKey: ENCRYPTION_KEY, appUrl: "http://bench" },
  {
    tenantId,
    input: numberFormSchema.parse({
      provider: "cloud",
      label: "Bench",
      phoneE164: "+15550783881",
      phoneNumberId: NUMBER.phoneNumberId,
      wabaId: NUMBER.wabaId,
      accessToken: "t",
      appSecret: APP_SECRET,
    }),
  },
);
// as if its token had passed the Graph check: only a proven number gets its Phone Number ID's webhooks
await markPhoneNumberIdProven(db, { tenantId, id: benchNumber.id, at: new Date() });

const countOf = async (table: typeof messages | typeof webhookEvents, where?: ReturnType<typeof eq>) =>
  Number((await db.select({ n: count() }).from(table).where(where))[0]?.n ?? 0);
const inboundCount = () => countOf(messages, eq(messages.direction, "inbound"));
const deliveredCount = () => countOf(messages, eq(messages.status, "delivered"));

type Signed = { body: string; headers: Record<string, string> };
const signed = (body: string): Signed => ({ body, headers: { "content-type": "application/json", "x-hub-signature-256": signMetaBody(body, APP_SECRET) } });

/**
 * Bodies from a template (a placeholder replaced per request, then signed): a few microseconds each, so the
 * load generator spends no more per request on a webhook than on a bare GET.
 */
function inboundBodies(run: "load" | "light"): (i: number) => Signed {
  const areaCode = run === "load" ? "1202" : "1415"; // distinct senders per run (the backlog's are 1303…)
  const template = JSON.stringify(
    inboundMessage(NUMBER, { from: { waId: "__WAID__", name: "Bench __N__" }, wamid: "wamid.__RUN__-__N__", at: new Date(), text: "hello __N__" }),
  );
  return (i) => {
    const n = String(i);
    return signed(
      template
        .replace("__WAID__", `${areaCode}${n.padStart(7, "0")}`)
        .replaceAll("__N__", n)
        .replace("__RUN__", run),
    );
  };
}

/** One status ("delivered") for outbound message i (wamid.bench-out-<i>); i must stay below statusTargets. */
function statusBodies(): (i: number) => Signed {
  const template = JSON.stringify(statusUpdates(NUMBER, [{ wamid: "wamid.bench-out-__N__", recipient: "12020000001", status: "delivered", at: new Date() }]));
  return (i) => {
    if (i >= statusTargets) throw new Error("the status run ran out of outbound messages: raise BENCH_STATUS_TARGETS");
    return signed(template.replace("__N__", String(i)));
  };
}

/** autocannon POSTs to `path`, body i from `body(i)` (i counts across the runs that share `counter`). */
async function load(url: string, path: string, seconds: number, body: (i: number) => Signed, counter: { next: number }) {
  return autocannon({
    url,
    connections,
    duration: seconds,
    requests: [{ method: "POST", path, setupRequest: (r) => ({ ...r, ...body(counter.next++) }) }],
  });
}

async function waitFor(read: () => Promise<number>, target: number, timeoutMs: number): Promise<number> {
  const until = Date.now() + timeoutMs;
  let value = await read();
  while (value < target && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}

async function startBareServer(port: number): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [path.resolve("bench/bare-server.mjs"), String(port), APP_SECRET], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  await new Promise<void>((resolve, reject) => {
    child.once("message", () => resolve());
    child.once("exit", (code) => reject(new Error(`the bare server exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill("SIGTERM") };
}

const pct = (a: number, b: number) => `${((a / b) * 100).toFixed(0)} %`;

// outbound messages for the status runs: wamid.bench-out-<i>, one subscriber
const [sub] = await db
  .insert(subscribers)
  .values({ tenantId, waPhone: "+12020000001", waId: "12020000001", profileName: "Bench recipient", firstSeenAt: new Date() })
  .returning({ id: subscribers.id });
await db.execute(sql`insert into messages (tenant_id, subscriber_id, direction, wamid, type, status, provider_timestamp)
  select ${tenantId}, ${sub!.id}, 'outbound', 'wamid.bench-out-' || g, 'template', 'sent', now() from generate_series(0, ${statusTargets + statusBatches * 100}) g`);
await db.execute(sql`analyze messages`);
await db.execute(sql`checkpoint`); // the bulk insert's writes are not left to slow the first run

// ------------------------------------------------------------------ 1a. the bare server, same load
const bare = await startBareServer(3411);
const bareStatus = statusBodies();
const bareCounter = { next: 0 };
await load(bare.url, "/api/webhooks/whatsapp", 3, bareStatus, bareCounter);
const bareRun = await load(bare.url, "/api/webhooks/whatsapp", bareSeconds, bareStatus, bareCounter);
bare.stop();
const bareRate = bareRun.requests.average;

const server = await startBenchServer(3410);
try {
  // ------------------------------------------------------------------ 1b. single-status webhooks
  const statusCounter = { next: 0 };
  const status = statusBodies();
  const warmStatus = await load(server.url, "/api/webhooks/whatsapp", 3, status, statusCounter);
  await waitFor(deliveredCount, warmStatus["2xx"], 30_000);
  const deliveredBefore = await deliveredCount();
  const statusRun = await load(server.url, "/api/webhooks/whatsapp", duration, status, statusCounter);
  const statusEnd = Date.now();
  const statusApplied = (await waitFor(deliveredCount, deliveredBefore + statusRun["2xx"], 60_000)) - deliveredBefore;
  const statusAppliedMs = Date.now() - statusEnd;
  const statusLost = Math.max(0, statusRun["2xx"] - statusApplied);

  // ------------------------------------------------------------------ 1c. single-message webhooks
  const messageCounter = { next: 0 };
  const inbound = inboundBodies("load");
  const warmMessages = await load(server.url, "/api/webhooks/whatsapp", 3, inbound, messageCounter);
  await waitFor(inboundCount, warmMessages["2xx"], 30_000);
  const inboundBefore = await inboundCount();
  const messageRun = await load(server.url, "/api/webhooks/whatsapp", duration, inbound, messageCounter);
  const messageEnd = Date.now();
  const messageApplied = (await waitFor(inboundCount, inboundBefore + messageRun["2xx"], 60_000)) - inboundBefore;
  const messageAppliedMs = Date.now() - messageEnd;
  const messageLost = Math.max(0, messageRun["2xx"] - messageApplied);

  log(`Webhook ingestion, ${process.env.BENCH_SERVER === "next" ? "next start" : "server.mjs (npm start)"} on PostgreSQL, ${connections} connections`);
  log(`  bare node:http (HMAC + JSON.parse)  ${fmt(bareRate)} req/s   p50 ${bareRun.latency.p50} ms   p99 ${bareRun.latency.p99} ms   (${bareSeconds} s)`);
  log(
    `  single-status webhooks   ${fmt(statusRun.requests.average)} req/s   ${pct(statusRun.requests.average, bareRate)} of bare   p50 ${statusRun.latency.p50} ms   p99 ${statusRun.latency.p99} ms   non-2xx ${statusRun.non2xx}   errors ${statusRun.errors}   (${duration} s; target ≥ ${fmt(TARGET.statusRate)}/s: ${check(statusRun.requests.average >= TARGET.statusRate, "single-status rate")}, p99 ≤ ${TARGET.statusP99} ms: ${check(statusRun.latency.p99 <= TARGET.statusP99, "single-status p99")})`,
  );
  log(
    `    accepted ${fmt(statusRun["2xx"])}   applied ${fmt(statusApplied)}   all applied ${(statusAppliedMs / 1000).toFixed(1)} s after the load (≤ 10 s: ${check(statusAppliedMs <= TARGET.appliedWithinMs && statusLost === 0, "single-status applied within 10 s")})   lost ${statusLost} (${check(statusLost === 0 && statusRun.non2xx === 0 && statusRun.errors === 0, "single-status lost 0")})`,
  );
  log(
    `  single-message webhooks  ${fmt(messageRun.requests.average)} req/s   ${pct(messageRun.requests.average, bareRate)} of bare   p50 ${messageRun.latency.p50} ms   p99 ${messageRun.latency.p99} ms   non-2xx ${messageRun.non2xx}   errors ${messageRun.errors}   (${duration} s; target ≥ ${fmt(TARGET.messageRate)}/s: ${check(messageRun.requests.average >= TARGET.messageRate, "single-message rate")})`,
  );
  log(
    `    accepted ${fmt(messageRun["2xx"])}   applied ${fmt(messageApplied)}   all applied ${(messageAppliedMs / 1000).toFixed(1)} s after the load (≤ 10 s: ${check(messageAppliedMs <= TARGET.appliedWithinMs && messageLost === 0, "single-message applied within 10 s")})   lost ${messageLost} (${check(messageLost === 0 && messageRun.non2xx === 0 && messageRun.errors === 0, "single-message lost 0")})`,
  );

  // ------------------------------------------------------------------ 2. light load: stored → applied
  await new Promise((r) => setTimeout(r, 2_000)); // the server idles first (as the client's idle server did)
  const light = inboundBodies("light");
  const lightIds: string[] = [];
  const lightRun = await constantRate({
    url: server.url,
    path: "/api/webhooks/whatsapp",
    rate: lightRate,
    seconds: lightSeconds,
    connections: 4,
    request: (i) => light(i),
    onResponse: (statusCode, body) => {
      if (statusCode === 200) lightIds.push((JSON.parse(body) as { eventId: string }).eventId);
    },
  });
  await waitFor(() => processedOf(lightIds), lightIds.length, 30_000);
  const delays = (
    await db
      .select({ ms: sql<number>`extract(epoch from ${webhookEvents.processedAt} - ${webhookEvents.receivedAt}) * 1000` })
      .from(webhookEvents)
      .where(inArray(webhookEvents.id, lightIds))
  )
    .map((r) => (r.ms === null ? Infinity : Number(r.ms)))
    .sort((a, b) => a - b);
  const lightP99 = percentile(delays, 99);
  log();
  log(
    `Light load: ${lightRate} single-message webhooks/s for ${lightSeconds} s (${lightRun.completed} answered, answer p99 ${percentile(lightRun.latencies, 99).toFixed(0)} ms)`,
  );
  log(
    `  stored → applied   p50 ${percentile(delays, 50).toFixed(0)} ms   p99 ${lightP99.toFixed(0)} ms   max ${(delays.at(-1) ?? 0).toFixed(0)} ms   (target p99 ≤ ${fmt(TARGET.lightP99)} ms: ${check(lightP99 <= TARGET.lightP99 && delays.length === lightRun.sent, "light-load stored → applied p99")})`,
  );

  // ------------------------------------------------------------------ 3. status batches through the server
  const batchBase = statusTargets + 1;
  let batch = 0;
  const statusBatch = () => {
    const b = batch++;
    const at = new Date();
    const body = JSON.stringify(
      statusUpdates(
        NUMBER,
        Array.from({ length: 100 }, (_, k) => ({
          wamid: `wamid.bench-out-${batchBase + b * 100 + k}`,
          recipient: "12020000001",
          status: "delivered" as const,
          at,
        })),
      ),
    );
    return signed(body);
  };
  const deliveredBeforeBatches = await deliveredCount();
  const batchStart = Date.now();
  const batchRun = await autocannon({
    url: server.url,
    connections: 16,
    amount: statusBatches,
    requests: [{ method: "POST", path: "/api/webhooks/whatsapp", setupRequest: (r) => ({ ...r, ...statusBatch() }) }],
  });
  const batchTarget = deliveredBeforeBatches + statusBatches * 100;
  const batchDelivered = (await waitFor(deliveredCount, batchTarget, 120_000)) - deliveredBeforeBatches;
  const batchSeconds = (Date.now() - batchStart) / 1000;
  const batchRate = batchDelivered / batchSeconds;
  log();
  log(`Status batches: ${fmt(statusBatches)} POSTs × 100 statuses (${batchRun["2xx"]} accepted, p99 ${batchRun.latency.p99} ms)`);
  log(
    `  applied ${fmt(batchDelivered)} statuses in ${batchSeconds.toFixed(1)} s = ${fmt(batchRate)} statuses/s (target ≥ ${fmt(TARGET.statusBatchRate)}: ${check(batchRate >= TARGET.statusBatchRate, "status batches rate")})   lost ${statusBatches * 100 - batchDelivered} (${check(batchDelivered === statusBatches * 100, "status batches lost 0")})`,
  );
} finally {
  server.stop();
}

async function processedOf(ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await db
    .select({ n: count() })
    .from(webhookEvents)
    .where(sql`${inArray(webhookEvents.id, ids)} and ${webhookEvents.processedAt} is not null`);
  return Number(rows[0]?.n ?? 0);
}

// -------------------------------------------------------------------- 4. backlog drain, no server
await db.execute(sql`insert into webhook_events (tenant_id, provider, raw_body, signature_result, routed_phone_number_ids, status)
  select null, 'cloud', replace(${JSON.stringify(
    inboundMessage(NUMBER, { from: { waId: "1303__N__", name: "Backlog" }, wamid: "wamid.backlog-__N__", at: new Date(), text: "backlog" }),
  )}, '__N__', lpad(g::text, 7, '0')), 'valid', array[${NUMBER.phoneNumberId}]::text[], 'received'
  from generate_series(1, ${backlogSize}) g`);
const before = await countOf(messages);
const drainStart = Date.now();
await Promise.all([drainReceivedEvents(db, { budgetMs: 300_000 }), drainReceivedEvents(db, { budgetMs: 300_000 })]);
const drainSeconds = (Date.now() - drainStart) / 1000;
const drained = (await countOf(messages)) - before;
log();
log(`Backlog drain: ${fmt(backlogSize)} stored single-message events, 2 drainers`);
log(
  `  applied ${fmt(drained)} messages in ${drainSeconds.toFixed(1)} s = ${fmt(drained / drainSeconds)} messages/s (target ≥ ${fmt(TARGET.backlogRate)}: ${check(drained / drainSeconds >= TARGET.backlogRate, "backlog drain rate")})   lost ${backlogSize - drained} (${check(drained === backlogSize, "backlog lost 0")})`,
);

await handle.close();
await database.drop();

log();
if (misses.length > 0) {
  log(`MISSED: ${misses.join("; ")}`);
  process.exit(1);
}
log("All targets held.");
