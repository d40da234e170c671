// GET /api/v1/conversions – the conversions log, newest first (status, eventName, numberId, from, to, test), keyset-paginated
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { conversionFiltersSchema, conversionListJson, listConversions } from "@/lib/conversions/read";
import { searchParamsObject, withApiErrors } from "@/lib/http";
import { pageParamsSchema } from "@/lib/pagination";

export const dynamic = "force-dynamic";

export const GET = withApiErrors(async (req: Request) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "marketer" });
  const raw = searchParamsObject(new URL(req.url).searchParams);
  const filters = conversionFiltersSchema.parse(raw);
  const { cursor, limit } = pageParamsSchema.parse(raw);
  const page = await listConversions(await getDb(), { tenantId, filters, cursor, limit });
  return Response.json({ rows: page.rows.map(conversionListJson), nextCursor: page.nextCursor });
});
