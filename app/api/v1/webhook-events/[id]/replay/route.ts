// /api/v1/webhook-events/{id}/replay: process a stored delivery again now (manager). Declared, handled and documented in lib/openapi/operations-numbers.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/webhook-events/{id}/replay");
