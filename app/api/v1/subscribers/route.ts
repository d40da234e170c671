// GET /api/v1/subscribers – the tenant's subscribers with the console's filters (q, number, status, lifecycle,
// source, campaign, ad, clickId, from, to, window, sort; waPhone / userId for one subscriber), keyset-paginated
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { searchParamsObject, withApiErrors } from "@/lib/http";
import { pageParamsSchema } from "@/lib/pagination";
import { subscriberFiltersSchema } from "@/lib/subscribers/list-filters";
import { listSubscribers, subscriberListJson } from "@/lib/subscribers/list";

export const dynamic = "force-dynamic";

export const GET = withApiErrors(async (req: Request) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "marketer" });
  const raw = searchParamsObject(new URL(req.url).searchParams);
  const filters = subscriberFiltersSchema.parse(raw);
  const { cursor, limit } = pageParamsSchema.parse(raw);
  const page = await listSubscribers(await getDb(), { tenantId, filters, cursor, limit, now: new Date() });
  return Response.json({ rows: page.rows.map(subscriberListJson), nextCursor: page.nextCursor });
});
