import { existsSync } from "node:fs";
import path from "node:path";
import { defineConfig } from "vitest/config";

// The shared corpora (real payloads from Meta's docs and other projects) sit beside the project on the
// team's machines, not in a clone: without them the conformance suite is left out, and one line says so.
const corpora = ["webhooks", "peer"].map((name) => path.resolve(import.meta.dirname, "../shared/corpus", name));
const haveCorpora = corpora.every((dir) => existsSync(dir));
if (!haveCorpora && !process.env.VITEST_WORKER_ID) {
  console.info("conformance: ../shared/corpus/{webhooks,peer} not found beside the project, so test/conformance (the shared corpora suite) is skipped");
}

export default defineConfig({
  resolve: { alias: { "@": import.meta.dirname, "server-only": `${import.meta.dirname}/db/testing/server-only-stub.ts` } },
  test: {
    environment: "node",
    include: ["{app,lib,db,scripts,components,test}/**/*.test.ts"],
    exclude: haveCorpora ? [] : ["test/conformance/**"],
    // every test database starts from a template migrated once per run
    globalSetup: ["./test/global-setup.ts"],
    // every /api/v1 answer the tests produce is checked against the OpenAPI document (test/contract)
    setupFiles: ["./test/contract/setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // two files at a time (each its own databases and ports): the Postgres files wait on the server much of
    // the time, so two workers on 2 cores halve the run with TEST_DATABASE_URL and cut a sixth without it
    fileParallelism: true,
    maxWorkers: 2,
    pool: "forks",
    // next-auth imports `next/server` without an extension; let vite resolve it (Node ESM cannot)
    server: { deps: { inline: ["next-auth"] } },
  },
});
