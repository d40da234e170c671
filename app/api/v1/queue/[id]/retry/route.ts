// /api/v1/queue/{id}/retry: a failed, skipped or cancelled message back in the queue, due now. Declared, handled and documented in lib/openapi/operations-queue.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/queue/{id}/retry");
