import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": import.meta.dirname, "server-only": `${import.meta.dirname}/db/testing/server-only-stub.ts` } },
  test: {
    environment: "node",
    include: ["{app,lib,db,scripts,components}/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // PGlite instances are memory-heavy and we have 2 cores: run files one at a time.
    fileParallelism: false,
    pool: "forks",
    // next-auth imports `next/server` without an extension; let vite resolve it (Node ESM cannot)
    server: { deps: { inline: ["next-auth"] } },
  },
});
