// /api/v1/webhook-events: the workspace's stored webhook deliveries, newest first, keyset pages, without raw bodies. Declared, handled and documented in lib/openapi/operations-numbers.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/webhook-events");
