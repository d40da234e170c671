// GET /api/v1/attribution?from=YYYY-MM-DD&to=YYYY-MM-DD[&campaign=…][&ad=…][&format=csv] – the attribution report
// (default: the last 30 days): per campaign → ad set → ad, with conversions, value and the per-day chart data.
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { searchParamsObject, withApiErrors } from "@/lib/http";
import { attributionCsv, attributionFormatSchema, attributionParamsSchema, attributionReport, resolveRange } from "@/lib/subscribers/attribution";

export const dynamic = "force-dynamic";

export const GET = withApiErrors(async (req: Request) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "marketer" });
  const raw = searchParamsObject(new URL(req.url).searchParams);
  const params = attributionParamsSchema.parse(raw);
  const { from, to } = resolveRange(params, new Date());
  const { format } = attributionFormatSchema.parse(raw); // checked before the report is read
  const report = await attributionReport(await getDb(), { tenantId, from, to, campaign: params.campaign, ad: params.ad });
  if (format === "json") return Response.json(report);
  return new Response(attributionCsv(report), {
    headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="attribution-${from}-to-${to}.csv"`, "cache-control": "no-store" },
  });
});
