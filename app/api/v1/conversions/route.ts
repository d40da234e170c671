// /api/v1/conversions: the conversions log, newest first (keyset pages). Declared, handled and documented in lib/openapi/operations-conversions.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/conversions");
