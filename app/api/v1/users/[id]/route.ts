// GET    /api/v1/users/{id} – one user of the caller's tenant (admin; other tenants' ids → 404)
// PATCH  /api/v1/users/{id} – change name, role or password (admin)
// DELETE /api/v1/users/{id} – remove a user (admin; never the last admin)
import { getDb } from "@/db/client";
import { updateUserSchema } from "@/lib/accounts/schemas";
import { removeUser, requireUser, updateUserAccount } from "@/lib/accounts/users";
import { requireApiPrincipal } from "@/lib/auth";
import { idParam, readJson, withApiErrors } from "@/lib/http";

type Ctx = { params: Promise<{ id: string }> };
export const dynamic = "force-dynamic";

export const GET = withApiErrors(async (req: Request, ctx: Ctx) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "admin" });
  return Response.json(await requireUser(await getDb(), { tenantId, id: await idParam(ctx.params) }));
});

export const PATCH = withApiErrors(async (req: Request, ctx: Ctx) => {
  const { tenantId, userId } = await requireApiPrincipal(req, { role: "admin" });
  const id = await idParam(ctx.params);
  const input = updateUserSchema.parse(await readJson(req));
  return Response.json(await updateUserAccount(await getDb(), { tenantId, actorId: userId, userId: id, input }));
});

export const DELETE = withApiErrors(async (req: Request, ctx: Ctx) => {
  const { tenantId, userId } = await requireApiPrincipal(req, { role: "admin" });
  await removeUser(await getDb(), { tenantId, actorId: userId, userId: await idParam(ctx.params) });
  return new Response(null, { status: 204 });
});
