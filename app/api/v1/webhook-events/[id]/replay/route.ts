// POST /api/v1/webhook-events/{id}/replay – reprocess one of the tenant's stored deliveries now → { id, status, error }
// (manager; 404 for another tenant's or an unknown id, 409 for a rejected event or one being processed).
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { idParam, withApiErrors } from "@/lib/http";
import { replayTenantWebhookEvent } from "@/lib/webhook-events/list";

type Ctx = { params: Promise<{ id: string }> };
export const dynamic = "force-dynamic";

export const POST = withApiErrors(async (req: Request, ctx: Ctx) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "manager" });
  const outcome = await replayTenantWebhookEvent(await getDb(), { tenantId, id: await idParam(ctx.params), now: new Date() });
  return Response.json({ id: outcome.id, status: outcome.status, error: outcome.error });
});
