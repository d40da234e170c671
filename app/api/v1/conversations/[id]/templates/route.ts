// /api/v1/conversations/{id}/templates: the approved Meta templates a reply to the conversation may send. Declared, handled and documented in lib/openapi/operations-replies.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/conversations/{id}/templates");
