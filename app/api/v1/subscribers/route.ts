// GET /api/v1/subscribers?waPhone=+15551234567 | ?userId=US.123 – the tenant's subscribers, keyset-paginated
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { searchParamsObject, withApiErrors } from "@/lib/http";
import { lookupSubscribersPage, subscriberLookupSchema } from "@/lib/subscribers/read";

export const dynamic = "force-dynamic";

export const GET = withApiErrors(async (req: Request) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "marketer" });
  const params = subscriberLookupSchema.parse(searchParamsObject(new URL(req.url).searchParams));
  return Response.json(await lookupSubscribersPage(await getDb(), { tenantId, ...params }));
});
