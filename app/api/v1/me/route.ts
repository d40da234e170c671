// /api/v1/me: who is calling: the workspace, and the user or API key. Declared, handled and documented in lib/openapi/operations-workspace.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/me");
