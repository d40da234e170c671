// One console server per spec file: `next start` (requires a prior `next build`) on a database of its own,
// talking to a fake Graph API of its own, on ports the OS hands out (or E2E_PORT + the worker's index).
//
// The database is ready before the server opens it: a copy of the run's migrated PGlite template directory
// (see global-setup.ts), or a new Postgres database when TEST_DATABASE_URL is set. A spec's seed (its
// workspaces, users, demo data) is written then, by this process, which closes the database before the
// server starts: PGlite allows one process per directory, so nothing ever writes beside the server.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import type { Sql } from "postgres";
import { openDatabase } from "@/db/client";
import { type FakeGraph, startFakeGraph } from "./fakes/fake-graph";
import { type FakeTelegram, startFakeTelegram } from "./fakes/fake-telegram";
import { type Seed, type Seeded, seedWorkspaces } from "./workspace";

export const root = path.resolve(import.meta.dirname, "..");
const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");

/** The secrets every e2e server runs with (seeds encrypt with the same key). */
export const E2E_SECRETS = {
  AUTH_SECRET: "e2e-auth-secret-0123456789abcdefghijklmnop",
  ENCRYPTION_KEY: Buffer.alloc(32, 42).toString("base64"),
  CRON_SECRET: "e2e-cron-secret-0123456789",
};

/** This run's id (set by playwright.config.ts, inherited by the workers): names its directories and databases. */
export const runId = () => {
  const id = process.env.E2E_RUN_ID;
  if (!id) throw new Error("E2E_RUN_ID is not set: run the specs through `playwright test -c e2e`");
  return id;
};
export const runDir = () => path.join(root, ".e2e-data", runId());
export const templateDir = () => path.join(runDir(), "template", "pglite");
/** Throwaway Postgres databases of this run are named with this prefix (scripts/test-all.sh drops clicktrail_e2e_%). */
export const databasePrefix = () =>
  `clicktrail_e2e_${runId()
    .replace(/[^a-z0-9]/gi, "_")
    .toLowerCase()}_`;

export function isLocalDatabase(url: string) {
  return ["127.0.0.1", "localhost", "::1", "[::1]"].includes(new URL(url).hostname);
}

/** Runs `fn` with a connection to the Postgres server of TEST_DATABASE_URL (its admin database). */
export async function withAdminSql<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
  const { default: postgres } = await import("postgres");
  const sql = postgres(process.env.TEST_DATABASE_URL!, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export type App = {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  driver: "pglite" | "postgres";
  /** the fake Graph API this server calls (GRAPH_API_BASE) */
  graph: FakeGraph;
  /** the fake Telegram Bot API this server calls (TELEGRAM_API_BASE) */
  telegram: FakeTelegram;
  /** ids of the seeded users, by email */
  users: Seeded["users"];
  /** the server's output so far (stdout and stderr), from character `from` */
  log(from?: number): string;
  stop(): Promise<void>;
};

/** A port the OS says is free right now (E2E_PORT + offset when E2E_PORT is set). */
async function pickPort(offset: number): Promise<{ port: number; fixed: boolean }> {
  const fixed = process.env.E2E_PORT ? Number(process.env.E2E_PORT) + offset : 0;
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(e.code === "EADDRINUSE" ? new Error(`E2E_PORT=${process.env.E2E_PORT}: port ${fixed} is in use (unset E2E_PORT to use free ports)`) : e),
    );
    server.listen(fixed, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { port, fixed: fixed !== 0 };
}

/** The environment of a server: the worker's, less the test runner's own variables. */
function serverEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === "NODE_OPTIONS" || key.startsWith("PW_") || key.startsWith("PLAYWRIGHT_") || key.startsWith("TEST_") || key.startsWith("E2E_")) continue;
    env[key] = value;
  }
  return {
    ...env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    ...E2E_SECRETS,
    CRON_MODE: "external",
    GRAPH_API_VERSION: "v24.0",
    ADMIN_EMAIL: "",
    ADMIN_PASSWORD: "",
    BOOTSTRAP_API_KEY: "",
    // the specs' fake Green API listens on loopback: the operator allowlist lets the server reach it
    GREEN_API_HOSTS: "127.0.0.1",
    // and the specs' outgoing-webhook receivers too
    WEBHOOK_OUT_HOSTS: "127.0.0.1",
    ...extra,
  };
}

type Started = { child: ChildProcess; exited: Promise<number | null> };

function launch(port: number, env: NodeJS.ProcessEnv, logFile: string): Started {
  const out = fs.openSync(logFile, "a");
  // `next` itself, not npx: the pid we stop is the server's own (stopping npx would leave next-server behind)
  const child = spawn(process.execPath, [nextBin, "start", "-p", String(port), "-H", "127.0.0.1"], { cwd: root, env, stdio: ["ignore", out, out] });
  fs.closeSync(out);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code, signal) => resolve(code ?? (signal ? -1 : null))));
  return { child, exited };
}

/** Waits for GET /api/health to answer 200; false if the server exited first. */
async function waitReady(url: string, started: Started, timeoutMs: number): Promise<boolean> {
  let exited = false;
  void started.exited.then(() => (exited = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) return false;
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(10_000) });
      if (res.status === 200) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`the e2e server at ${url} was not ready after ${timeoutMs / 1000} s`);
}

async function stopProcess(started: Started) {
  if (started.child.exitCode !== null || started.child.signalCode !== null) return;
  started.child.kill("SIGTERM");
  const timer = setTimeout(() => started.child.kill("SIGKILL"), 10_000);
  await started.exited;
  clearTimeout(timer);
}

/**
 * Starts a server for one spec file (`name` is unique in the run). `portOffset` spreads E2E_PORT over
 * parallel workers. Everything it made (server, fake, database or directory) goes on stop().
 */
export async function startApp(opts: { name: string; seed: Seed; portOffset: number; logFile: string }): Promise<App> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  const driver = adminUrl ? ("postgres" as const) : ("pglite" as const);
  const dir = path.join(runDir(), opts.name);
  const databaseName = `${databasePrefix()}${opts.name.replace(/[^a-z0-9]/gi, "_").toLowerCase()}`.slice(0, 63);
  let databaseUrl = "";
  const dataDir = path.join(dir, "pglite");
  let graph: FakeGraph | undefined;
  let telegram: FakeTelegram | undefined;
  let started: Started | undefined;
  const stopNow = () => started?.child.kill("SIGKILL"); // the worker is going away without its teardown
  process.once("exit", stopNow);

  const cleanup = async () => {
    if (started) await stopProcess(started);
    process.removeListener("exit", stopNow);
    await graph?.close();
    await telegram?.close();
    if (driver === "postgres") {
      await withAdminSql((sql) => sql.unsafe(`drop database if exists "${databaseName}" with (force)`)).catch(() => {});
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  const t0 = Date.now();
  try {
    // 1. the database, migrated, with the spec's seed, closed again
    fs.mkdirSync(dir, { recursive: true });
    if (adminUrl) {
      const u = new URL(adminUrl);
      u.pathname = `/${databaseName}`;
      databaseUrl = u.toString();
      await withAdminSql(async (sql) => {
        await sql.unsafe(`drop database if exists "${databaseName}" with (force)`);
        await sql.unsafe(`create database "${databaseName}"`);
      });
    } else if (fs.existsSync(templateDir())) {
      fs.cpSync(templateDir(), dataDir, { recursive: true });
    }
    let users: Seeded["users"] = {};
    if (adminUrl || opts.seed.workspaces?.length) {
      const handle = await openDatabase(adminUrl ? { url: databaseUrl, max: 1 } : { dataDir, role: "e2e seed" });
      try {
        await handle.migrate();
        users = (await seedWorkspaces(handle.db, opts.seed.workspaces ?? [], E2E_SECRETS.ENCRYPTION_KEY)).users;
      } finally {
        await handle.close();
      }
    }

    // 2. the fake Graph API, then the server that calls it
    graph = await startFakeGraph();
    telegram = await startFakeTelegram();
    const databaseEnv = adminUrl ? { DATABASE_URL: databaseUrl, PGLITE_DIR: "" } : { DATABASE_URL: "", PGLITE_DIR: dataDir };
    const logFile = opts.logFile;
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    const t1 = Date.now();
    fs.writeFileSync(logFile, `[e2e] ${driver} database of ${opts.name} ready in ${((t1 - t0) / 1000).toFixed(1)} s\n`);
    for (let attempt = 1; ; attempt++) {
      const { port, fixed } = await pickPort(opts.portOffset);
      const url = `http://127.0.0.1:${port}`;
      const env = serverEnv({ ...databaseEnv, APP_URL: url, GRAPH_API_BASE: graph.url, TELEGRAM_API_BASE: telegram.url });
      started = launch(port, env, logFile);
      if (await waitReady(url, started, 120_000)) {
        fs.appendFileSync(logFile, `[e2e] server ready on ${url} in ${((Date.now() - t1) / 1000).toFixed(1)} s\n`);
        const fake = graph;
        const bot = telegram;
        return {
          url,
          port,
          driver,
          graph: fake,
          telegram: bot,
          users,
          log: (from = 0) => (fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").slice(from) : ""), // test-results/ may be wiped by another run
          stop: cleanup,
        };
      }
      const output = fs.readFileSync(logFile, "utf8");
      // another process took the port between our check and the server's bind: try another one
      if (!fixed && attempt < 3 && /EADDRINUSE/.test(output)) continue;
      throw new Error(
        `the e2e server (${opts.name}) exited before it was ready on port ${port}` +
          (fixed && /EADDRINUSE/.test(output) ? ` (E2E_PORT: port ${port} is in use)` : "") +
          `; its output:\n${output.slice(-4000)}`,
      );
    }
  } catch (e) {
    await cleanup();
    throw e;
  }
}
