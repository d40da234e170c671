// POST /api/webhooks/gupshup/{token} – Gupshup callbacks (v2 and v3 passthrough); the per-number token authenticates
import { getDb } from "@/db/client";
import { afterResponse, jsonError } from "@/lib/http";
import { readRawBody, unreadBodyResponse } from "@/lib/webhook-http";
import { processingDepsFromEnv } from "@/lib/whatsapp/deps";
import { processStoredWebhooks } from "@/lib/whatsapp/processing-loop";
import { receiveGupshupWebhook } from "@/lib/whatsapp/receive";

export const dynamic = "force-dynamic";

export async function POST(req: Request, ctx: { params: Promise<{ token: string }> }) {
  const raw = await readRawBody(req);
  if (!raw.ok) return unreadBodyResponse(raw.status);
  try {
    const db = await getDb();
    const outcome = await receiveGupshupWebhook(db, { token: (await ctx.params).token, rawBody: raw.bytes, headers: req.headers });
    if (outcome.stored === "received") processStoredWebhooks(db, processingDepsFromEnv(), afterResponse);
    return Response.json(outcome.body, { status: outcome.status });
  } catch (e) {
    console.error("[clicktrail] Gupshup callback could not be stored", e);
    return jsonError(503, "unavailable", "The callback could not be stored; please retry");
  }
}
