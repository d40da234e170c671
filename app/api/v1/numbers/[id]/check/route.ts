// /api/v1/numbers/{id}/check: test the connection now and store the outcome. Declared, handled and documented in lib/openapi/operations-numbers.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/numbers/{id}/check");
