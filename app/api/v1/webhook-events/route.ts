// GET /api/v1/webhook-events?status=&provider=&numberId=&cursor=&limit= – the tenant's stored webhook deliveries,
// newest first, keyset-paginated, WITHOUT raw bodies (marketer: only status, timing and a size summary).
// Raw bodies hold customers' messages, so GET /api/v1/webhook-events/{id} and its replay need a manager.
// Events for Phone Number IDs no tenant has connected are kept but listed to nobody (no tenant owns them).
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { searchParamsObject, withApiErrors } from "@/lib/http";
import { listWebhookEventsPage, webhookEventFiltersSchema } from "@/lib/webhook-events/list";

export const dynamic = "force-dynamic";

export const GET = withApiErrors(async (req: Request) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "marketer" });
  const filters = webhookEventFiltersSchema.parse(searchParamsObject(new URL(req.url).searchParams));
  return Response.json(await listWebhookEventsPage(await getDb(), { tenantId, ...filters }));
});
