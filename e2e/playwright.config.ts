import path from "node:path";
import { defineConfig } from "@playwright/test";

// One `next start` (requires a prior `next build`) on a fresh database that only it opens:
// a new Postgres database when TEST_DATABASE_URL is set, otherwise a new PGlite directory.
const root = path.resolve(import.meta.dirname, "..");
const PORT = Number(process.env.E2E_PORT ?? 3200);
const runId = (process.env.E2E_RUN_ID ??= Date.now().toString(36)); // workers inherit it
// the fake Graph API the specs start on loopback (the server reaches it through GRAPH_API_BASE)
const GRAPH_PORT = Number((process.env.E2E_GRAPH_PORT ??= String(PORT + 91)));
const adminUrl = process.env.TEST_DATABASE_URL;
if (adminUrl && !process.env.E2E_DATABASE_URL) {
  const u = new URL(adminUrl);
  u.pathname = `/clicktrail_e2e_${runId}`;
  process.env.E2E_DATABASE_URL = u.toString();
}
const databaseEnv: Record<string, string> = process.env.E2E_DATABASE_URL
  ? { DATABASE_URL: process.env.E2E_DATABASE_URL }
  : { DATABASE_URL: "", PGLITE_DIR: path.join(root, ".e2e-data", `pglite-${runId}`) };

export default defineConfig({
  testDir: ".",
  testMatch: "*.spec.ts",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1, // the specs share one server and walk through first-run setup in order
  retries: 0,
  reporter: [["list"]],
  outputDir: path.join(root, "test-results"),
  globalSetup: "./global-setup.ts",
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    browserName: "chromium",
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", // Debian package; never `playwright install`
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    },
  },
  webServer: {
    command: `node_modules/.bin/tsx e2e/prepare-db.ts && exec node_modules/.bin/next start -p ${PORT} -H 127.0.0.1`,
    cwd: root,
    url: `http://127.0.0.1:${PORT}/api/health`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      ...databaseEnv,
      NEXT_TELEMETRY_DISABLED: "1",
      APP_URL: `http://127.0.0.1:${PORT}`,
      AUTH_SECRET: "e2e-auth-secret-0123456789abcdefghijklmnop",
      ENCRYPTION_KEY: Buffer.alloc(32, 42).toString("base64"),
      CRON_SECRET: "e2e-cron-secret-0123456789",
      CRON_MODE: "external",
      GRAPH_API_BASE: `http://127.0.0.1:${GRAPH_PORT}`,
      GRAPH_API_VERSION: "v24.0",
      ADMIN_EMAIL: "",
      ADMIN_PASSWORD: "",
      BOOTSTRAP_API_KEY: "",
    },
  },
});
