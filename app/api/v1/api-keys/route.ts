// /api/v1/api-keys: the workspace's API keys: list (never the key) and create (the key is answered once) (admin). Declared, handled and documented in lib/openapi/operations-workspace.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/api-keys");
