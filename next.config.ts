import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // PGlite ships wasm + data files: keep it out of the bundle (required under webpack,
  // and under Turbopack it keeps ~15 MB out of the publicly served .next/static).
  serverExternalPackages: ["@electric-sql/pglite"],
  poweredByHeader: false,
  typedRoutes: false,
  experimental: {
    // enables forbidden() / app/forbidden.tsx for role checks in pages and actions
    authInterrupts: true,
  },
};

export default nextConfig;
