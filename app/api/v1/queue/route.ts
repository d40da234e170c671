// GET /api/v1/queue – the drip queue, newest schedule first (status, numberId, templateId, leadId, order), keyset-paginated
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { listQueue, queueFiltersSchema, queueRowJson } from "@/lib/drip/queue";
import { searchParamsObject, withApiErrors } from "@/lib/http";
import { pageParamsSchema } from "@/lib/pagination";

export const dynamic = "force-dynamic";

export const GET = withApiErrors(async (req: Request) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "marketer" });
  const raw = searchParamsObject(new URL(req.url).searchParams);
  const filters = queueFiltersSchema.parse(raw);
  const { cursor, limit } = pageParamsSchema.parse(raw);
  const page = await listQueue(await getDb(), { tenantId, filters, cursor, limit });
  return Response.json({ rows: page.rows.map(queueRowJson), nextCursor: page.nextCursor });
});
