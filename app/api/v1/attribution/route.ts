// /api/v1/attribution: the attribution report per campaign → ad set → ad, as JSON or a CSV download. Declared, handled and documented in lib/openapi/operations-subscribers.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/attribution");
