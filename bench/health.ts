// npm run bench:health – GET /api/health under load (16 connections, 15 s by default).
// BENCH_URL=http://… measures a running server; otherwise one is started (see bench/server.ts).
import autocannon from "autocannon";
import { startBenchServer } from "./server";

const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const duration = Number(process.env.BENCH_SECONDS ?? 15);

const server = process.env.BENCH_URL ? { url: process.env.BENCH_URL, stop: () => {} } : await startBenchServer(3400);
try {
  await autocannon({ url: `${server.url}/api/health`, connections, duration: 2 }); // warm-up
  const r = await autocannon({ url: `${server.url}/api/health`, connections, duration });
  const db = ((await (await fetch(`${server.url}/api/health`)).json()) as { db: string }).db;
  console.info(`GET /api/health (${db}), ${connections} connections, ${duration} s`);
  console.info(`  requests/s  avg ${r.requests.average.toFixed(0)}   p50 ${r.requests.p50}`);
  console.info(`  latency ms  p50 ${r.latency.p50}   p90 ${r.latency.p90}   p99 ${r.latency.p99}   max ${r.latency.max}`);
  console.info(`  non-2xx ${r.non2xx}   errors ${r.errors}   timeouts ${r.timeouts}`);
  if (r.non2xx > 0 || r.errors > 0) process.exitCode = 1;
} finally {
  server.stop();
}
