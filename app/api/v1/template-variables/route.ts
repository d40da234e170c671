// GET /api/v1/template-variables – built-in variables and the values set per segment (marketers read)
// PUT /api/v1/template-variables – replace the values of every segment (manager)
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { readJson, withApiErrors } from "@/lib/http";
import { segmentVariablesBodySchema } from "@/lib/templates/schemas";
import { getTemplateVariables, updateSegmentVariables } from "@/lib/templates/segment-variables";

export const dynamic = "force-dynamic";

export const GET = withApiErrors(async (req: Request) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "marketer" });
  return Response.json(await getTemplateVariables(await getDb(), { tenantId }));
});

export const PUT = withApiErrors(async (req: Request) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "manager" });
  const { segments } = segmentVariablesBodySchema.parse(await readJson(req));
  return Response.json(await updateSegmentVariables(await getDb(), { tenantId, segments }));
});
