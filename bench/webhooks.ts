// npm run bench:webhooks – webhook ingestion against `next start` on the local PostgreSQL.
//   1. GET /api/health and signed single-message webhooks (distinct senders and ids), the same load
//      (16 connections, BENCH_SECONDS s each); prints both rates and their ratio, p99, and whether
//      every accepted webhook was applied within 10 s (`lost: 0`).
//   2. A stored-but-unprocessed backlog drained by two parallel drainers: messages/s.
//   3. Status batches (100 statuses per POST) for existing outbound messages: statuses applied/s.
// Needs `npm run build` first. Uses BENCH_DATABASE_URL, or a fresh database on postgres://postgres@127.0.0.1:5432.
import { randomBytes } from "node:crypto";
import autocannon from "autocannon";
import { count, eq, sql } from "drizzle-orm";
import { openDatabase } from "../db/client";
import { insertTenant, markPhoneNumberIdProven } from "../db/queries";
import { messages, subscribers, webhookEvents } from "../db/schema";
import { createNumber } from "../lib/numbers/numbers";
import { numberFormSchema } from "../lib/numbers/schemas";
import { drainReceivedEvents } from "../lib/whatsapp/processing-loop";
import { fakeWamid, inboundMessage, type PayloadNumber, statusUpdates } from "../lib/whatsapp/payloads";
import { signMetaBody } from "../lib/whatsapp/signature";
import { startBenchServer } from "./server";
import { freshDatabase } from "./database";

const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const duration = Number(process.env.BENCH_SECONDS ?? 30);
const backlogSize = Number(process.env.BENCH_BACKLOG ?? 30_000);
const statusBatches = Number(process.env.BENCH_STATUS_BATCHES ?? 600);
const ENCRYPTION_KEY = Buffer.alloc(32, 5).toString("base64");
const APP_SECRET = randomBytes(16).toString("hex");
const NUMBER: PayloadNumber = { phoneNumberId: "106540352242922", displayPhoneNumber: "15550783881", wabaId: "102290129340398" };

const fmt = (n: number) => Math.round(n).toLocaleString("en");
const log = (line = "") => console.info(line);

const database = await freshDatabase("ct_bench");
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

let seq = 0;
/** Bodies are built and signed before a run, so the load generator does no more per request than for GET /health. */
function pregenerate(run: string, n: number) {
  const list = Array.from({ length: n }, () => signedInbound(run));
  let i = 0;
  return () => {
    const next = list[i++];
    if (!next) throw new Error("pregenerated bodies ran out: raise the estimate");
    return next;
  };
}

function signedInbound(run: string) {
  const i = seq++;
  const body = JSON.stringify(
    inboundMessage(NUMBER, {
      from: { waId: `1202${String(i).padStart(7, "0")}`, name: `Bench ${i}` },
      wamid: fakeWamid(`${run}:${i}`),
      at: new Date(),
      text: `hello ${i}`,
    }),
  );
  return { body, headers: { "content-type": "application/json", "x-hub-signature-256": signMetaBody(body, APP_SECRET) } };
}

const server = await startBenchServer(3410);
try {
  // ------------------------------------------------------------------ 1. health vs webhooks, same load
  await autocannon({ url: `${server.url}/api/health`, connections, duration: 3 });
  const warmBodies = pregenerate("warm", 3 * 3_000);
  const warm = await autocannon({
    url: server.url,
    connections,
    duration: 3,
    requests: [{ method: "POST", path: "/api/webhooks/whatsapp", setupRequest: (r) => ({ ...r, ...warmBodies() }) }],
  });
  await waitApplied(warm["2xx"], 30_000);
  const health = await autocannon({ url: `${server.url}/api/health`, connections, duration });
  const eventsBefore = await countOf(webhookEvents);
  const messagesBefore = await countOf(messages);
  const burstBodies = pregenerate("burst", duration * 3_000);
  const hooks = await autocannon({
    url: server.url,
    connections,
    duration,
    requests: [{ method: "POST", path: "/api/webhooks/whatsapp", setupRequest: (r) => ({ ...r, ...burstBodies() }) }],
  });
  const burstEnd = Date.now();
  const accepted = hooks["2xx"];
  const applied = await waitApplied(messagesBefore + accepted, 60_000);
  const appliedAfterMs = Date.now() - burstEnd;
  const storedEvents = (await countOf(webhookEvents)) - eventsBefore;
  // every webhook answered 2xx (warm-up included) must be a stored event and an applied message;
  // requests still in flight when autocannon stops are stored but never counted as answered
  const lost = Math.max(0, warm["2xx"] + accepted - applied);
  const uncounted = Math.max(0, applied - warm["2xx"] - accepted);
  log(`Webhook ingestion, next start on PostgreSQL, ${connections} connections, ${duration} s each`);
  log(`  GET /api/health          ${fmt(health.requests.average)} req/s   p50 ${health.latency.p50} ms   p99 ${health.latency.p99} ms`);
  log(
    `  POST /api/webhooks (1 msg) ${fmt(hooks.requests.average)} req/s   p50 ${hooks.latency.p50} ms   p99 ${hooks.latency.p99} ms   non-2xx ${hooks.non2xx}   errors ${hooks.errors}`,
  );
  log(`  ratio webhooks / health  ${((hooks.requests.average / health.requests.average) * 100).toFixed(0)} %   (target ≥ 80 %, p99 ≤ 50 ms)`);
  log(
    `  accepted ${fmt(accepted)}   stored ${fmt(storedEvents)}   applied ${fmt(applied - messagesBefore)}   all applied ${appliedAfterMs <= 10_000 ? "within" : "after"} ${(appliedAfterMs / 1000).toFixed(1)} s of the burst (target ≤ 10 s)`,
  );
  log(`  lost: ${lost}   (in flight when the load stopped, stored and applied but not counted: ${uncounted})`);

  // ------------------------------------------------------------------ 3. status batches through the route
  const outbound = statusBatches * 100;
  const subId = (await db.select({ id: subscribers.id }).from(subscribers).limit(1))[0]!.id;
  await db.execute(sql`insert into messages (tenant_id, subscriber_id, direction, wamid, type, status, provider_timestamp)
    select ${tenantId}, ${subId}, 'outbound', 'wamid.bench-out-' || g, 'template', 'sent', now() from generate_series(1, ${outbound}) g`);
  let batch = 0;
  const statusBody = () => {
    const b = batch++;
    const body = JSON.stringify(
      statusUpdates(
        NUMBER,
        Array.from({ length: 100 }, (_, k) => ({
          wamid: `wamid.bench-out-${b * 100 + k + 1}`,
          recipient: "12020000001",
          status: "delivered" as const,
          at: new Date(),
        })),
      ),
    );
    return { body, headers: { "content-type": "application/json", "x-hub-signature-256": signMetaBody(body, APP_SECRET) } };
  };
  const statusStart = Date.now();
  const statusRun = await autocannon({
    url: server.url,
    connections,
    amount: statusBatches,
    requests: [{ method: "POST", path: "/api/webhooks/whatsapp", setupRequest: (r) => ({ ...r, ...statusBody() }) }],
  });
  const delivered = await waitFor(async () => countOf(messages, eq(messages.status, "delivered")), outbound, 120_000);
  const statusSeconds = (Date.now() - statusStart) / 1000;
  log();
  log(`Status batches: ${fmt(statusBatches)} POSTs × 100 statuses (${statusRun["2xx"]} accepted, p99 ${statusRun.latency.p99} ms)`);
  log(`  applied ${fmt(delivered)} statuses in ${statusSeconds.toFixed(1)} s = ${fmt(delivered / statusSeconds)} statuses/s (target ≥ 10,000)`);
  log(`  lost: ${outbound - delivered}`);
} finally {
  server.stop();
}

// -------------------------------------------------------------------- 2. backlog drain, no server
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
log(`  applied ${fmt(drained)} messages in ${drainSeconds.toFixed(1)} s = ${fmt(drained / drainSeconds)} messages/s (target ≥ 3,000)`);
log(`  lost: ${backlogSize - drained}`);

await handle.close();
await database.drop();

async function waitFor(read: () => Promise<number>, target: number, timeoutMs: number): Promise<number> {
  const until = Date.now() + timeoutMs;
  let value = await read();
  while (value < target && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}

async function waitApplied(targetMessages: number, timeoutMs: number): Promise<number> {
  return waitFor(() => countOf(messages, eq(messages.direction, "inbound")), targetMessages, timeoutMs);
}
