// GET    /api/v1/numbers/{id} – one number (marketers read; webhook set-up for managers)
// PATCH  /api/v1/numbers/{id} – change any fields (secrets left out are kept); re-tests the connection when it changed
// DELETE /api/v1/numbers/{id} – only when nothing refers to the number (409 otherwise: deactivate it)
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { idParam, readJson, withApiErrors } from "@/lib/http";
import { editNumber } from "@/lib/numbers/connect";
import { numberDepsFromEnv } from "@/lib/numbers/deps";
import { deleteNumber, requireNumberRow, toPublicNumber } from "@/lib/numbers/numbers";
import { numberPatchSchema } from "@/lib/numbers/schemas";
import { hasRole } from "@/lib/roles";

type Ctx = { params: Promise<{ id: string }> };
export const dynamic = "force-dynamic";

export const GET = withApiErrors(async (req: Request, ctx: Ctx) => {
  const { tenantId, role } = await requireApiPrincipal(req, { role: "marketer" });
  const row = await requireNumberRow(await getDb(), { tenantId, id: await idParam(ctx.params) });
  return Response.json(toPublicNumber(row, numberDepsFromEnv().keys, { includeWebhook: hasRole(role, "manager") }));
});

export const PATCH = withApiErrors(async (req: Request, ctx: Ctx) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "manager" });
  const id = await idParam(ctx.params);
  const patch = numberPatchSchema.parse(await readJson(req));
  return Response.json(await editNumber(await getDb(), numberDepsFromEnv(), { tenantId, id, patch }));
});

export const DELETE = withApiErrors(async (req: Request, ctx: Ctx) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "manager" });
  await deleteNumber(await getDb(), { tenantId, id: await idParam(ctx.params) });
  return new Response(null, { status: 204 });
});
