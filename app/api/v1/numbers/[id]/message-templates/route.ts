// GET /api/v1/numbers/{id}/message-templates – the number's approved Meta templates, read from Meta with its token (manager)
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { idParam, withApiErrors } from "@/lib/http";
import { metaTemplateDepsFromEnv } from "@/lib/templates/deps";
import { listApprovedMetaTemplates } from "@/lib/templates/meta-templates";

type Ctx = { params: Promise<{ id: string }> };
export const dynamic = "force-dynamic";

export const GET = withApiErrors(async (req: Request, ctx: Ctx) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "manager" });
  return Response.json(await listApprovedMetaTemplates(await getDb(), metaTemplateDepsFromEnv(), { tenantId, numberId: await idParam(ctx.params) }));
});
