// Outbound HTTP against a real server on loopback: answers, failures in fetch's shape, kept-alive sockets.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transportFailure } from "@/lib/graph/client";
import { outboundRequest } from "./outbound-http";

describe("outboundRequest", () => {
  let server: http.Server;
  let base: string;
  const seen: { method?: string; url?: string; body: string; headers: http.IncomingHttpHeaders; port: number }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString("utf8")));
      req.on("end", () => {
        seen.push({ method: req.method, url: req.url, body, headers: req.headers, port: req.socket.remotePort ?? 0 });
        if (req.url === "/slow") return; // never answers
        if (req.url === "/moved") {
          res.writeHead(302, { location: "/elsewhere" });
          return res.end();
        }
        if (req.url === "/huge") {
          res.writeHead(200, { "content-type": "application/json" });
          res.write(`{"id":"1","pad":"`);
          const chunk = "z".repeat(16 * 1024);
          let n = 0;
          const more = () => {
            while (n < 640 && !res.destroyed && res.write(chunk)) n += 1; // 10 MiB unless the reader stops first
            if (n < 640 && !res.destroyed) res.once("drain", () => ((n += 1), more()));
            else if (!res.destroyed) res.end('"}');
          };
          return more();
        }
        if (req.url === "/limited") {
          res.writeHead(429, { "content-type": "application/json", "retry-after": "7" });
          return res.end(JSON.stringify({ error: { message: "slow down" } }));
        }
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ echo: body, ünï: "cødé" }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it("sends the method, headers and body, and returns status, headers and the whole UTF-8 text", async () => {
    const res = await outboundRequest(`${base}/v24.0/123/events?x=1`, {
      method: "POST",
      headers: { authorization: "Bearer t", "content-type": "application/json" },
      body: '{"ä":1}',
      timeoutMs: 2000,
    });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(res.text)).toEqual({ echo: '{"ä":1}', ünï: "cødé" });
    const last = seen.at(-1)!;
    expect([last.method, last.url, last.headers.authorization, last.headers["content-length"]]).toEqual(["POST", "/v24.0/123/events?x=1", "Bearer t", "8"]);
  });

  it("reads at most maxBytes of an answer, says so, and does not reuse that socket", async () => {
    const res = await outboundRequest(`${base}/huge`, { method: "GET", headers: {}, timeoutMs: 5000, maxBytes: 64 * 1024 });
    expect(res.status).toBe(200);
    expect(res.truncated).toBe(true);
    expect(Buffer.byteLength(res.text)).toBe(64 * 1024);
    const next = await outboundRequest(`${base}/after`, { method: "GET", headers: {}, timeoutMs: 2000 });
    expect([next.status, next.truncated]).toEqual([200, false]);
  });

  it("never follows a redirect: the 3xx comes back as it is", async () => {
    const res = await outboundRequest(`${base}/moved`, { method: "GET", headers: {}, timeoutMs: 2000 });
    expect([res.status, res.headers.location]).toEqual([302, "/elsewhere"]);
    expect(seen.some((r) => r.url === "/elsewhere")).toBe(false);
  });

  it("returns error statuses with their headers rather than throwing", async () => {
    const res = await outboundRequest(`${base}/limited`, { method: "GET", headers: {}, timeoutMs: 2000 });
    expect([res.status, res.headers["retry-after"]]).toEqual([429, "7"]);
  });

  it("reuses a kept-alive socket for the next request", async () => {
    await outboundRequest(`${base}/a`, { method: "GET", headers: {}, timeoutMs: 2000 });
    await outboundRequest(`${base}/b`, { method: "GET", headers: {}, timeoutMs: 2000 });
    const [a, b] = seen.slice(-2);
    expect(a!.port).toBe(b!.port);
  });

  it("gives up after the timeout with a TimeoutError that reads as a timeout", async () => {
    const started = Date.now();
    const error = await outboundRequest(`${base}/slow`, { method: "GET", headers: {}, timeoutMs: 150 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2000);
    expect((error as Error).name).toBe("TimeoutError");
    expect(transportFailure(error, 150, "Meta's Graph API")).toEqual({ kind: "timeout", message: "Meta's Graph API did not answer within 0.2 s" });
  });

  it("reports a refused connection as a network failure with its code", async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const error = await outboundRequest(`http://127.0.0.1:${port}/`, { method: "GET", headers: {}, timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(transportFailure(error, 2000, "Meta's Graph API")).toEqual({ kind: "network", message: "Could not reach Meta's Graph API (ECONNREFUSED)" });
  });
});
