// POST /api/v1/templates/{id}/revisions/{revision}/restore – bring a revision back as the next revision (manager)
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { AppError } from "@/lib/errors";
import { idParam, withApiErrors } from "@/lib/http";
import { revisionParamSchema } from "@/lib/templates/schemas";
import { getTemplateVariables } from "@/lib/templates/segment-variables";
import { restoreTemplateRevision, toPublicTemplate } from "@/lib/templates/templates";

type Ctx = { params: Promise<{ id: string; revision: string }> };
export const dynamic = "force-dynamic";

export const POST = withApiErrors(async (req: Request, ctx: Ctx) => {
  const { tenantId, userId } = await requireApiPrincipal(req, { role: "manager" });
  const params = await ctx.params;
  const id = await idParam(Promise.resolve(params));
  const parsed = revisionParamSchema.safeParse(params);
  if (!parsed.success) throw new AppError("not_found", "Revision not found");
  const db = await getDb();
  const row = await restoreTemplateRevision(db, { tenantId, userId }, { id, revision: parsed.data.revision });
  return Response.json(toPublicTemplate(row, (await getTemplateVariables(db, { tenantId })).segments));
});
