// /api/v1/quick-replies: the workspace's saved answers (list; create for managers). Declared, handled and documented in lib/openapi/operations-replies.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/quick-replies");
