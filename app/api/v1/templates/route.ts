// GET  /api/v1/templates – drip templates in schedule order, keyset-paginated, filters active/segment/appliesTo (marketers read)
// POST /api/v1/templates – create a template; its first revision is written with it (manager)
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { readJson, searchParamsObject, withApiErrors } from "@/lib/http";
import { pageParamsSchema } from "@/lib/pagination";
import { createTemplateSchema, templateListFiltersSchema } from "@/lib/templates/schemas";
import { getTemplateVariables } from "@/lib/templates/segment-variables";
import { createTemplate, listTemplatesPage, toPublicTemplate } from "@/lib/templates/templates";

export const dynamic = "force-dynamic";

export const GET = withApiErrors(async (req: Request) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "marketer" });
  const query = searchParamsObject(new URL(req.url).searchParams);
  const params = { ...templateListFiltersSchema.parse(query), ...pageParamsSchema.parse(query) };
  const db = await getDb();
  const [page, { segments }] = await Promise.all([listTemplatesPage(db, { tenantId, ...params }), getTemplateVariables(db, { tenantId })]);
  return Response.json({ ...page, rows: page.rows.map((row) => toPublicTemplate(row, segments)) });
});

export const POST = withApiErrors(async (req: Request) => {
  const { tenantId, userId } = await requireApiPrincipal(req, { role: "manager" });
  const input = createTemplateSchema.parse(await readJson(req));
  const db = await getDb();
  const row = await createTemplate(db, { tenantId, userId }, input);
  return Response.json(toPublicTemplate(row, (await getTemplateVariables(db, { tenantId })).segments), { status: 201 });
});
