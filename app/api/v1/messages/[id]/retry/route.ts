// /api/v1/messages/{id}/retry: send a failed inbox reply again. Declared, handled and documented in lib/openapi/operations-replies.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/messages/{id}/retry");
