// A real HTTP server on 127.0.0.1 that plays a provider in tests (Meta's Graph API, Green API…).
// Routes are programmable per test; every request is recorded.
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type FakeRequest = { method: string; path: string; query: URLSearchParams; headers: http.IncomingHttpHeaders; body: string; json: unknown };
/**
 * `bytes`: a binary body (content type from `headers`); `write`: the handler writes the answer itself (e.g. a
 * chunked body that keeps going); otherwise `text` as text/plain or `json`.
 */
export type FakeResponse = {
  status?: number;
  json?: unknown;
  text?: string;
  bytes?: Buffer;
  write?: (res: http.ServerResponse) => void;
  delayMs?: number;
  headers?: Record<string, string>;
};
export type FakeHandler = (req: FakeRequest, match: RegExpMatchArray) => FakeResponse | Promise<FakeResponse>;
type Route = { method: string; pattern: RegExp; handle: FakeHandler };

export type FakeServer = {
  url: string;
  port: number;
  requests: FakeRequest[];
  /** Routes added later win over earlier ones. */
  on(method: string, pattern: RegExp, handle: FakeHandler): void;
  close(): Promise<void>;
};

export async function startFakeServer(opts: { port?: number } = {}): Promise<FakeServer> {
  const routes: Route[] = [];
  const requests: FakeRequest[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://fake");
    let json: unknown = null;
    try {
      json = body ? JSON.parse(body) : null;
    } catch {
      json = null;
    }
    const fakeReq: FakeRequest = { method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers: req.headers, body, json };
    requests.push(fakeReq);
    let out: FakeResponse = { status: 404, json: { error: { message: `No fake route for ${fakeReq.method} ${fakeReq.path}`, code: 100 } } };
    for (let i = routes.length - 1; i >= 0; i--) {
      const route = routes[i]!;
      const match = route.method === fakeReq.method ? fakeReq.path.match(route.pattern) : null;
      if (match) {
        out = await route.handle(fakeReq, match);
        break;
      }
    }
    if (out.delayMs) await new Promise((r) => setTimeout(r, out.delayMs));
    if (res.destroyed) return;
    res.statusCode = out.status ?? 200;
    for (const [name, value] of Object.entries(out.headers ?? {})) res.setHeader(name, value);
    if (out.write) {
      out.write(res);
    } else if (out.bytes !== undefined) {
      if (!res.hasHeader("content-type")) res.setHeader("content-type", "application/octet-stream");
      res.end(out.bytes);
    } else if (out.text !== undefined) {
      res.setHeader("content-type", "text/plain");
      res.end(out.text);
    } else {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(out.json ?? {}));
    }
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    on(method, pattern, handle) {
      routes.push({ method, pattern, handle });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
