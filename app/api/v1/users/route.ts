// GET  /api/v1/users – users of the caller's tenant, keyset-paginated (admin: API key or session)
// POST /api/v1/users – create a user with a password (admin)
import { getDb } from "@/db/client";
import { createUserSchema } from "@/lib/accounts/schemas";
import { createUser, listUsersPage } from "@/lib/accounts/users";
import { requireApiPrincipal } from "@/lib/auth";
import { readJson, searchParamsObject, withApiErrors } from "@/lib/http";
import { pageParamsSchema } from "@/lib/pagination";

export const dynamic = "force-dynamic";

export const GET = withApiErrors(async (req: Request) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "admin" });
  const params = pageParamsSchema.parse(searchParamsObject(new URL(req.url).searchParams));
  return Response.json(await listUsersPage(await getDb(), { tenantId, ...params }));
});

export const POST = withApiErrors(async (req: Request) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "admin" });
  const input = createUserSchema.parse(await readJson(req));
  return Response.json(await createUser(await getDb(), { tenantId, input }), { status: 201 });
});
