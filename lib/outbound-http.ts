// Outbound HTTP for provider APIs (Meta's Graph API): node:http(s) over keep-alive agents. fetch would do,
// but each call builds WHATWG streams, a Request, a Response and an AbortSignal; at hundreds of Graph calls a
// second (CAPI forwarding, drip sends) that is a good share of the thread. Failures keep fetch's shape:
// a timeout throws an error named "TimeoutError", a network failure one with `cause.code` (ECONNREFUSED…).
import http from "node:http";
import https from "node:https";

export type OutboundResponse = { status: number; headers: http.IncomingHttpHeaders; text: string };

const agents = { "http:": new http.Agent({ keepAlive: true, maxSockets: 64 }), "https:": new https.Agent({ keepAlive: true, maxSockets: 64 }) };

class OutboundError extends Error {
  constructor(name: "TimeoutError" | "NetworkError", message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = name;
  }
}

/** One request, the whole answer as text; rejects on timeout (the socket is destroyed) or a network failure. */
export function outboundRequest(
  url: string,
  { method, headers, body, timeoutMs }: { method: string; headers: Record<string, string>; body?: string; timeoutMs: number },
): Promise<OutboundResponse> {
  const target = new URL(url);
  const client = target.protocol === "https:" ? https : http;
  const agent = agents[target.protocol as keyof typeof agents];
  if (!agent) return Promise.reject(new OutboundError("NetworkError", `unsupported protocol ${target.protocol}`, { code: "EPROTO" }));
  return new Promise((resolve, reject) => {
    const req = client.request(target, { method, agent, headers: body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") });
      });
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
