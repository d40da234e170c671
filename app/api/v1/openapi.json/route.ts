// /api/v1/openapi.json: the OpenAPI 3.1 document of /api/v1 (no authentication). Declared, handled and documented in lib/openapi/operations-workspace.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/openapi.json");
