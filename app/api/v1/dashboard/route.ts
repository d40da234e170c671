// /api/v1/dashboard: the home dashboard's counts and 14-day conversation series. Declared, handled and documented in lib/openapi/operations-workspace.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/dashboard");
