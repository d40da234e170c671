// /api/v1/queue: the drip queue, latest schedule first (filters, order), keyset pages. Declared, handled and documented in lib/openapi/operations-queue.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/queue");
