// /api/v1/numbers/{id}/message-templates: a number's approved Meta templates. Declared, handled and documented in lib/openapi/operations-templates.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/numbers/{id}/message-templates");
