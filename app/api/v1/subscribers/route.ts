// /api/v1/subscribers: the subscribers with the console's filters (keyset pages). Declared, handled and documented in lib/openapi/operations-subscribers.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/subscribers");
