// POST /api/v1/numbers/{id}/check – test the connection now and store the outcome (manager)
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { idParam, withApiErrors } from "@/lib/http";
import { recheckNumber } from "@/lib/numbers/connect";
import { numberDepsFromEnv } from "@/lib/numbers/deps";

type Ctx = { params: Promise<{ id: string }> };
export const dynamic = "force-dynamic";

export const POST = withApiErrors(async (req: Request, ctx: Ctx) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "manager" });
  return Response.json(await recheckNumber(await getDb(), numberDepsFromEnv(), { tenantId, id: await idParam(ctx.params) }));
});
