// GET /api/health – liveness + database reachability and applied migration (no auth)
import { getDatabase } from "@/db/client";
import { getEnv } from "@/lib/env";
import { checkHealth } from "@/lib/health";

export const dynamic = "force-dynamic";

export async function GET() {
  const health = await checkHealth(getDatabase, getEnv().DATABASE_URL ? "postgres" : "pglite");
  return Response.json(health, { status: health.status === "ok" ? 200 : 503, headers: { "cache-control": "no-store" } });
}
