// GET /api/v1/dashboard – home dashboard counts and the 14-day conversation series (API key or session)
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { getDashboard } from "@/lib/dashboard";
import { withApiErrors } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = withApiErrors(async (req: Request) => {
  const { tenantId } = await requireApiPrincipal(req);
  return Response.json(await getDashboard(await getDb(), { tenantId, now: new Date() }));
});
