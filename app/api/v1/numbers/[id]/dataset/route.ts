// /api/v1/numbers/{id}/dataset: read or create the WABA's Conversions API dataset and keep its id. Declared, handled and documented in lib/openapi/operations-numbers.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/numbers/{id}/dataset");
