// /api/v1/leads: leads from the website form or a CRM: list (filters, keyset pages, queue counts) and create (201, or 200 for a repeated externalRef). Declared, handled and documented in lib/openapi/operations-leads.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/leads");
