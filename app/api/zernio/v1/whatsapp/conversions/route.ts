// POST /api/zernio/v1/whatsapp/conversions – Zernio SDK sendWhatsAppConversion: store, send to Meta, answer Meta's result (API key or session)
// GET  /api/zernio/v1/whatsapp/conversions – Zernio SDK listWhatsAppConversions: the account's newest conversions
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { conversionDepsFromEnv } from "@/lib/conversions/deps";
import { readJson, searchParamsObject } from "@/lib/http";
import { listZernioConversions, sendZernioConversion } from "@/lib/zernio/conversions";
import { methodNotAllowed, withZernioErrors } from "@/lib/zernio/errors";

export const dynamic = "force-dynamic";

export const POST = withZernioErrors(async (req: Request) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "marketer" });
  const body = await readJson(req);
  const { status, result } = await sendZernioConversion(await getDb(), conversionDepsFromEnv(), { tenantId, body, now: new Date() });
  return Response.json(result, { status });
});

export const GET = withZernioErrors(async (req: Request) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "marketer" });
  const query = searchParamsObject(new URL(req.url).searchParams);
  return Response.json(await listZernioConversions(await getDb(), { tenantId, query }));
});

export const { PUT, PATCH, DELETE } = methodNotAllowed(["GET", "POST"]);
