// GET /api/v1/openapi.json – the OpenAPI 3.1 document of /api/v1, generated from the routes' zod schemas (no auth)
import { getEnv } from "@/lib/env";
import { withApiErrors } from "@/lib/http";
import { getOpenApiDocument } from "@/lib/openapi/document";

export const dynamic = "force-dynamic";

let cached: { appUrl: string; json: string } | undefined; // built once per process (per APP_URL)

export const GET = withApiErrors(async () => {
  const appUrl = getEnv().APP_URL;
  if (cached?.appUrl !== appUrl) cached = { appUrl, json: JSON.stringify(getOpenApiDocument(appUrl), null, 2) };
  return new Response(cached.json, {
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "public, max-age=300", "access-control-allow-origin": "*" },
  });
});
