// The yardstick for bench:webhooks: a bare node:http server doing what any webhook receiver must (read the
// body, HMAC-SHA256 it with the app secret, compare with X-Hub-Signature-256, JSON.parse it) and nothing
// else: no database, no framework. Run as its own process: node bench/bare-server.mjs <port> <secret>
import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";

const [port, secret] = process.argv.slice(2);
const ok = JSON.stringify({ received: true });

http
  .createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const expected = Buffer.from(String(req.headers["x-hub-signature-256"] ?? "").replace(/^sha256=/, ""), "hex");
      const actual = createHmac("sha256", secret).update(body).digest();
      let status = expected.length === actual.length && timingSafeEqual(expected, actual) ? 200 : 401;
      if (status === 200) {
        try {
          JSON.parse(body.toString("utf8"));
        } catch {
          status = 400;
        }
      }
      res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(ok) });
      res.end(ok);
    });
  })
  .listen(Number(port), "127.0.0.1", () => process.send?.("ready"));
