// /api/v1/simulator: prepares the Simulator number `npm run simulate` signs its webhooks for (a manager, or the server's CRON_SECRET for the first workspace). Declared, handled and documented in lib/openapi/operations-workspace.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/simulator");
