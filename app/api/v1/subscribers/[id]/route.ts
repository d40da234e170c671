// GET /api/v1/subscribers/{id} – one subscriber (seeds/000 fields), its conversations and last touch
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { idParam, withApiErrors } from "@/lib/http";
import { getSubscriberDetail } from "@/lib/subscribers/read";

type Ctx = { params: Promise<{ id: string }> };
export const dynamic = "force-dynamic";

export const GET = withApiErrors(async (req: Request, ctx: Ctx) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "marketer" });
  return Response.json(await getSubscriberDetail(await getDb(), { tenantId, id: await idParam(ctx.params) }));
});
