// GET /api/cron/drip – the scheduled run (Vercel Cron or any scheduler): Authorization: Bearer $CRON_SECRET
import { getDb } from "@/db/client";
import { safeEqual } from "@/lib/crypto";
import { getEnv } from "@/lib/env";
import { bearerToken, jsonError, withApiErrors } from "@/lib/http";
import { runScheduledWork } from "@/lib/scheduler";

export const dynamic = "force-dynamic";
export const maxDuration = 60;

export const GET = withApiErrors(async (req: Request) => {
  const token = bearerToken(req.headers.get("authorization"));
  if (!token || !safeEqual(token, getEnv().CRON_SECRET)) return jsonError(401, "unauthorized", "Send Authorization: Bearer <CRON_SECRET>");
  return Response.json(await runScheduledWork(await getDb()));
});
