// /api/v1/conversations/{id}/messages: GET a chat's transcript, newest first (keyset pages; lib/openapi/operations-inbox.ts);
// POST a reply to it (lib/openapi/operations-replies.ts). Declared, handled and documented there.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/conversations/{id}/messages");
