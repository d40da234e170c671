// GET  /api/zernio/v1/whatsapp/dataset – Zernio SDK getWhatsAppDataset: the number's stored CAPI dataset id, or null (manager)
// POST /api/zernio/v1/whatsapp/dataset – Zernio SDK createWhatsAppDataset: create or fetch it at Meta and keep its id (manager)
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { conversionDepsFromEnv } from "@/lib/conversions/deps";
import { readJson, searchParamsObject } from "@/lib/http";
import { createZernioDataset, getZernioDataset } from "@/lib/zernio/dataset";
import { methodNotAllowed, withZernioErrors } from "@/lib/zernio/errors";

export const dynamic = "force-dynamic";

export const GET = withZernioErrors(async (req: Request) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "manager" });
  const query = searchParamsObject(new URL(req.url).searchParams);
  return Response.json(await getZernioDataset(await getDb(), { tenantId, query }));
});

export const POST = withZernioErrors(async (req: Request) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "manager" });
  const body = await readJson(req);
  return Response.json(await createZernioDataset(await getDb(), conversionDepsFromEnv(), { tenantId, body }));
});

export const { PUT, PATCH, DELETE } = methodNotAllowed(["GET", "POST"]);
