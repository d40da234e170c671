// GET    /api/v1/templates/{id} – one drip template (marketers read)
// PATCH  /api/v1/templates/{id} – change any fields; a change writes the next revision (manager)
// DELETE /api/v1/templates/{id} – only while no drip message waits on it (409 otherwise: deactivate it) (manager)
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { idParam, readJson, withApiErrors } from "@/lib/http";
import { templatePatchSchema } from "@/lib/templates/schemas";
import { getTemplateVariables } from "@/lib/templates/segment-variables";
import { deleteTemplate, requireTemplate, toPublicTemplate, updateTemplate } from "@/lib/templates/templates";

type Ctx = { params: Promise<{ id: string }> };
export const dynamic = "force-dynamic";

export const GET = withApiErrors(async (req: Request, ctx: Ctx) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "marketer" });
  const db = await getDb();
  const row = await requireTemplate(db, { tenantId, id: await idParam(ctx.params) });
  return Response.json(toPublicTemplate(row, (await getTemplateVariables(db, { tenantId })).segments));
});

export const PATCH = withApiErrors(async (req: Request, ctx: Ctx) => {
  const { tenantId, userId } = await requireApiPrincipal(req, { role: "manager" });
  const id = await idParam(ctx.params);
  const patch = templatePatchSchema.parse(await readJson(req));
  const db = await getDb();
  const { row } = await updateTemplate(db, { tenantId, userId }, { id, patch });
  return Response.json(toPublicTemplate(row, (await getTemplateVariables(db, { tenantId })).segments));
});

export const DELETE = withApiErrors(async (req: Request, ctx: Ctx) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "manager" });
  await deleteTemplate(await getDb(), { tenantId, id: await idParam(ctx.params) });
  return new Response(null, { status: 204 });
});
