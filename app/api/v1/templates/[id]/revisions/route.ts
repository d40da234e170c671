// GET /api/v1/templates/{id}/revisions – the template's revisions, newest first, keyset-paginated (marketers read)
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { idParam, searchParamsObject, withApiErrors } from "@/lib/http";
import { pageParamsSchema } from "@/lib/pagination";
import { listTemplateRevisionsPage } from "@/lib/templates/revisions";

type Ctx = { params: Promise<{ id: string }> };
export const dynamic = "force-dynamic";

export const GET = withApiErrors(async (req: Request, ctx: Ctx) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "marketer" });
  const params = pageParamsSchema.parse(searchParamsObject(new URL(req.url).searchParams));
  return Response.json(await listTemplateRevisionsPage(await getDb(), { tenantId, templateId: await idParam(ctx.params), ...params }));
});
