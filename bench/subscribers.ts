// npm run bench:subscribers – the subscriber list, detail page, attribution report and CSV export at scale.
//   1. Seeds 1,000,000 subscribers and 2,000,000 conversations (50 ads in 20 ad sets and 10 campaigns, posts,
//      organic chats) plus messages and conversions with set-based SQL; target < 3 min.
//   2. Times the real lib/ functions: each list filter's first page and a deep keyset page (p95 ≤ 50 ms, search
//      ≤ 100 ms), the detail page (≤ 20 ms), the 30-day report (≤ 500 ms), and the whole export in a child
//      process (peak RSS < 300 MB). A missed target is measured once more (other processes share the 2 cores).
//   3. EXPLAIN ANALYZEs every statement those calls ran and fails on a Seq Scan of subscribers or conversations,
//      or on any scan that reads most of either table.
// Uses BENCH_DATABASE_URL, or a fresh database on postgres://postgres@127.0.0.1:5432 (dropped at the end).
// BENCH_SUBSCRIBERS / BENCH_CONVERSATIONS / BENCH_RUNS scale it down for a quick try; BENCH_VERBOSE=1 times each seed statement.
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { type Db, openDatabase } from "../db/client";
import * as schema from "../db/schema";
import { attributionReport } from "../lib/subscribers/attribution";
import { exportSubscribersCsv } from "../lib/subscribers/export";
import { listSubscribers } from "../lib/subscribers/list";
import { type SubscriberFilters, subscriberFiltersSchema } from "../lib/subscribers/list-filters";
import { loadSubscriberPage } from "../lib/subscribers/read";
import { freshDatabase } from "./database";
import { adId, campaignId, checkConsistency, DAY, explainCall, measure, type PlanCheck, RUNS, type Statement, seed, subscriberId, WARM_UP } from "./seed-scale";

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1_000_000);
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 2 * SUBSCRIBERS);
const PAGE = 50; // the console's page size
const DEEP_PAGES = 20;
const TARGET = { seedS: 180, list: 50, search: 100, detail: 20, report: 500, exportRssMb: 300 };

const log = (line = "") => console.info(line);
const ms = (n: number) => n.toFixed(1).padStart(7);
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

// ---------------------------------------------------------------------------------------------- export child
async function exportChild() {
  const env = process.env;
  const handle = await openDatabase({ url: env.BENCH_EXPORT_URL!, max: 2 });
  const baseRssMb = process.memoryUsage().rss / 1048576;
  const started = performance.now();
  let bytes = 0;
  let lines = 0;
  const rows = exportSubscribersCsv(handle.db, {
    tenantId: env.BENCH_EXPORT_TENANT!,
    filters: subscriberFiltersSchema.parse({}),
    now: new Date(env.BENCH_EXPORT_NOW!),
  });
  for await (const chunk of rows) {
    bytes += Buffer.byteLength(chunk);
    for (let i = chunk.indexOf("\r\n"); i !== -1; i = chunk.indexOf("\r\n", i + 2)) lines++;
  }
  const seconds = (performance.now() - started) / 1000;
  await handle.close();
  process.stdout.write(`${JSON.stringify({ rows: lines - 1, bytes, seconds, baseRssMb, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

function runExportChild(
  url: string,
  tenantId: string,
  now: Date,
): Promise<{ rows: number; bytes: number; seconds: number; baseRssMb: number; maxRssMb: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--export-child"], {
      env: { ...process.env, BENCH_EXPORT_URL: url, BENCH_EXPORT_TENANT: tenantId, BENCH_EXPORT_NOW: now.toISOString() },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop()!)) : reject(new Error(`export child exited with ${code}`))));
  });
}

// ---------------------------------------------------------------------------------------------- main

type Outcome = { name: string; value: string; target: string; pass: boolean };

async function main() {
  const now = new Date();
  const database = await freshDatabase("ct_bench_subs");
  const handle = await openDatabase({ url: database.url, max: 8 });
  const traceClient = postgres(database.url, { max: 1, onnotice: () => {} });
  const outcomes: Outcome[] = [];
  const plans: PlanCheck[] = [];
  const outcome = (name: string, value: string, target: string, pass: boolean) => outcomes.push({ name, value, target, pass });
  try {
    await handle.migrate();
    const db = handle.db;
    const fmt = (n: number) => n.toLocaleString("en");

    // ------------------------------------------------------------------ 1. seed
    const seeded = await seed(db, database.url, now, { subscribers: SUBSCRIBERS, conversations: CONVERSATIONS });
    const { tenant, counts } = seeded;
    log(
      `Seed: ${fmt(counts.subscribers)} subscribers, ${fmt(counts.conversations)} conversations, ${fmt(counts.messages)} messages, ${fmt(counts.conversions)} conversions (2 tenants)`,
    );
    log(
      `  ${seeded.seconds.toFixed(1)} s (target < ${TARGET.seedS} s): ${seeded.phase.join(", ")}; conversations.started_at correlation ${counts.corr.toFixed(3)}`,
    );
    outcome("seed", `${seeded.seconds.toFixed(1)} s`, `< ${TARGET.seedS} s`, seeded.seconds < TARGET.seedS);
    const consistency = await checkConsistency(database.url, tenant.tenantId);
    log(`  consistency: ${consistency.wrong} of ${fmt(consistency.checked)} sampled subscribers disagree with their conversations`);
    outcome("seed consistency", `${consistency.wrong} wrong`, "0", consistency.wrong === 0);

    const statements: Statement[] = [];
    const trace = {
      client: traceClient,
      log: statements,
      db: drizzle(traceClient, { schema, logger: { logQuery: (sql, params) => statements.push({ sql, params }) } }) as unknown as Db,
    };
    const sizes = { subscribers: tenant.subscribers, conversations: tenant.conversations };
    const base = { tenantId: tenant.tenantId, limit: PAGE, now };

    // ------------------------------------------------------------------ 2. list filters
    const f = (raw: Record<string, string>) => subscriberFiltersSchema.parse(raw);
    const range = { from: isoDay(new Date(now.getTime() - 200 * DAY)), to: isoDay(new Date(now.getTime() - 171 * DAY)) };
    const cases: [string, SubscriberFilters, number][] = [
      ["none", f({}), TARGET.list],
      ["q phone +1 202", f({ q: "+1 202" }), TARGET.search],
      ["q phone +44 7700", f({ q: "+44 7700" }), TARGET.search],
      ["q name Priya", f({ q: "Priya" }), TARGET.search],
      ["q name Olga Ivanova", f({ q: "Olga Ivanova" }), TARGET.search],
      ["q name Priya sort=first_seen", f({ q: "Priya", sort: "first_seen" }), TARGET.search],
      ["number (2nd)", f({ number: tenant.numbers[1]! }), TARGET.list],
      ["status=blocked", f({ status: "blocked" }), TARGET.list],
      ["lifecycle=customer", f({ lifecycle: "customer" }), TARGET.list],
      ["source=ad", f({ source: "ad" }), TARGET.list],
      ["source=organic", f({ source: "organic" }), TARGET.list],
      ["campaign (Black Friday)", f({ campaign: campaignId(3) }), TARGET.list],
      ["ad (#8)", f({ ad: adId(7) }), TARGET.list],
      ["clickId=yes", f({ clickId: "yes" }), TARGET.list],
      [`from/to ${range.from}…${range.to}`, f(range), TARGET.list],
      ["window=open", f({ window: "open" }), TARGET.list],
      ["sort=first_seen", f({ sort: "first_seen" }), TARGET.list],
      ["source=ad clickId=yes window=open", f({ source: "ad", clickId: "yes", window: "open" }), TARGET.list],
      ["campaign lifecycle=customer", f({ campaign: campaignId(0), lifecycle: "customer" }), TARGET.list],
      ["status=blocked sort=first_seen", f({ status: "blocked", sort: "first_seen" }), TARGET.list],
    ];
    log();
    log(`List: listSubscribers, ${PAGE} rows a page, p50 / p95 in ms over ${RUNS} runs after ${WARM_UP} warm-up (* = measured twice)`);
    log(
      `  ${"filter".padEnd(36)} ${"first p50".padStart(9)} ${"p95".padStart(7)}   ${"deep page".padEnd(10)} ${"p50".padStart(7)} ${"p95".padStart(7)}   target`,
    );
    for (const [name, filters, target] of cases) {
      const list = (d: Db, cursor?: string) => listSubscribers(d, { ...base, filters, cursor });
      let cursor: string | undefined;
      let page = 1;
      while (page <= DEEP_PAGES) {
        const next = (await list(db, cursor)).nextCursor;
        if (!next) break;
        cursor = next;
        page++;
      }
      const deepLabel = page > DEEP_PAGES ? `p${page}` : `p${page} last`;
      const first = await measure(target, () => list(db));
      const deep = await measure(target, () => list(db, cursor));
      const star = (r: { repeated: boolean }) => (r.repeated ? "*" : " ");
      log(
        `  ${name.padEnd(36)} ${ms(first.p50).padStart(9)} ${ms(first.p95)}${star(first)}  ${deepLabel.padEnd(10)} ${ms(deep.p50)} ${ms(deep.p95)}${star(deep)}  ≤ ${target}`,
      );
      outcome(`list ${name} · first`, `p95 ${first.p95.toFixed(1)} ms`, `≤ ${target} ms`, first.p95 <= target);
      outcome(`list ${name} · ${deepLabel}`, `p95 ${deep.p95.toFixed(1)} ms`, `≤ ${target} ms`, deep.p95 <= target);
      plans.push(...(await explainCall(trace, sizes, `${name} · first`, (d) => list(d))));
      plans.push(...(await explainCall(trace, sizes, `${name} · ${deepLabel}`, (d) => list(d, cursor))));
    }

    // ------------------------------------------------------------------ 3. detail, report
    const ids = (
      await traceClient.unsafe<{ id: string }[]>(
        `select ${subscriberId(tenant, `(1 + floor(random() * ${tenant.subscribers}))::int`)}::text as id from generate_series(1, ${RUNS + WARM_UP})`,
      )
    ).map((r) => r.id);
    const detail = await measure(TARGET.detail, (i) => loadSubscriberPage(db, { tenantId: tenant.tenantId, id: ids[(i + ids.length) % ids.length]! }));
    plans.push(...(await explainCall(trace, sizes, "detail", (d) => loadSubscriberPage(d, { tenantId: tenant.tenantId, id: ids[0]! }))));
    const to = isoDay(now);
    const from = isoDay(new Date(now.getTime() - 29 * DAY));
    const reportOf = (d: Db) => attributionReport(d, { tenantId: tenant.tenantId, from, to });
    const report = await measure(TARGET.report, () => reportOf(db));
    const shape = await reportOf(db);
    plans.push(...(await explainCall(trace, sizes, "report", reportOf)));
    log();
    log(
      `Detail: loadSubscriberPage, random subscribers   p50 ${ms(detail.p50)}  p95 ${ms(detail.p95)}${detail.repeated ? "*" : ""}  (target ≤ ${TARGET.detail} ms)`,
    );
    log(`Report: attributionReport ${from}…${to}   p50 ${ms(report.p50)}  p95 ${ms(report.p95)}${report.repeated ? "*" : ""}  (target ≤ ${TARGET.report} ms)`);
    log(
      `  ${fmt(shape.total.conversations)} ad conversations, ${fmt(shape.total.subscribers)} subscribers, ${fmt(shape.total.converted)} converted, ${shape.campaigns.length} campaigns`,
    );
    outcome("detail", `p95 ${detail.p95.toFixed(1)} ms`, `≤ ${TARGET.detail} ms`, detail.p95 <= TARGET.detail);
    outcome("report 30 days", `p95 ${report.p95.toFixed(1)} ms`, `≤ ${TARGET.report} ms`, report.p95 <= TARGET.report);

    // ------------------------------------------------------------------ 4. export (child process)
    const exported = await runExportChild(database.url, tenant.tenantId, now);
    log();
    log(`Export: exportSubscribersCsv, all rows, child process`);
    log(
      `  ${fmt(exported.rows)} rows, ${(exported.bytes / 1048576).toFixed(0)} MB in ${exported.seconds.toFixed(1)} s (${fmt(Math.round(exported.rows / exported.seconds))} rows/s), peak RSS ${exported.maxRssMb.toFixed(0)} MB (target < ${TARGET.exportRssMb} MB; ${exported.baseRssMb.toFixed(0)} MB before the first row)`,
    );
    outcome("export rows", fmt(exported.rows), fmt(tenant.subscribers), exported.rows === tenant.subscribers);
    outcome("export peak RSS", `${exported.maxRssMb.toFixed(0)} MB`, `< ${TARGET.exportRssMb} MB`, exported.maxRssMb < TARGET.exportRssMb);
    const exportQuery = async (d: Db) => {
      let chunks = 0;
      for await (const _chunk of exportSubscribersCsv(d, { tenantId: tenant.tenantId, filters: f({}), now })) if (++chunks > 2) break;
    };
    plans.push(...(await explainCall(trace, sizes, "export pages 1–2", exportQuery)));

    // ------------------------------------------------------------------ 5. plans
    log();
    log("Plans (EXPLAIN ANALYZE of each statement run): top node › scans (rows read)");
    for (const p of plans) {
      log(`  ${p.problems.length ? "FAIL" : "ok  "} ${p.label}: ${p.top} › ${p.scans.join(", ")}`);
      for (const problem of p.problems) log(`         ${problem}`);
    }
    const badPlans = plans.filter((p) => p.problems.length > 0);
    outcome(
      "plans",
      `${plans.length - badPlans.length} of ${plans.length} use indexes`,
      "no Seq Scan / full read of subscribers or conversations",
      badPlans.length === 0,
    );
  } finally {
    await traceClient.end();
    await handle.close();
    await database.drop();
  }

  log();
  log("Summary");
  for (const o of outcomes) log(`  ${o.pass ? "PASS" : "FAIL"}  ${o.name.padEnd(52)} ${o.value.padEnd(22)} target ${o.target}`);
  const failed = outcomes.filter((o) => !o.pass);
  log(failed.length ? `\n${failed.length} of ${outcomes.length} targets FAILED` : `\nAll ${outcomes.length} targets passed`);
  if (failed.length) process.exitCode = 1;
}

if (process.argv.includes("--export-child")) await exportChild();
else await main();
