// GET   /api/v1/leads/{id} – one lead with its drip messages (template, schedule, status, error)
// PATCH /api/v1/leads/{id} – record the call (callStatus, isTarget: true enrolls) or stop the campaign (campaignActive: false); manager+
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { idParam, readJson, withApiErrors } from "@/lib/http";
import { patchLead } from "@/lib/leads/call";
import { getLead, leadDetailJson } from "@/lib/leads/read";
import { parseLeadPatch } from "@/lib/leads/schemas";

type Ctx = { params: Promise<{ id: string }> };
export const dynamic = "force-dynamic";

export const GET = withApiErrors(async (req: Request, ctx: Ctx) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "marketer" });
  return Response.json(leadDetailJson(await getLead(await getDb(), { tenantId, id: await idParam(ctx.params) })));
});

export const PATCH = withApiErrors(async (req: Request, ctx: Ctx) => {
  const { tenantId, userId } = await requireApiPrincipal(req, { role: "manager" });
  const leadId = await idParam(ctx.params);
  const patch = parseLeadPatch(await readJson(req));
  const { detail, queued, cancelled, notQueued } = await patchLead(await getDb(), { tenantId, leadId, patch, userId, now: new Date() });
  return Response.json({ ...leadDetailJson(detail), queued, cancelled, notQueued });
});
