// One bounded binary download from a provider's media host: the URL must pass the egress policy (lib/egress.ts:
// the provider's own hosts over https, or a host the operator configured), the socket connects only to an
// address that passed the check, redirects are never followed, a body larger than `maxBytes` is refused by its
// Content-Length before reading and cut off as soon as it goes past, and the whole transfer has one deadline.
import http from "node:http";
import https from "node:https";
import { type EgressPolicy, checkEgressUrl, guardedLookup, isEgressRefused } from "@/lib/egress";

export type DownloadFailure =
  | { kind: "refused"; message: string }
  | { kind: "redirect"; status: number }
  | { kind: "http"; status: number }
  | { kind: "too_large"; size: number | null }
  | { kind: "timeout" | "network"; message: string };

export type DownloadResult = { ok: true; bytes: Buffer; contentType: string | null } | { ok: false; error: DownloadFailure };

export type DownloadOptions = {
  policy: EgressPolicy;
  headers?: Record<string, string>;
  maxBytes: number;
  timeoutMs: number;
};

// sockets of checked downloads are pooled apart from the Graph/Green ones (lib/outbound-http.ts)
const agents = { "http:": new http.Agent({ keepAlive: true, maxSockets: 16 }), "https:": new https.Agent({ keepAlive: true, maxSockets: 16 }) };

const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? null;

/** GETs `url` into memory, at most `maxBytes`; never throws. */
export function downloadMedia(url: string, opts: DownloadOptions): Promise<DownloadResult> {
  const verdict = checkEgressUrl(url, opts.policy);
  if (!verdict.ok) return Promise.resolve({ ok: false, error: { kind: "refused", message: verdict.reason } });
  const target = verdict.url;
  const client = target.protocol === "https:" ? https : http;
  const agent = agents[target.protocol as keyof typeof agents];
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: DownloadResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = client.request(
      target,
      {
        method: "GET",
        agent,
        headers: { accept: "*/*", ...opts.headers },
        lookup: guardedLookup(opts.policy, verdict.trusted) as unknown as http.RequestOptions["lookup"],
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const stop = (result: DownloadResult) => {
          res.removeAllListeners("data");
          res.on("error", () => {});
          req.destroy(); // the rest is not read; the socket is not reused
          done(result);
        };
        if (status >= 300 && status < 400) return stop({ ok: false, error: { kind: "redirect", status } });
        if (status < 200 || status >= 300) return stop({ ok: false, error: { kind: "http", status } });
        const declared = Number(header(res.headers["content-length"]) ?? NaN);
        if (Number.isFinite(declared) && declared > opts.maxBytes) return stop({ ok: false, error: { kind: "too_large", size: declared } });
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > opts.maxBytes) return stop({ ok: false, error: { kind: "too_large", size: null } });
          chunks.push(c);
        });
        res.on("end", () => done({ ok: true, bytes: Buffer.concat(chunks, size), contentType: header(res.headers["content-type"]) }));
        res.on("error", (e) => done({ ok: false, error: { kind: "network", message: e.message } }));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      done({ ok: false, error: { kind: "timeout", message: `no complete answer within ${Math.round(opts.timeoutMs / 100) / 10} s` } });
    }, opts.timeoutMs);
    req.on("error", (e: NodeJS.ErrnoException) => {
      if (isEgressRefused(e)) return done({ ok: false, error: { kind: "refused", message: (e.cause instanceof Error ? e.cause : e).message } });
      done({ ok: false, error: { kind: "network", message: e.code ?? e.message } });
    });
    req.end();
  });
}
