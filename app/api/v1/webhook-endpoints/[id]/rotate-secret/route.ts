// /api/v1/webhook-endpoints/{id}/rotate-secret: a new signing secret, answered once; the previous one signs for 24 h more (admin). Declared, handled and documented in lib/openapi/operations-webhooks.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/webhook-endpoints/{id}/rotate-secret");
