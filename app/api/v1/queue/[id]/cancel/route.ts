// /api/v1/queue/{id}/cancel: cancel one pending message. Declared, handled and documented in lib/openapi/operations-queue.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/queue/{id}/cancel");
