// /api/v1/queue/stats: rows per status, due now, the oldest due row's age, sends per hour over 24 h. Declared, handled and documented in lib/openapi/operations-queue.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/queue/stats");
