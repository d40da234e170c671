// The self-hosted server's fast path for webhooks (server.mjs): node:http requests to the webhook URLs are
// answered here, without Next.js's per-request pipeline (routing, proxy, Web Request/Response objects),
// by the same takeWebhook the route handlers call. Everything else goes on to Next. The answers are the
// route handlers' own: status codes, JSON bodies, and the security headers next.config.ts adds to /api/*.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Db } from "@/db/client";
import { API_CONTENT_SECURITY_POLICY, STATIC_SECURITY_HEADERS } from "./security-headers";
import { readNodeBody, unreadBodyAnswer } from "./webhook-http";
import { type Defer, type WebhookTarget, takeWebhook, takeWebhookHandshake } from "./webhook-intake";

/** Takes a request (true) or leaves it to the next handler (false, nothing was read or written). */
export type WebhookFastPath = (req: IncomingMessage, res: ServerResponse) => boolean;

const API_HEADERS: Record<string, string> = {
  ...Object.fromEntries(STATIC_SECURITY_HEADERS.map((h) => [h.key, h.value])),
  "Content-Security-Policy": API_CONTENT_SECURITY_POLICY,
};

/** The webhook URL a path names (exactly as the route files do), or null. */
export function webhookTargetOf(pathname: string): WebhookTarget | null {
  if (pathname === "/api/webhooks/whatsapp") return { provider: "cloud" };
  const match = /^\/api\/webhooks\/(gupshup|green)\/([^/]+)$/.exec(pathname);
  if (!match) return null;
  let param: string;
  try {
    param = decodeURIComponent(match[2]!);
  } catch {
    return null; // not a valid escape: Next answers it
  }
  return match[1] === "gupshup" ? { provider: "gupshup", token: param } : { provider: "green", numberId: param };
}

function send(res: ServerResponse, status: number, contentType: string, text: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...API_HEADERS, "Content-Type": contentType, "Content-Length": Buffer.byteLength(text), ...extra });
  res.end(text);
}

const sendJson = (res: ServerResponse, status: number, body: unknown, extra?: Record<string, string>) =>
  send(res, status, "application/json", JSON.stringify(body), extra);

/** Node's headers as a Headers object (what the receive functions read and keep). */
function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return headers;
}

/** Processing starts once the answer is written (the nudge to the processing thread is cheap either way). */
const nextTurn: Defer = (task) => {
  setImmediate(() => void task());
};

async function takePost(getDb: () => Promise<Db>, target: WebhookTarget, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = await readNodeBody(req);
  if (!raw.ok) {
    const answer = unreadBodyAnswer(raw.status);
    // a body over the cap is not read any further: the connection ends with this answer
    sendJson(res, answer.status, answer.body, raw.status === 413 ? { Connection: "close" } : {});
    return;
  }
  const answer = await takeWebhook(getDb, target, { rawBody: raw.bytes, headers: headersOf(req) }, nextTurn);
  sendJson(res, answer.status, answer.body);
}

async function takeHandshake(getDb: () => Promise<Db>, search: string, res: ServerResponse): Promise<void> {
  const answer = await takeWebhookHandshake(getDb, new URLSearchParams(search));
  send(res, answer.status, "text/plain", answer.text);
}

/**
 * The fast path: POST to any webhook URL and Meta's GET handshake. Other methods (HEAD, OPTIONS, a 405),
 * other paths (a trailing slash, an extra segment) and anything odd are left to Next.
 */
export function createWebhookFastPath({ getDb }: { getDb: () => Promise<Db> }): WebhookFastPath {
  return (req, res) => {
    const url = req.url ?? "";
    if (!url.startsWith("/api/webhooks/")) return false;
    const q = url.indexOf("?");
    const target = webhookTargetOf(q === -1 ? url : url.slice(0, q));
    if (!target) return false;
    const fail = (e: unknown) => {
      // takeWebhook answers its own failures (503); this is only a failure to write the answer
      console.error("[clicktrail] webhook request failed", e);
      if (!res.headersSent) sendJson(res, 500, { error: { code: "internal", message: "Internal server error" } });
      else res.destroy();
    };
    if (req.method === "POST") {
      takePost(getDb, target, req, res).catch(fail);
      return true;
    }
    if (req.method === "GET" && target.provider === "cloud") {
      takeHandshake(getDb, q === -1 ? "" : url.slice(q + 1), res).catch(fail);
      return true;
    }
    return false;
  };
}

/** Where instrumentation.ts leaves the fast path for server.mjs (a global: the two are loaded by different module systems). */
export const WEBHOOK_FAST_PATH_KEY = Symbol.for("clicktrail.webhookFastPath");

/** Makes the fast path available to server.mjs (called once the database is configured, by instrumentation.ts). */
export function publishWebhookFastPath(getDb: () => Promise<Db>): void {
  (globalThis as Record<symbol, unknown>)[WEBHOOK_FAST_PATH_KEY] = createWebhookFastPath({ getDb });
}
