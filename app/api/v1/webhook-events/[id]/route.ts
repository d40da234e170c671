// GET /api/v1/webhook-events/{id} – one stored delivery with its raw body (exactly as received), a pretty-printed
// copy, the kept headers and a parsed overview of its items (manager: bodies hold customers' messages).
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { idParam, withApiErrors } from "@/lib/http";
import { getWebhookEventDetail } from "@/lib/webhook-events/list";

type Ctx = { params: Promise<{ id: string }> };
export const dynamic = "force-dynamic";

export const GET = withApiErrors(async (req: Request, ctx: Ctx) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "manager" });
  return Response.json(await getWebhookEventDetail(await getDb(), { tenantId, id: await idParam(ctx.params) }));
});
