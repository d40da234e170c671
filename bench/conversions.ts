// npm run bench:conversions – the conversions API and CAPI forwarding against `next start` on the local
// PostgreSQL, with Meta's Graph API played by a fake HTTP server in this process.
//   1. POST /api/v1/conversions/whatsapp at a constant arrival rate of 300 requests/s (distinct eventIds, resolved by phone
//      to seeded click conversations) for BENCH_SECONDS s: achieved rate, p50/p95/p99, and every accepted
//      conversion delivered (each delivery runs right after its response).
//   2. Forwarding: a backlog of queued conversions drained through GET /api/cron/drip: events/s.
//   3. Chaos: 20 % of Graph answers are HTTP 500 while conversions arrive; the cron route drains the
//      retries until none is queued; sends at the fake must equal the unique event ids accepted.
// Needs `npm run build` first. Uses BENCH_DATABASE_URL, or a fresh database on postgres://postgres@127.0.0.1:5432.
import { count, eq, sql } from "drizzle-orm";
import { openDatabase } from "../db/client";
import { insertTenant } from "../db/queries";
import { conversions } from "../db/schema";
import { startFakeGraph } from "../e2e/fakes/fake-graph";
import { createApiKey } from "../lib/api-keys";
import { CAPI_FORWARD_JOB, CAPI_MAX_ATTEMPTS } from "../lib/conversions/deliver-policy";
import { createNumber } from "../lib/numbers/numbers";
import { numberFormSchema } from "../lib/numbers/schemas";
import { drainReceivedEvents } from "../lib/whatsapp/processing-loop";
import { inboundMessage, type PayloadNumber } from "../lib/whatsapp/payloads";
import { freshDatabase } from "./database";
import { constantRate, percentile } from "./constant-rate";
import { startBenchServer } from "./server";

const rate = Number(process.env.BENCH_RATE ?? 300);
const duration = Number(process.env.BENCH_SECONDS ?? 30);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const subscriberCount = Number(process.env.BENCH_SUBSCRIBERS ?? 20_000);
const backlogSize = Number(process.env.BENCH_BACKLOG ?? 20_000);
const chaosCount = Number(process.env.BENCH_CHAOS ?? 5_000);
const ENCRYPTION_KEY = Buffer.alloc(32, 5).toString("base64");
const CRON_SECRET = "bench-cron-secret-012345";
const TOKEN = "EAAG-bench-capi-token";
const DATASET = "1234567890123";
const NUMBER: PayloadNumber = { phoneNumberId: "106540352242922", displayPhoneNumber: "15550783881", wabaId: "102290129340398" };

const fmt = (n: number) => Math.round(n).toLocaleString("en");
const log = (line = "") => console.info(line);
const phoneOf = (i: number) => `1415${2_000_000 + (i % subscriberCount)}`;

// ------------------------------------------------------------------------------------ setup
const graph = await startFakeGraph();
graph.addDataset({ wabaId: NUMBER.wabaId, token: TOKEN, datasetId: DATASET });
const database = await freshDatabase("ct_bench_capi");
Object.assign(process.env, { DATABASE_URL: database.url, ENCRYPTION_KEY, CRON_SECRET, GRAPH_API_BASE: graph.url, GRAPH_API_VERSION: "v24.0" });
const handle = await openDatabase({ url: database.url, max: 8 });
await handle.migrate();
const db = handle.db;
const tenantId = (await insertTenant(db, { name: "Bench" })).id;
const number = await createNumber(
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
      accessToken: TOKEN,
      appSecret: "s",
      datasetId: DATASET,
    }),
  },
);
const apiKey = (await createApiKey(db, { tenantId, name: "bench", createdBy: null })).secret;

// subscribers who came from an ad click: stored webhooks, processed by the real ingestion
const template = JSON.stringify(
  inboundMessage(NUMBER, {
    from: { waId: "1415__N__", name: "Clicker" },
    wamid: "wamid.capi-__N__",
    at: new Date(Date.now() - 3_600_000),
    text: "Hi, is it available?",
    referral: {
      sourceUrl: "https://fb.me/ad",
      sourceId: "120226305854810726",
      sourceType: "ad",
      headline: "Sale",
      body: "b",
      mediaType: "image",
      mediaUrl: "https://x/i.jpg",
      ctwaClid: "Aff-bench-__N__",
    },
  }),
);
await db.execute(sql`insert into webhook_events (tenant_id, provider, raw_body, signature_result, routed_phone_number_ids, status)
  select null, 'cloud', replace(${template}, '__N__', (2000000 + g)::text), 'valid', array[${NUMBER.phoneNumberId}]::text[], 'received'
  from generate_series(0, ${subscriberCount - 1}) g`);
await drainReceivedEvents(db, { budgetMs: 300_000 });
// a live database has statistics for what it holds (autovacuum gathers them within a minute of a bulk
// load). Only the seeded tables: statistics taken of an empty conversions or jobs table would tell the
// planner it stays empty while the run fills it, which no live database keeps believing for long.
await db.execute(sql`analyze subscribers, conversations, messages, webhook_events, whatsapp_numbers, api_keys, tenants`);

const conversionCount = async (where?: ReturnType<typeof eq>) => Number((await db.select({ n: count() }).from(conversions).where(where))[0]?.n ?? 0);
const sentEventIds = () => graph.capiDeliveries.map((d) => (d.body.data as Array<{ event_id: string }>)[0]!.event_id);

async function until(read: () => Promise<number>, done: (v: number) => boolean, timeoutMs: number): Promise<number> {
  const stop = Date.now() + timeoutMs;
  let v = await read();
  while (!done(v) && Date.now() < stop) {
    await new Promise((r) => setTimeout(r, 100));
    v = await read();
  }
  return v;
}

/**
 * Conversions at a constant arrival rate (one every 1/rate s, open loop, latency from the due time; see
 * constant-rate.ts for why not autocannon's overallRate): the accepted event ids and the latencies.
 */
async function postConversions(run: string, opts: { seconds?: number; amount?: number; rate: number }) {
  const accepted = new Set<string>();
  const result = await constantRate({
    url: server.url,
    path: "/api/v1/conversions/whatsapp",
    rate: opts.rate,
    connections,
    ...(opts.seconds ? { seconds: opts.seconds } : { amount: opts.amount }),
    request: (n) => ({
      body: JSON.stringify({
        accountId: number.id,
        eventName: n % 3 === 0 ? "Purchase" : "LeadSubmitted",
        eventId: `${run}-${n}`,
        phoneE164: phoneOf(n * 7919),
        value: 10 + (n % 90),
        currency: "USD",
      }),
      headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
    }),
    onResponse: (status, body) => {
      if (status === 202) accepted.add((JSON.parse(body) as { eventId: string }).eventId);
    },
  });
  return { result, accepted, latencies: result.latencies };
}

async function cronDrain(): Promise<{ sent: number; ms: number }> {
  const started = Date.now();
  const res = await fetch(`${server.url}/api/cron/drip`, { headers: { authorization: `Bearer ${CRON_SECRET}` } });
  const body = (await res.json()) as { jobs: { done: number } };
  return { sent: body.jobs.done, ms: Date.now() - started };
}

const server = await startBenchServer(3420);
try {
  // ------------------------------------------------------------------ 1. the endpoint at a fixed rate
  await postConversions("warm", { seconds: 3, rate });
  await until(
    () => conversionCount(eq(conversions.status, "queued")),
    (n) => n === 0,
    30_000,
  );
  const deliveredBefore = graph.capiDeliveries.length;
  const load = await postConversions("load", { seconds: duration, rate });
  const loadEnd = Date.now();
  const queuedLeft = await until(
    () => conversionCount(eq(conversions.status, "queued")),
    (n) => n === 0,
    60_000,
  );
  const deliveredAfterMs = Date.now() - loadEnd;
  const loadSent = sentEventIds()
    .slice(deliveredBefore)
    .filter((id) => id.startsWith("load-"));
  const p = (q: number) => percentile(load.latencies, q).toFixed(1);
  log(
    `Conversions API, next start on PostgreSQL, fake Graph on loopback, constant arrival rate ${rate} req/s for ${duration} s over up to ${connections} connections`,
  );
  log(
    `  POST /api/v1/conversions/whatsapp  ${fmt(load.result.achievedRate)} req/s   p50 ${p(50)} ms   p95 ${p(95)} ms   p99 ${p(99)} ms   non-2xx ${load.result.non2xx}   errors ${load.result.errors}`,
  );
  log(
    `  target: holds ${rate} req/s with p95 ≤ 30 ms → ${load.result.achievedRate >= rate * 0.97 && percentile(load.latencies, 95) <= 30 ? "met" : "NOT met"}`,
  );
  log(
    `  accepted ${fmt(load.accepted.size)}   delivered right after the response ${fmt(loadSent.length)}   all sent ${(deliveredAfterMs / 1000).toFixed(1)} s after the load   still queued ${queuedLeft}`,
  );

  // ------------------------------------------------------------------ 2. forwarding a backlog through the cron route
  await db.execute(sql`insert into conversions (tenant_id, number_id, event_id, event_name, event_time, request_hash, conversation_id, subscriber_id, ctwa_clid, status, source)
    select c.tenant_id, c.number_id, 'backlog-' || row_number() over (order by c.id), 'LeadSubmitted', now() - interval '1 minute', 'bench', c.id, c.subscriber_id, c.ctwa_clid, 'queued', 'api'
    from (select * from conversations where ctwa_clid is not null order by id limit ${backlogSize}) c`);
  await db.execute(sql`insert into jobs (tenant_id, kind, dedupe_key, payload, run_at, max_attempts)
    select tenant_id, ${CAPI_FORWARD_JOB}, id::text, jsonb_build_object('tenantId', tenant_id, 'conversionId', id), now(), ${CAPI_MAX_ATTEMPTS}
    from conversions where event_id like 'backlog-%'`);
  await db.execute(sql`analyze conversions, jobs`);
  const backlogBefore = graph.capiDeliveries.length;
  const forwardStart = Date.now();
  let cronCalls = 0;
  while ((await conversionCount(eq(conversions.status, "queued"))) > 0 && Date.now() - forwardStart < 300_000) {
    await cronDrain();
    cronCalls++;
  }
  const forwardSeconds = (Date.now() - forwardStart) / 1000;
  const forwarded = graph.capiDeliveries.length - backlogBefore;
  log();
  log(`Forwarding: ${fmt(backlogSize)} queued conversions drained by GET /api/cron/drip (${cronCalls} call${cronCalls === 1 ? "" : "s"})`);
  log(`  sent ${fmt(forwarded)} events in ${forwardSeconds.toFixed(1)} s = ${fmt(forwarded / forwardSeconds)} events/s (target ≥ 500)`);

  // ------------------------------------------------------------------ 3. 20 % of Graph answers are 500s
  graph.setEventsChaos({ failureRate: 0.2 });
  const chaosBefore = graph.capiDeliveries.length;
  const failedGraphBefore = graph.requests.filter((r) => r.path.endsWith("/events")).length;
  const chaos = await postConversions("chaos", { amount: chaosCount, rate });
  const chaosStart = Date.now();
  let drains = 0;
  while ((await conversionCount(eq(conversions.status, "queued"))) > 0 && Date.now() - chaosStart < 600_000) {
    const { sent } = await cronDrain();
    drains++;
    if (sent === 0) await new Promise((r) => setTimeout(r, 1_000)); // the next retries are due within seconds
  }
  graph.setEventsChaos({ failureRate: 0 });
  const chaosSent = sentEventIds().slice(chaosBefore);
  const unique = new Set(chaosSent);
  const posts = graph.requests.filter((r) => r.path.endsWith("/events")).length - failedGraphBefore;
  const notSent = [...chaos.accepted].filter((id) => !unique.has(id)).length;
  const stillQueued = await conversionCount(eq(conversions.status, "queued"));
  const failed = await conversionCount(eq(conversions.status, "failed"));
  log();
  log(
    `Chaos: ${fmt(chaosCount)} conversions at ${rate} req/s while 20 % of Graph answers are HTTP 500, then the cron route until none is queued (${drains} calls, ${((Date.now() - chaosStart) / 1000).toFixed(1)} s)`,
  );
  log(`  unique event ids accepted ${fmt(chaos.accepted.size)}   POSTs to /events ${fmt(posts)} (${fmt(posts - chaosSent.length)} answered 500)`);
  log(
    `  sends at the fake ${fmt(chaosSent.length)}   unique ${fmt(unique.size)}   duplicates ${chaosSent.length - unique.size}   accepted but never sent ${notSent}   queued ${stillQueued}   failed ${failed}`,
  );
  log(`  exactly once: ${chaosSent.length === chaos.accepted.size && unique.size === chaos.accepted.size && notSent === 0 ? "yes" : "NO"}`);
} finally {
  server.stop();
  await handle.close();
  await database.drop();
  await graph.close();
}
