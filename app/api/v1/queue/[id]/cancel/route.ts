// POST /api/v1/queue/{id}/cancel – cancel one pending message (manager)
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { cancelQueueRow, queueRowJson } from "@/lib/drip/queue";
import { idParam, withApiErrors } from "@/lib/http";

type Ctx = { params: Promise<{ id: string }> };
export const dynamic = "force-dynamic";

export const POST = withApiErrors(async (req: Request, ctx: Ctx) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "manager" });
  const row = await cancelQueueRow(await getDb(), { tenantId, id: await idParam(ctx.params), now: new Date() });
  return Response.json(queueRowJson({ row }));
});
