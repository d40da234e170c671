// POST /api/webhooks/green/{numberId} – Green API notifications for one number; its webhookUrlToken (Authorization: Bearer) authenticates
// (the self-hosted server answers it without Next's pipeline, with the same function: lib/webhook-server.ts)
import { getDb } from "@/db/client";
import { afterResponse } from "@/lib/http";
import { readRawBody, unreadBodyResponse } from "@/lib/webhook-http";
import { takeWebhook } from "@/lib/webhook-intake";

export const dynamic = "force-dynamic";

export async function POST(req: Request, ctx: { params: Promise<{ numberId: string }> }) {
  const raw = await readRawBody(req);
  if (!raw.ok) return unreadBodyResponse(raw.status);
  const target = { provider: "green" as const, numberId: (await ctx.params).numberId };
  const answer = await takeWebhook(getDb, target, { rawBody: raw.bytes, headers: req.headers }, afterResponse);
  return Response.json(answer.body, { status: answer.status });
}
