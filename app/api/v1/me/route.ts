// GET /api/v1/me – who is calling: tenant, and user or API key (API key or session)
import { getDb } from "@/db/client";
import { getTenantById } from "@/db/queries";
import { requireApiPrincipal } from "@/lib/auth";
import { withApiErrors } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = withApiErrors(async (req: Request) => {
  const principal = await requireApiPrincipal(req);
  const tenant = await getTenantById(await getDb(), principal.tenantId);
  return Response.json({ ...principal, tenant: tenant ? { id: tenant.id, name: tenant.name } : null });
});
