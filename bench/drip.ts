// npm run bench:drip – drip runs over a large due queue on the local PostgreSQL, with the Cloud API and Green
// API played by fake HTTP servers (in a process of their own, bench/drip-fakes.ts), in two scenarios:
//   1. 20 numbers (10 Cloud with a bound template, 10 Green API) at 80 messages/s each, 100,000 due rows;
//   2. one Cloud number at 1,000 messages/s (Meta's highest throughput tier) for 60 s, beside other numbers at
//      80/s (BENCH_OTHERS of them, half Cloud, half Green), each with 60 s of rows.
// Each number's sends are counted per second at the fake, over the steady part of the run (from the first whole
// second after its first send to the last whole second before its last). Prints, per scenario, sends/s overall,
// per number its slowest, median and fastest second and its mean against its configured rate, duplicates (a
// recipient sent twice; each row has its own), and exits non-zero on a missed target: every number's every
// steady second at ≥ 95 % of its rate, and the 1,000/s number's within ±5 % for 60 s; duplicates 0.
// Uses BENCH_DATABASE_URL, or a fresh database per scenario on postgres://postgres@127.0.0.1:5432 named
// BENCH_DB_PREFIX_<time> (default ct_bench_drip). BENCH_SCENARIOS=1,2 picks scenarios; BENCH_ROWS, BENCH_RATE,
// BENCH_SECONDS, BENCH_TOP_RATE, BENCH_OTHERS and BENCH_LATENCY_MS (the fakes' answer time) change them.
import { count, eq, sql } from "drizzle-orm";
import { openDatabase } from "../db/client";
import { insertTenant } from "../db/queries";
import { outboundMessages, templates } from "../db/schema";
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { FakesReport, FakesStart } from "./drip-fakes";
import { runDrip } from "../lib/drip/dispatch";
import { parseHostRules } from "../lib/egress";
import { greenEgressPolicy } from "../lib/whatsapp/green-client";
import { createNumber } from "../lib/numbers/numbers";
import { numberFormSchema } from "../lib/numbers/schemas";
import { freshDatabase } from "./database";

const ENCRYPTION_KEY = Buffer.alloc(32, 5).toString("base64");
const PREFIX = process.env.BENCH_DB_PREFIX ?? "ct_bench_drip";
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 0);
const fmt = (n: number) => Math.round(n).toLocaleString("en");
const mb = () => Math.round(process.memoryUsage().rss / 1_048_576);

type NumberSpec = { provider: "cloud" | "green"; rate: number; rows: number };
type Scenario = { title: string; numbers: NumberSpec[]; /** the index of the number held within ±5 % (its every steady second) */ top?: number };

function scenarios(): Scenario[] {
  const rate = Number(process.env.BENCH_RATE ?? 80);
  const rows = Number(process.env.BENCH_ROWS ?? 100_000);
  const seconds = Number(process.env.BENCH_SECONDS ?? 60);
  const topRate = Number(process.env.BENCH_TOP_RATE ?? 1000);
  const others = Number(process.env.BENCH_OTHERS ?? 9);
  const twenty = Array.from({ length: 20 }, (_, i): NumberSpec => ({ provider: i < 10 ? "cloud" : "green", rate, rows: Math.round(rows / 20) }));
  const top: NumberSpec[] = [
    { provider: "cloud", rate: topRate, rows: topRate * seconds },
    ...Array.from({ length: others }, (_, i): NumberSpec => ({ provider: i % 2 === 0 ? "cloud" : "green", rate, rows: rate * seconds })),
  ];
  return [
    { title: `20 numbers at ${rate}/s, ${fmt(rows)} due rows`, numbers: twenty },
    { title: `one Cloud number at ${fmt(topRate)}/s for ${seconds} s, ${others} others at ${rate}/s`, numbers: top, top: 0 },
  ];
}

type Stats = { sender: string; provider: string; rate: number; sent: number; steadySeconds: number; min: number; median: number; max: number; mean: number };

function perNumberStats(specs: (NumberSpec & { sender: string })[], perSecond: Map<string, Map<number, number>>): Stats[] {
  return specs.map((s) => {
    const seconds = perSecond.get(s.sender) ?? new Map<number, number>();
    const keys = [...seconds.keys()].sort((a, b) => a - b);
    const sent = [...seconds.values()].reduce((a, b) => a + b, 0);
    // the steady part: whole seconds only (the first and last ones are partial)
    const steady: number[] = [];
    if (keys.length >= 3) for (let k = keys[0]! + 1; k <= keys[keys.length - 1]! - 1; k++) steady.push(seconds.get(k) ?? 0);
    const sorted = [...steady].sort((a, b) => a - b);
    return {
      sender: s.sender,
      provider: s.provider,
      rate: s.rate,
      sent,
      steadySeconds: steady.length,
      min: sorted[0] ?? 0,
      median: sorted[Math.floor(sorted.length / 2)] ?? 0,
      max: sorted[sorted.length - 1] ?? 0,
      mean: steady.length ? steady.reduce((a, b) => a + b, 0) / steady.length : 0,
    };
  });
}

/** The fakes in their own process (bench/drip-fakes.ts). */
async function startFakes(cloud: Record<string, string>, green: Record<string, string>) {
  const child = fork(fileURLToPath(new URL("./drip-fakes.ts", import.meta.url)), [], { execArgv: ["--import", "tsx"], stdio: "inherit" });
  const next = <T>(type: string) =>
    new Promise<T>((resolve) => {
      const on = (m: { type: string }) => {
        if (m.type !== type) return;
        child.off("message", on);
        resolve(m as T);
      };
      child.on("message", on);
    });
  const ready = next<{ graphUrl: string; greenUrl: string }>("ready");
  child.send({ type: "start", cloud, green, delayMs: LATENCY_MS } satisfies FakesStart);
  const { graphUrl, greenUrl } = await ready;
  return {
    graphUrl,
    greenUrl,
    report: async () => {
      const r = next<FakesReport>("report");
      child.send({ type: "report" });
      return r;
    },
    close: async () => {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.send({ type: "close" });
      await exited;
    },
  };
}

async function runScenario(scenario: Scenario, index: number): Promise<boolean> {
  const specs = scenario.numbers.map((n, i) => ({
    ...n,
    sender: n.provider === "cloud" ? `10654035${index}${String(i).padStart(6, "0")}` : `77${index}${String(i).padStart(6, "0")}`,
    token: `${n.provider}-bench-${index}-${i}`,
  }));
  const fakes = await startFakes(
    Object.fromEntries(specs.filter((s) => s.provider === "cloud").map((s) => [s.sender, s.token])),
    Object.fromEntries(specs.filter((s) => s.provider === "green").map((s) => [s.sender, s.token])),
  );
  const green = { url: fakes.greenUrl };
  const graph = { url: fakes.graphUrl };

  const database = await freshDatabase(PREFIX);
  const handle = await openDatabase({ url: database.url, max: 10 });
  await handle.migrate();
  const db = handle.db;
  const tenantId = (await insertTenant(db, { name: "Bench" })).id;
  // the fake Green API is on 127.0.0.1: allowed as an operator would with GREEN_API_HOSTS
  const greenEgress = greenEgressPolicy(parseHostRules("127.0.0.1"));
  const keys = { encryptionKey: ENCRYPTION_KEY, appUrl: "http://bench", greenEgress };
  const numberIds: string[] = [];
  for (const [i, s] of specs.entries()) {
    const input =
      s.provider === "cloud"
        ? { provider: "cloud", label: `Cloud ${i}`, phoneNumberId: s.sender, wabaId: "102290129340398", accessToken: s.token, appSecret: "s" }
        : { provider: "green", label: `Green ${i}`, greenApiUrl: green.url, greenInstanceId: s.sender, greenApiToken: s.token };
    const n = await createNumber(db, keys, {
      tenantId,
      input: numberFormSchema.parse({ ...input, phoneE164: `+1555078${String(3800 + i)}`, sendRatePerSecond: s.rate }),
    });
    numberIds.push(n.id);
  }
  const [template] = await db
    .insert(templates)
    .values({
      tenantId,
      name: "welcome",
      title: "Welcome",
      content: "Hello {{name}}, welcome to the course!",
      delayDays: 0,
      metaTemplate: { name: "welcome", language: "en_US", parameters: [{ key: "1", variable: "name" }] },
    })
    .returning();
  const seedStart = Date.now();
  let offset = 0;
  for (const [i, s] of specs.entries()) {
    // rows of all numbers interleaved in time, as enrollments arrive: each number's own rows oldest first
    await db.execute(sql`insert into ${outboundMessages} (tenant_id, number_id, phone, template_id, template_name, scheduled_at)
      select ${tenantId}::uuid, ${numberIds[i]!}::uuid, '+1' || (4152000000 + ${offset}::bigint + g)::text, ${template!.id}::uuid, 'welcome',
        now() - interval '1 minute' + (g::float8 / ${s.rows}) * interval '30 seconds'
      from generate_series(1, ${s.rows}) g`);
    offset += s.rows;
  }
  const rows = offset;
  await db.execute(sql`analyze ${outboundMessages}`);
  console.info(
    `Scenario ${index}: ${scenario.title} (local PostgreSQL, fake Cloud API + Green API; ${fmt(rows)} rows seeded in ${((Date.now() - seedStart) / 1000).toFixed(1)} s)`,
  );

  const rss: number[] = [mb()];
  const sampler = setInterval(() => rss.push(mb()), 5_000);
  const started = Date.now();
  let runs = 0;
  const totals = { claimed: 0, sent: 0, failed: 0, retried: 0, skipped: 0, cancelled: 0, lost: 0 };
  while (Date.now() - started < 600_000) {
    const r = await runDrip(db, { encryptionKey: ENCRYPTION_KEY, graph: { base: graph.url, version: "v24.0" }, greenEgress }, { budgetMs: 50_000 });
    runs++;
    for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += r[k];
    if (r.claimed === 0) break;
  }
  clearInterval(sampler);
  const report = await fakes.report();
  const perSecond = new Map(report.perSecond.map(([sender, counts]) => [sender, new Map(counts)]));
  const sendCount = report.sends;
  const seconds = (report.lastAt - report.firstAt) / 1000;
  const duplicates = report.duplicates;
  const sentRows = Number((await db.select({ n: count() }).from(outboundMessages).where(eq(outboundMessages.status, "sent")))[0]?.n ?? 0);
  const stats = perNumberStats(specs, perSecond);

  console.info(
    `  sent ${fmt(sendCount)} in ${seconds.toFixed(1)} s (first to last send) = ${fmt(sendCount / seconds)} sends/s overall (configured ${fmt(specs.reduce((a, s) => a + s.rate, 0))}/s) in ${runs} run${runs === 1 ? "" : "s"}`,
  );
  const misses: string[] = [];
  const line = (label: string, group: Stats[]) => {
    if (group.length === 0) return;
    const by = (f: (s: Stats) => number) => [...group].sort((a, b) => f(a) - f(b));
    const means = by((s) => s.mean);
    const rate = group[0]!.rate;
    console.info(
      `  ${label}: configured ${fmt(rate)}/s; per number over its steady seconds (${Math.min(...group.map((s) => s.steadySeconds))}–${Math.max(...group.map((s) => s.steadySeconds))} s): ` +
        `mean min ${means[0]!.mean.toFixed(1)} / median ${means[Math.floor(means.length / 2)]!.mean.toFixed(1)} / max ${means[means.length - 1]!.mean.toFixed(1)}; ` +
        `slowest second ${by((s) => s.min)[0]!.min} (${((by((s) => s.min)[0]!.min / rate) * 100).toFixed(1)} %), median second ${by((s) => s.median)[Math.floor(group.length / 2)]!.median}, fastest second ${by((s) => s.max)[group.length - 1]!.max}`,
    );
  };
  const top = scenario.top === undefined ? undefined : stats[scenario.top];
  if (top) line(`the ${fmt(top.rate)}/s number`, [top]);
  line(
    top ? "the other numbers" : "every number",
    stats.filter((s) => s !== top),
  );
  for (const s of stats) {
    if (s.steadySeconds < 1) misses.push(`${s.provider} ${s.sender}: no steady second`);
    else if (s.min < 0.95 * s.rate) misses.push(`${s.provider} ${s.sender} (${s.rate}/s): slowest second ${s.min}/s < 95 %`);
  }
  if (top) {
    if (top.max > 1.05 * top.rate) misses.push(`the ${top.rate}/s number: fastest second ${top.max}/s > 105 %`);
    if (top.steadySeconds < 58) misses.push(`the ${top.rate}/s number held its rate ${top.steadySeconds} s only (target 60 s)`);
  }
  if (duplicates > 0) misses.push(`${duplicates} duplicates`);
  if (sentRows !== sendCount) misses.push(`${fmt(sentRows)} rows sent but ${fmt(sendCount)} sends at the fakes`);
  console.info(
    `  duplicates: ${duplicates}   rows sent ${fmt(sentRows)} of ${fmt(rows)}   failed ${totals.failed}   retried ${totals.retried}   skipped ${totals.skipped}   lost ${totals.lost}`,
  );
  console.info(`  RSS MB: start ${rss[0]}, max ${Math.max(...rss)}, end ${rss[rss.length - 1]} (samples every 5 s)`);
  console.info(misses.length === 0 ? "  PASS" : `  FAIL: ${misses.join("; ")}`);

  await handle.close();
  await database.drop();
  await fakes.close();
  return misses.length === 0;
}

const pick = (process.env.BENCH_SCENARIOS ?? "1,2").split(",").map(Number);
let ok = true;
for (const [i, s] of scenarios().entries()) if (pick.includes(i + 1)) ok = (await runScenario(s, i + 1)) && ok;
if (!ok) process.exitCode = 1;
