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
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // PGlite instances are memory-heavy and we have 2 cores: run files one at a time.
    fileParallelism: false,
    pool: "forks",
    // next-auth imports `next/server` without an extension; let vite resolve it (Node ESM cannot)
    server: { deps: { inline: ["next-auth"] } },
  },
});
