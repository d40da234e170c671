// GET  /api/v1/numbers/{id}/dataset – read the WABA's Conversions API dataset from Meta and keep its id (manager)
// POST /api/v1/numbers/{id}/dataset – create it (Meta returns the existing one if there is one) and keep its id
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { syncNumberDataset } from "@/lib/conversions/dataset";
import { conversionDepsFromEnv } from "@/lib/conversions/deps";
import { idParam, withApiErrors } from "@/lib/http";

type Ctx = { params: Promise<{ id: string }> };
export const dynamic = "force-dynamic";

const sync = (create: boolean) =>
  withApiErrors(async (req: Request, ctx: Ctx) => {
    const { tenantId } = await requireApiPrincipal(req, { role: "manager" });
    return Response.json(await syncNumberDataset(await getDb(), conversionDepsFromEnv(), { tenantId, numberId: await idParam(ctx.params), create }));
  });

export const GET = sync(false);
export const POST = sync(true);
