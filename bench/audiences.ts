// npm run bench:audiences – one full Custom Audience sync of 1,000,000 subscribers through the real job handler
// (lib/audiences/sync.ts) on the local PostgreSQL, with Meta's Graph API played by the fake in this process
// (counters only: it keeps no rows). Seeds with one INSERT … SELECT generate_series, ANALYZEs, then runs the job
// until it is done and prints: users sent, batches, the largest request (≤ 10,000 rows), seconds, users/s (target
// ≥ 20,000), peak RSS and heap (target ≤ 400 MiB RSS), and members stored = reachable subscribers. Exits 1 on a miss.
// Uses BENCH_DATABASE_URL (kept) or a fresh database on postgres://postgres@127.0.0.1:5432 (dropped at the end).
import { performance } from "node:perf_hooks";
import { sql } from "drizzle-orm";
import { openDatabase } from "../db/client";
import { insertTenant } from "../db/queries";
import { getJobByKey } from "../db/queries/jobs";
import { rowsOf } from "../db/migrations-info";
import { metaAudiences } from "../db/schema";
import { startFakeGraph } from "../e2e/fakes/fake-graph";
import { encryptSecret } from "../lib/crypto";
import { runJobNow } from "../lib/jobs/queue";
import { AUDIENCE_SYNC_JOB, type AudienceSyncTimings, audienceSyncHandler, audienceSyncJobKey, requestAudienceSync } from "../lib/audiences/sync";
import { freshDatabase } from "./database";

const COUNT = Number(process.env.BENCH_SUBSCRIBERS ?? 1_000_000);
const TARGET_RATE = 20_000; // users/s
const TARGET_RSS_MIB = 400;
const ENCRYPTION_KEY = Buffer.alloc(32, 3).toString("base64");
const TOKEN = "EAAB-bench-audience-token";
const ACT = "1234567890";

const fmt = (n: number) => Math.round(n).toLocaleString("en");
const mib = (bytes: number) => bytes / 1_048_576;
const log = (line = "") => console.info(line);
const verdict = (ok: boolean) => (ok ? "met" : "MISSED");

const graph = await startFakeGraph({ audienceLog: "counts" });
graph.addAdAccount({ id: ACT, token: TOKEN });
const metaAudienceId = graph.addCustomAudience({ adAccountId: ACT, name: "All WhatsApp subscribers" });
const database = await freshDatabase("ct_bench_audiences");
const handle = await openDatabase({ url: database.url, max: 8 });
let failed = false;
try {
  await handle.migrate();
  const db = handle.db;
  const tenantId = (await insertTenant(db, { name: "Bench audiences" })).id;
  const other = (await insertTenant(db, { name: "Another workspace" })).id;

  // ------------------------------------------------------------------------------------------- seed
  let t = performance.now();
  const now = new Date();
  // 1 % opted out, 0.5 % blocked, 0.5 % without a phone (business-scoped id only), 10 % gone quiet (inactive);
  // one in five has an email in custom fields; first seen over the last year
  await db.execute(
    sql.raw(`
    insert into subscribers (tenant_id, wa_phone, wa_id, user_id, profile_name, first_seen_at, status, custom_fields)
    select '${tenantId}',
      case when g % 200 = 7 then null else '+1' || (2000000000 + g)::text end,
      case when g % 200 = 7 then null else '1' || (2000000000 + g)::text end,
      case when g % 200 = 7 then 'US.bench.' || g end,
      'Subscriber ' || g,
      '${now.toISOString()}'::timestamptz - (g * interval '31 seconds'),
      case when g % 100 = 3 then 'opted_out' when g % 200 = 5 then 'blocked' when g % 10 = 1 then 'inactive' else 'active' end,
      case when g % 5 = 0 then jsonb_build_object('email', 'Person.' || g || '@Example.com ') else '{}'::jsonb end
    from generate_series(1, ${COUNT}) g`),
  );
  // another workspace's people must never be sent
  await db.execute(
    sql.raw(`
    insert into subscribers (tenant_id, wa_phone, wa_id, first_seen_at)
    select '${other}', '+44' || (7000000000 + g)::text, '44' || (7000000000 + g)::text, now() - g * interval '1 minute'
    from generate_series(1, 10000) g`),
  );
  await db.execute(sql`analyze subscribers`);
  const seedS = (performance.now() - t) / 1000;
  const reachable = Number(
    rowsOf<{ n: string | number }>(
      await db.execute(
        sql`select count(*) as n from subscribers where tenant_id = ${tenantId}::uuid and status in ('active', 'inactive') and wa_phone is not null`,
      ),
    )[0]!.n,
  );
  log(`seeded ${fmt(COUNT)} subscribers (${fmt(reachable)} reachable) + 10,000 in another workspace in ${seedS.toFixed(1)} s`);

  const [audience] = await db
    .insert(metaAudiences)
    .values({ tenantId, adAccountId: ACT, audienceId: metaAudienceId, name: "All WhatsApp subscribers", accessTokenEnc: encryptSecret(TOKEN, ENCRYPTION_KEY) })
    .returning();

  // ------------------------------------------------------------------------------------------- sync
  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
    graph.requests.length = 0; // the fake server's request log (whole bodies) is not the sync's memory
  };
  const sampler = setInterval(sample, 25);
  const timings: AudienceSyncTimings = { readMs: 0, hashMs: 0, sendMs: 0, saveMs: 0 };
  const handler = audienceSyncHandler(db, {
    encryptionKey: ENCRYPTION_KEY,
    graph: { base: graph.url, version: "v24.0", timeoutMs: 60_000 },
    timings,
  });
  const key = audienceSyncJobKey(audience!.id);
  t = performance.now();
  await requestAudienceSync(db, { tenantId, audienceId: audience!.id, now: new Date(), full: true }, { runInProcess: false });
  let runs = 0;
  for (;;) {
    runs++;
    const outcome = await runJobNow(db, { kind: AUDIENCE_SYNC_JOB, dedupeKey: key, handlers: { [AUDIENCE_SYNC_JOB]: handler } });
    const job = await getJobByKey(db, { kind: AUDIENCE_SYNC_JOB, dedupeKey: key });
    if (outcome !== "done" || job?.status !== "pending") {
      if (outcome !== "done") throw new Error(`the sync job ended "${outcome}": ${job?.lastError}`);
      break;
    }
  }
  const seconds = (performance.now() - t) / 1000;
  clearInterval(sampler);
  sample();

  const stats = graph.audienceStats;
  const members = Number(
    rowsOf<{ n: string | number }>(await db.execute(sql`select count(*) as n from meta_audience_members where audience_id = ${audience!.id}::uuid`))[0]!.n,
  );
  const strangers = Number(
    rowsOf<{ n: string | number }>(
      await db.execute(sql`select count(*) as n from meta_audience_members where audience_id = ${audience!.id}::uuid and tenant_id <> ${tenantId}::uuid`),
    )[0]!.n,
  );
  const view = rowsOf<{ size_sent: number; added_total: number; sync_status: string }>(
    await db.execute(sql`select size_sent, added_total, sync_status from meta_audiences where id = ${audience!.id}::uuid`),
  )[0]!;
  const rate = stats.rowsAdded / seconds;
  const firstRun = { requests: stats.requests, rowsAdded: stats.rowsAdded, maxRows: stats.maxRows, rowsRemoved: stats.rowsRemoved, timings: { ...timings } };

  // the periodic full run on an audience already in step: walks everyone, sends nothing
  t = performance.now();
  await requestAudienceSync(db, { tenantId, audienceId: audience!.id, now: new Date(), full: true }, { runInProcess: false });
  const again = await runJobNow(db, { kind: AUDIENCE_SYNC_JOB, dedupeKey: key, handlers: { [AUDIENCE_SYNC_JOB]: handler } });
  const rerunS = (performance.now() - t) / 1000;
  const rerunQuiet = again === "done" && stats.requests === firstRun.requests;

  const checks = {
    rate: rate >= TARGET_RATE,
    rss: mib(peakRss) <= TARGET_RSS_MIB,
    batch: firstRun.maxRows <= 10_000,
    members: members === reachable && firstRun.rowsAdded === reachable && strangers === 0 && view.size_sent === reachable,
    rerun: rerunQuiet,
  };
  log();
  log(`users sent             ${fmt(firstRun.rowsAdded)} (rows removed ${fmt(firstRun.rowsRemoved)}, refused requests ${stats.refused})`);
  log(`batches                ${fmt(firstRun.requests)} in ${runs} run(s) of the job`);
  log(`max rows per request   ${fmt(firstRun.maxRows)} (≤ 10,000: ${verdict(checks.batch)})`);
  log(`seconds                ${seconds.toFixed(1)}`);
  log(`users/s                ${fmt(rate)} (target ≥ ${fmt(TARGET_RATE)}: ${verdict(checks.rate)})`);
  log(`peak RSS / heap        ${mib(peakRss).toFixed(0)} / ${mib(peakHeap).toFixed(0)} MiB (RSS ≤ ${TARGET_RSS_MIB} MiB: ${verdict(checks.rss)})`);
  log(
    `members in the table   ${fmt(members)} = reachable subscribers ${fmt(reachable)}, size_sent ${fmt(view.size_sent)}, other workspace's ${strangers}, status ${view.sync_status}: ${verdict(checks.members)}`,
  );
  log(`full re-run, in step   ${rerunS.toFixed(1)} s, ${stats.requests - firstRun.requests} requests (nothing to send: ${verdict(checks.rerun)})`);
  log(
    `where the time went    (first run) read ${(firstRun.timings.readMs / 1000).toFixed(1)} s (one batch ahead, overlapping the sends and writes) · ` +
      `hash ${(firstRun.timings.hashMs / 1000).toFixed(1)} s · Meta's answers ${(firstRun.timings.sendMs / 1000).toFixed(1)} s · member writes ${(firstRun.timings.saveMs / 1000).toFixed(1)} s`,
  );
  failed = Object.values(checks).some((ok) => !ok);
} catch (e) {
  console.error(e);
  failed = true;
} finally {
  await handle.close();
  await graph.close();
  await database.drop();
}
process.exit(failed ? 1 : 0);
