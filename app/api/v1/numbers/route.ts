// /api/v1/numbers: the workspace's WhatsApp numbers: list (keyset pages, no secrets) and connect (then test the connection). Declared, handled and documented in lib/openapi/operations-numbers.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/numbers");
