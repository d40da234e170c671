// /api/v1/conversations/{id}: one chat (by its id or a conversation's id): read, assign. Declared, handled and documented in lib/openapi/operations-inbox.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/conversations/{id}");
