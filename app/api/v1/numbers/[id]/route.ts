// /api/v1/numbers/{id}: one number: read, change (re-tested when the connection changed) and delete (only when nothing refers to it). Declared, handled and documented in lib/openapi/operations-numbers.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/numbers/{id}");
