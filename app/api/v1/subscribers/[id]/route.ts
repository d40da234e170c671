// GET   /api/v1/subscribers/{id} – one subscriber (seeds/000 fields), its conversations and last touch
// PATCH /api/v1/subscribers/{id} – lifecycleState, tags, status (active | blocked | opted_out)
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { idParam, readJson, withApiErrors } from "@/lib/http";
import { subscriberPatchSchema, updateSubscriber } from "@/lib/subscribers/manage";
import { getSubscriberDetail } from "@/lib/subscribers/read";

type Ctx = { params: Promise<{ id: string }> };
export const dynamic = "force-dynamic";

export const GET = withApiErrors(async (req: Request, ctx: Ctx) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "marketer" });
  return Response.json(await getSubscriberDetail(await getDb(), { tenantId, id: await idParam(ctx.params) }));
});

export const PATCH = withApiErrors(async (req: Request, ctx: Ctx) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "marketer" });
  const id = await idParam(ctx.params);
  const patch = subscriberPatchSchema.parse(await readJson(req));
  const db = await getDb();
  await updateSubscriber(db, { tenantId, id, patch, now: new Date() });
  return Response.json(await getSubscriberDetail(db, { tenantId, id }));
});
