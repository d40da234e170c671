// /api/v1/conversions/{id}/retry: send a failed or rejected conversion again (attempts start over). Declared, handled and documented in lib/openapi/operations-conversions.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/conversions/{id}/retry");
