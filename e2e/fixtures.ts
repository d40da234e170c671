// The specs' `test`: every spec file runs in a worker of its own (one Playwright project per file, see
// playwright.config.ts) and gets a server of its own on a database of its own, seeded as the file declares
// with test.use({ seed: … }) (e2e/workspace.ts). So a spec passes alone, in any order, and again.
import path from "node:path";
import { test as base } from "@playwright/test";
import { type App, startApp } from "./app-server";
import type { FakeGraph } from "./fakes/fake-graph";
import type { Seed } from "./workspace";

type WorkerFixtures = {
  /** what the database holds before the server opens it (default: nothing, a fresh console) */
  seed: Seed;
  /** this spec file's server */
  app: App;
  /** the fake Graph API this spec file's server calls */
  graph: FakeGraph;
};

export const test = base.extend<{ _serverLogOnFailure: void }, WorkerFixtures>({
  seed: [{}, { scope: "worker", option: true }],
  app: [
    async ({ seed }, provide, workerInfo) => {
      const name = `${workerInfo.project.name}-w${workerInfo.workerIndex}`;
      const logFile = path.join(workerInfo.project.outputDir, "e2e-servers", `${name}.log`);
      const app = await startApp({ name, seed, portOffset: workerInfo.parallelIndex, logFile });
      try {
        await provide(app);
      } finally {
        await app.stop();
      }
    },
    { scope: "worker", timeout: 180_000, title: "console server" },
  ],
  graph: [async ({ app }, provide) => provide(app.graph), { scope: "worker", title: "fake Graph API" }],
  baseURL: async ({ app }, provide) => provide(app.url),
  // the console's own API calls (page.request, context.request) carry its Origin, as its fetch() does in a
  // browser: lib/csrf.ts refuses cookie-authenticated writes without it
  extraHTTPHeaders: async ({ app }, provide) => provide({ origin: app.url }),
  // a failed test carries what the server printed while it ran
  _serverLogOnFailure: [
    async ({ app }, provide, testInfo) => {
      const from = app.log().length;
      await provide();
      if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach("server output", { body: app.log(from), contentType: "text/plain" });
    },
    { auto: true, box: true },
  ],
});

export { expect } from "@playwright/test";
