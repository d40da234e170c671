// The self-hosted server (`npm start`; needs a prior `next build`): one node:http server in front of Next's
// request handler. Webhook requests (POST /api/webhooks/whatsapp, /gupshup/{token}, /green/{numberId} and
// Meta's GET handshake) are answered by lib/webhook-server.ts without Next's per-request pipeline, with the
// same functions as the route handlers; everything else goes to Next. Plain JavaScript on purpose: it runs
// with `node` alone, and the TypeScript it calls is the build's own compiled instrumentation (instrumentation.ts).
//
//   node server.mjs [-p|--port 3000] [-H|--hostname 0.0.0.0]   (or PORT), as `next start`
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const dir = path.dirname(fileURLToPath(import.meta.url));

function option(short, long) {
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === short || args[i] === long) return args[i + 1];
    if (args[i].startsWith(`${long}=`)) return args[i].slice(long.length + 1);
  }
  return undefined;
}

const port = Number(option("-p", "--port") ?? process.env.PORT ?? 3000);
const hostname = option("-H", "--hostname") ?? "0.0.0.0"; // as `next start`: not $HOSTNAME (shells set it to the machine's name)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`[clicktrail] not a port: ${port}`);
  process.exit(1);
}

// as `next start` does: production mode, and the server runtime instrumentation.ts checks for
process.env.NODE_ENV = "production";
process.env.NEXT_RUNTIME ??= "nodejs";

const require = createRequire(import.meta.url);
const { default: next } = await import("next");
const app = next({ dev: false, dir, hostname, port });
await app.prepare();
const nextHandler = app.getRequestHandler();

// Startup (environment, database and migrations, background loops) runs here, once, before the port opens:
// the build's instrumentation register() is what Next itself would call on its first request.
let instrumentation;
try {
  instrumentation = require(path.join(dir, ".next", "server", "instrumentation.js"));
} catch (e) {
  console.error(`[clicktrail] cannot load the build's instrumentation (run \`npm run build\` first): ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}
await (instrumentation.register ?? instrumentation.default?.register)?.();

/** @type {((req: http.IncomingMessage, res: http.ServerResponse) => boolean) | undefined} */
const webhookFastPath = globalThis[Symbol.for("clicktrail.webhookFastPath")];
if (!webhookFastPath) console.warn("[clicktrail] the webhook fast path is not available: Next answers webhooks too");

const server = http.createServer((req, res) => {
  if (webhookFastPath?.(req, res)) return;
  void nextHandler(req, res);
});
server.on("error", (e) => {
  console.error(`[clicktrail] cannot listen on ${hostname}:${port}: ${e.message}`);
  process.exit(1);
});
server.listen(port, hostname, () => {
  const address = server.address();
  const shown = typeof address === "object" && address ? address.port : port;
  console.info(`[clicktrail] ready on http://${hostname === "0.0.0.0" ? "localhost" : hostname}:${shown}`);
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.close();
    process.exit(0);
  });
}
