// /api/v1/leads/{id}: one lead with its drip messages, and the PATCH that records the manager's call (isTarget: true enrolls) or stops the campaign. Declared, handled and documented in lib/openapi/operations-leads.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/leads/{id}");
