// /api/v1/webhook-events/{id}: one stored delivery with its raw body, headers and parsed items (manager). Declared, handled and documented in lib/openapi/operations-numbers.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/webhook-events/{id}");
