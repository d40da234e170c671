// /api/v1/conversations/{id}/read: mark a chat read (and send Meta's read receipt). Declared, handled and documented in lib/openapi/operations-inbox.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/conversations/{id}/read");
