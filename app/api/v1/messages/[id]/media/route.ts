// /api/v1/messages/{id}/media: a message's media, fetched from its provider through this server. Declared, handled and documented in lib/openapi/operations-messages.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/messages/{id}/media");
