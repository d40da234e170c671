// POST /api/v1/simulator – prepares the Simulator number `npm run simulate` signs its webhooks for:
// an API key or console session of a manager (their workspace), or the server's CRON_SECRET (the first
// workspace: what the simulator uses on a fresh install, where no API key exists yet).
import { getDb } from "@/db/client";
import { getFirstTenant } from "@/db/queries";
import { requireApiPrincipal } from "@/lib/auth";
import { safeEqual } from "@/lib/crypto";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { bearerToken, withApiErrors } from "@/lib/http";
import { numberDepsFromEnv } from "@/lib/numbers/deps";
import { prepareSimulatorNumber } from "@/lib/simulator";

export const dynamic = "force-dynamic";

export const POST = withApiErrors(async (req: Request) => {
  const db = await getDb();
  const token = bearerToken(req.headers.get("authorization"));
  let tenantId: string;
  if (token && safeEqual(token, getEnv().CRON_SECRET)) {
    const tenant = await getFirstTenant(db);
    if (!tenant) throw new AppError("conflict", "No workspace exists yet: open the console and finish set-up first");
    tenantId = tenant.id;
  } else {
    tenantId = (await requireApiPrincipal(req, { role: "manager" })).tenantId;
  }
  const prepared = await prepareSimulatorNumber(db, numberDepsFromEnv().keys, { tenantId });
  return Response.json(prepared, { status: prepared.created ? 201 : 200 });
});
