// The console's browser-side headers: the nonce CSP proxy.ts puts on pages, and next.config.ts's
// static headers (anti-framing, nosniff, referrer policy) on every response.
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import nextConfig from "@/next.config";
import { config as proxyConfig, proxy } from "@/proxy";
import { setEnvForTests } from "@/lib/env";
import { pageContentSecurityPolicy } from "@/lib/security-headers";

const directives = (policy: string) =>
  new Map(
    policy
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name!, values]),
  );

describe("console page headers", () => {
  let restore = () => {};
  beforeAll(() => {
    restore = setEnvForTests({ NODE_ENV: "production", ENCRYPTION_KEY: Buffer.alloc(32, 3).toString("base64") });
  });
  afterAll(() => restore());

  it("proxy gives each page request a fresh nonce CSP, on the response and on the request Next renders", () => {
    const first = proxy(new NextRequest("http://console.test/dashboard"));
    const second = proxy(new NextRequest("http://console.test/dashboard"));
    const policy = first.headers.get("content-security-policy")!;
    const d = directives(policy);
    const nonce = d.get("script-src")!.find((v) => v.startsWith("'nonce-"))!;
    expect(nonce).toMatch(/^'nonce-[A-Za-z0-9+/]{22}=='$/);
    expect(second.headers.get("content-security-policy")).not.toContain(nonce);
    expect(d.get("script-src")).toEqual(["'self'", nonce, "'strict-dynamic'"]); // no unsafe-inline, no eval in production
    expect(d.get("frame-ancestors")).toEqual(["'none'"]);
    expect(d.get("object-src")).toEqual(["'none'"]);
    expect(d.get("base-uri")).toEqual(["'self'"]);
    expect(d.get("form-action")).toEqual(["'self'"]);
    // Next.js reads the nonce from the request's policy (forwarded as an overridden request header)
    expect(first.headers.get("x-middleware-request-content-security-policy")).toBe(policy);
    expect(first.headers.get("x-middleware-request-x-nonce")).toBe(nonce.slice("'nonce-".length, -1));
  });

  it("runs on pages, not on API routes or static files", () => {
    const source = (proxyConfig.matcher[0] as { source: string }).source;
    const matches = (path: string) => new RegExp(`^${source}$`).test(path);
    expect(matches("/dashboard")).toBe(true);
    expect(matches("/login")).toBe(true);
    expect(matches("/subscribers/123")).toBe(true);
    expect(matches("/api/v1/me")).toBe(false);
    expect(matches("/_next/static/chunks/app.js")).toBe(false);
  });

  it("allows eval only in development (React's debugging), and websockets for the dev server", () => {
    const dev = directives(pageContentSecurityPolicy({ nonce: "abc", dev: true }));
    expect(dev.get("script-src")).toContain("'unsafe-eval'");
    expect(directives(pageContentSecurityPolicy({ nonce: "abc", dev: false })).get("script-src")).not.toContain("'unsafe-eval'");
  });

  it("next.config sends X-Frame-Options, nosniff and the referrer policy on every response, and a closed CSP on the API", async () => {
    const rules = await nextConfig.headers!();
    const all = rules.find((r) => r.source === "/:path*")!;
    expect(Object.fromEntries(all.headers.map((h) => [h.key, h.value]))).toEqual({
      "X-Frame-Options": "DENY",
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "strict-origin-when-cross-origin",
    });
    const api = rules.find((r) => r.source === "/api/:path*")!;
    expect(api.headers).toEqual([{ key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" }]);
  });
});
