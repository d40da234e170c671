// POST /api/v1/conversions/whatsapp – a conversion (seeds/002 SendWhatsAppConversionRequest) for Meta's
// Conversions API for Business Messaging: 202 queued (delivered right after this answer), 200 for a repeated eventId
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { createConversion } from "@/lib/conversions/create";
import { deliverAfterResponse } from "@/lib/conversions/deliver-after";
import { parseConversionRequest } from "@/lib/conversions/schema";
import { afterResponse, readJson, withApiErrors } from "@/lib/http";

export const dynamic = "force-dynamic";

export const POST = withApiErrors(async (req: Request) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "marketer" });
  const request = parseConversionRequest(await readJson(req));
  const db = await getDb();
  const { result, claimed } = await createConversion(db, { tenantId, request, now: new Date(), deliverNow: true });
  if (claimed) afterResponse(() => deliverAfterResponse(db, claimed));
  return Response.json(result, { status: result.duplicate ? 200 : 202 });
});
