// GET  /api/v1/leads – leads, newest first (callStatus, isTarget, campaignActive, segment, q), keyset-paginated, with queue counts
// POST /api/v1/leads – a lead from the website form or a CRM (bearer API key): 201, or 200 with the first lead for a repeated externalRef
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { readJson, searchParamsObject, withApiErrors } from "@/lib/http";
import { createLead } from "@/lib/leads/create";
import { leadJson, leadListJson, listLeads } from "@/lib/leads/read";
import { leadFiltersSchema, parseCreateLead } from "@/lib/leads/schemas";
import { pageParamsSchema } from "@/lib/pagination";

export const dynamic = "force-dynamic";

export const GET = withApiErrors(async (req: Request) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "marketer" });
  const raw = searchParamsObject(new URL(req.url).searchParams);
  const filters = leadFiltersSchema.parse(raw);
  const { cursor, limit } = pageParamsSchema.parse(raw);
  const page = await listLeads(await getDb(), { tenantId, filters, cursor, limit });
  return Response.json({ rows: page.rows.map(leadListJson), nextCursor: page.nextCursor });
});

export const POST = withApiErrors(async (req: Request) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "manager" });
  const input = parseCreateLead(await readJson(req));
  const { lead, duplicate } = await createLead(await getDb(), { tenantId, input, now: new Date() });
  return Response.json({ ...leadJson(lead), duplicate }, { status: duplicate ? 200 : 201 });
});
