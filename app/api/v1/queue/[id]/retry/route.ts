// POST /api/v1/queue/{id}/retry – put a failed, skipped or cancelled message back in the queue, due now (manager)
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { retryQueueRow, queueRowJson } from "@/lib/drip/queue";
import { idParam, withApiErrors } from "@/lib/http";

type Ctx = { params: Promise<{ id: string }> };
export const dynamic = "force-dynamic";

export const POST = withApiErrors(async (req: Request, ctx: Ctx) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "manager" });
  const row = await retryQueueRow(await getDb(), { tenantId, id: await idParam(ctx.params), now: new Date() });
  return Response.json(queueRowJson({ row }));
});
