import type { NextConfig } from "next";
import { API_CONTENT_SECURITY_POLICY, STATIC_SECURITY_HEADERS } from "./lib/security-headers";

const nextConfig: NextConfig = {
  // PGlite ships wasm + data files: keep it out of the bundle (required under webpack,
  // and under Turbopack it keeps ~15 MB out of the publicly served .next/static).
  serverExternalPackages: ["@electric-sql/pglite"],
  poweredByHeader: false,
  typedRoutes: false,
  // `npm test` runs `tsc --noEmit` over the whole project (tests included) just before it builds: it
  // says so, and the build skips its own, narrower type check (every other build keeps it)
  typescript: { ignoreBuildErrors: process.env.CLICKTRAIL_TYPECHECKED === "1" },
  // anti-framing, no sniffing, no full URLs to other sites; pages get their nonce CSP from proxy.ts
  async headers() {
    return [
      { source: "/:path*", headers: [...STATIC_SECURITY_HEADERS] },
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: API_CONTENT_SECURITY_POLICY }] },
    ];
  },
  experimental: {
    // enables forbidden() / app/forbidden.tsx for role checks in pages and actions
    authInterrupts: true,
  },
};

export default nextConfig;
