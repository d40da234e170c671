// /api/v1/subscribers/{id}: one subscriber (seeds/000 fields, its conversations, first and last touch): read, and change lifecycle, tags or status. Declared, handled and documented in lib/openapi/operations-subscribers.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/subscribers/{id}");
