// /api/v1/conversions/{id}: one conversion: status, attempts, the exact request sent to Meta and Meta's answer. Declared, handled and documented in lib/openapi/operations-conversions.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/conversions/{id}");
