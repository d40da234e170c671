// GET  /api/v1/numbers – the tenant's WhatsApp numbers, keyset-paginated (marketers read; no secrets)
// POST /api/v1/numbers – connect a number, then test the connection (manager)
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { readJson, searchParamsObject, withApiErrors } from "@/lib/http";
import { connectNumber } from "@/lib/numbers/connect";
import { numberDepsFromEnv } from "@/lib/numbers/deps";
import { listNumbersPage, toPublicNumber } from "@/lib/numbers/numbers";
import { createNumberSchema } from "@/lib/numbers/schemas";
import { pageParamsSchema } from "@/lib/pagination";
import { hasRole } from "@/lib/roles";

export const dynamic = "force-dynamic";

export const GET = withApiErrors(async (req: Request) => {
  const { tenantId, role } = await requireApiPrincipal(req, { role: "marketer" });
  const params = pageParamsSchema.parse(searchParamsObject(new URL(req.url).searchParams));
  const page = await listNumbersPage(await getDb(), { tenantId, ...params });
  const { keys } = numberDepsFromEnv();
  const includeWebhook = hasRole(role, "manager");
  return Response.json({ ...page, rows: page.rows.map((row) => toPublicNumber(row, keys, { includeWebhook })) });
});

export const POST = withApiErrors(async (req: Request) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "manager" });
  const input = createNumberSchema.parse(await readJson(req));
  return Response.json(await connectNumber(await getDb(), numberDepsFromEnv(), { tenantId, input }), { status: 201 });
});
