// GET /api/v1/queue/stats – rows per status, due now, the oldest due row's age, sends per hour over 24 h
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { getQueueStats, queueFiltersSchema } from "@/lib/drip/queue";
import { searchParamsObject, withApiErrors } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = withApiErrors(async (req: Request) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "marketer" });
  const filters = queueFiltersSchema.parse(searchParamsObject(new URL(req.url).searchParams));
  return Response.json(await getQueueStats(await getDb(), { tenantId, filters, now: new Date() }));
});
