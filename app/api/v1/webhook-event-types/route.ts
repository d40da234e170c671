// /api/v1/webhook-event-types: the event types an endpoint can subscribe to (admin). Declared, handled and documented in lib/openapi/operations-webhooks.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/webhook-event-types");
