// /api/v1/templates: the drip's templates: list (keyset pages) and create. Declared, handled and documented in lib/openapi/operations-templates.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/templates");
