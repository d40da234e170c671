// /api/v1/users/{id}: one member: read, change role, name or password, remove (admin; never the last admin). Declared, handled and documented in lib/openapi/operations-workspace.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/users/{id}");
