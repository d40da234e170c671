// Outbound HTTP for provider APIs (Meta's Graph API): node:http(s) over keep-alive agents. fetch would do,
// but each call builds WHATWG streams, a Request, a Response and an AbortSignal; at hundreds of Graph calls a
// second (CAPI forwarding, drip sends) that is a good share of the thread. Failures keep fetch's shape:
// a timeout throws an error named "TimeoutError", a network failure one with `cause.code` (ECONNREFUSED…).
// Redirects are never followed (a 3xx is returned as it is), and an answer is read up to `maxBytes` only.
// A request to a user-entered host passes a checking `lookup` (lib/egress.ts) and gets its own agents, so a
// socket opened for an operator-configured host (GRAPH_API_BASE, GREEN_API_HOSTS) is never reused for it:
// every socket in the checked pool was connected to an address that passed the check.
import http from "node:http";
import https from "node:https";
import type { GuardedLookup } from "@/lib/egress";

/** `truncated`: the answer was longer than `maxBytes` and only its beginning was read. */
export type OutboundResponse = { status: number; headers: http.IncomingHttpHeaders; text: string; truncated: boolean };

/** Provider answers are small JSON objects; nothing larger is read into memory. */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

// Sockets per host: the drip sends up to 1,000 messages a second through one number, and at a Graph answer of
// ~200 ms that is 200 requests at once. A request waiting for a socket is not sent yet but its timeout runs, and a
// timed-out drip send counts as possibly delivered (never retried), so the pool must not be what holds sends back;
// nor so large that a burst of new connections overflows a server's accept queue (a reset counts the same way).
export const MAX_SOCKETS_PER_HOST = 256;
const newAgents = () => ({
  "http:": new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_HOST }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_HOST }),
});
const agents = newAgents();
const checkedAgents = newAgents();
const trustedAgents = newAgents();

class OutboundError extends Error {
  constructor(name: "TimeoutError" | "NetworkError", message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = name;
  }
}

export type OutboundOptions = {
  method: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** read at most this many bytes of the answer (default 1 MiB); the rest is discarded and the socket closed */
  maxBytes?: number;
  /** resolves and checks the host before the socket connects (user-entered hosts) */
  lookup?: GuardedLookup;
};

/** One request, its answer as text (up to `maxBytes`); rejects on timeout (the socket is destroyed) or a network failure. */
export function outboundRequest(
  url: string,
  { method, headers, body, timeoutMs, maxBytes = DEFAULT_MAX_RESPONSE_BYTES, lookup }: OutboundOptions,
): Promise<OutboundResponse> {
  const target = new URL(url);
  const client = target.protocol === "https:" ? https : http;
  const agent = (lookup ? (lookup.trusted ? trustedAgents : checkedAgents) : agents)[target.protocol as keyof typeof agents];
  if (!agent) return Promise.reject(new OutboundError("NetworkError", `unsupported protocol ${target.protocol}`, { code: "EPROTO" }));
  return new Promise((resolve, reject) => {
    const options: http.RequestOptions = {
      method,
      agent,
      headers: body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) },
    };
    if (lookup) options.lookup = lookup as unknown as http.RequestOptions["lookup"];
    const req = client.request(target, options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = (truncated: boolean) => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8"), truncated });
      };
      res.on("data", (c: Buffer) => {
        if (size + c.length <= maxBytes) {
          chunks.push(c);
          size += c.length;
          return;
        }
        chunks.push(c.subarray(0, maxBytes - size));
        size = maxBytes;
        res.removeAllListeners("data");
        res.removeAllListeners("end");
        res.removeAllListeners("error");
        res.on("error", () => {});
        req.destroy(); // the rest is not read; the socket is not reused
        finish(true);
      });
      res.on("end", () => finish(false));
      res.on("error", (e) => {
        clearTimeout(timer);
        reject(e.name === "TimeoutError" ? e : new OutboundError("NetworkError", e.message, e));
      });
    });
    const timer = setTimeout(() => {
      req.destroy(new OutboundError("TimeoutError", `no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on("error", (e) => {
      clearTimeout(timer);
      reject(e.name === "TimeoutError" ? e : new OutboundError("NetworkError", e.message, e));
    });
    req.end(body);
  });
}
