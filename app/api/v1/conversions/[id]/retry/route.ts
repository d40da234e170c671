// POST /api/v1/conversions/{id}/retry – send a failed or rejected conversion again (attempts start over)
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { deliverConversionNow } from "@/lib/conversions/deliver";
import { conversionDepsFromEnv } from "@/lib/conversions/deps";
import { conversionJson, retryConversion } from "@/lib/conversions/read";
import { afterResponse, idParam, withApiErrors } from "@/lib/http";

type Ctx = { params: Promise<{ id: string }> };
export const dynamic = "force-dynamic";

export const POST = withApiErrors(async (req: Request, ctx: Ctx) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "marketer" });
  const db = await getDb();
  const row = await retryConversion(db, { tenantId, id: await idParam(ctx.params), now: new Date() });
  afterResponse(() => deliverConversionNow(db, conversionDepsFromEnv(), { conversionId: row.id }));
  return Response.json(conversionJson(row), { status: 202 });
});
