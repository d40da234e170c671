// DELETE /api/v1/api-keys/{id} – revoke a key of the caller's tenant (admin; other tenants' ids → 404)
import { getDb } from "@/db/client";
import { revokeApiKeyById } from "@/lib/api-keys";
import { requireApiPrincipal } from "@/lib/auth";
import { idParam, withApiErrors } from "@/lib/http";

type Ctx = { params: Promise<{ id: string }> };
export const dynamic = "force-dynamic";

export const DELETE = withApiErrors(async (req: Request, ctx: Ctx) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "admin" });
  return Response.json(await revokeApiKeyById(await getDb(), { tenantId, id: await idParam(ctx.params), now: new Date() }));
});
