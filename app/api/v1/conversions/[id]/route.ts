// GET /api/v1/conversions/{id} – status, attempts, the exact request sent to Meta and Meta's answer
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { conversionJson, getConversion } from "@/lib/conversions/read";
import { idParam, withApiErrors } from "@/lib/http";

type Ctx = { params: Promise<{ id: string }> };
export const dynamic = "force-dynamic";

export const GET = withApiErrors(async (req: Request, ctx: Ctx) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "marketer" });
  return Response.json(conversionJson(await getConversion(await getDb(), { tenantId, id: await idParam(ctx.params) })));
});
