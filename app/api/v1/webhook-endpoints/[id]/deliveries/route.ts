// /api/v1/webhook-endpoints/{id}/deliveries: an endpoint's deliveries, newest first (cursor) (admin). Declared, handled and documented in lib/openapi/operations-webhooks.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/webhook-endpoints/{id}/deliveries");
