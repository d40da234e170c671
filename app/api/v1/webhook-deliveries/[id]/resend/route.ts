// /api/v1/webhook-deliveries/{id}/resend: send a delivery again now (admin). Declared, handled and documented in lib/openapi/operations-webhooks.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/webhook-deliveries/{id}/resend");
