// Starts what `npm start` runs (server.mjs: Next behind the webhook fast path; needs a prior `npm run build`)
// for a bench, or plain `next start` with BENCH_SERVER=next: on DATABASE_URL when set, otherwise on a fresh
// PGlite directory that only this server opens. Returns its URL and a stop().
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export async function startBenchServer(port: number): Promise<{ url: string; stop: () => void }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ct-bench-"));
  // BENCH_PROFILE=<dir>: the server writes a V8 CPU profile there when it stops (open it in Chrome DevTools)
  const profile = process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(process.env.BENCH_PROFILE)}`] : [];
  const entry = process.env.BENCH_SERVER === "next" ? [path.resolve("node_modules/next/dist/bin/next"), "start"] : [path.resolve("server.mjs")];
  const child = spawn(process.execPath, [...profile, ...entry, "-p", String(port), "-H", "127.0.0.1"], {
    env: {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: "1",
      PGLITE_DIR: path.join(dataDir, "pglite"),
      AUTH_SECRET: process.env.AUTH_SECRET ?? "bench-auth-secret-0123456789abcdefghij",
      ENCRYPTION_KEY: process.env.ENCRYPTION_KEY ?? Buffer.alloc(32, 5).toString("base64"),
      CRON_SECRET: process.env.CRON_SECRET ?? "bench-cron-secret-012345",
      CRON_MODE: "external",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = () => {
    child.kill(process.env.BENCH_PROFILE ? "SIGINT" : "SIGTERM");
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  for (let i = 0; i < 120; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode} (did you run npm run build?)`);
    const ok = await fetch(`${url}/api/health`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return { url, stop };
    await new Promise((r) => setTimeout(r, 500));
  }
  stop();
  throw new Error("server did not become healthy within 60 s");
}
