// GET  /api/v1/api-keys – the tenant's keys (prefix, last use; never the key) (admin)
// POST /api/v1/api-keys – create a key; the response carries `secret` once (admin)
import { getDb } from "@/db/client";
import { apiKeyNameSchema } from "@/lib/accounts/schemas";
import { createApiKey, listApiKeysPage } from "@/lib/api-keys";
import { requireApiPrincipal } from "@/lib/auth";
import { readJson, searchParamsObject, withApiErrors } from "@/lib/http";
import { pageParamsSchema } from "@/lib/pagination";

export const dynamic = "force-dynamic";

export const GET = withApiErrors(async (req: Request) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "admin" });
  const params = pageParamsSchema.parse(searchParamsObject(new URL(req.url).searchParams));
  return Response.json(await listApiKeysPage(await getDb(), { tenantId, ...params }));
});

export const POST = withApiErrors(async (req: Request) => {
  const { tenantId, userId } = await requireApiPrincipal(req, { role: "admin" });
  const { name } = apiKeyNameSchema.parse(await readJson(req));
  const { apiKey, secret } = await createApiKey(await getDb(), { tenantId, name, createdBy: userId });
  return Response.json({ ...apiKey, secret }, { status: 201 });
});
