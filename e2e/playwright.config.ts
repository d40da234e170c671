import fs from "node:fs";
import path from "node:path";
import { defineConfig } from "@playwright/test";

// One project per spec file, so each file runs in a worker of its own, and that worker's `app` fixture
// (e2e/fixtures.ts) starts a `next start` of its own (requires a prior `next build`) on a database of its
// own: a new Postgres database when TEST_DATABASE_URL is set, otherwise a copy of the run's migrated
// PGlite directory. Ports come from the OS (or E2E_PORT + the worker's index). No spec depends on another.
const root = path.resolve(import.meta.dirname, "..");
process.env.E2E_RUN_ID ??= Date.now().toString(36); // workers inherit it
const specs = fs
  .readdirSync(import.meta.dirname)
  .filter((f) => f.endsWith(".spec.ts"))
  .sort();

export default defineConfig({
  testDir: ".",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false, // the tests of a file share its server and run in order
  // one spec file at a time: on 2 cores a second worker (`--workers 2`, each with its own server) saved
  // only 4-9 % of the wall time and doubles the CPU contention the specs' timeouts have to absorb
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  outputDir: path.join(root, "test-results"),
  globalSetup: "./global-setup.ts",
  globalTeardown: "./global-teardown.ts",
  use: {
    browserName: "chromium",
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", // Debian package; never `playwright install`
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  projects: specs.map((file) => ({ name: file.replace(/\.spec\.ts$/, ""), testMatch: file })),
});
