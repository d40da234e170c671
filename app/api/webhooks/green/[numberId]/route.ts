// POST /api/webhooks/green/{numberId} – Green API notifications for one number; its webhookUrlToken (Authorization: Bearer) authenticates
import { getDb } from "@/db/client";
import { receiveGreenWebhook } from "@/lib/green/receive";
import { afterResponse, jsonError } from "@/lib/http";
import { readRawBody, unreadBodyResponse } from "@/lib/webhook-http";
import { processingDepsFromEnv, receiveDepsFromEnv } from "@/lib/whatsapp/deps";
import { processStoredWebhooks } from "@/lib/whatsapp/processing-loop";

export const dynamic = "force-dynamic";

export async function POST(req: Request, ctx: { params: Promise<{ numberId: string }> }) {
  const raw = await readRawBody(req);
  if (!raw.ok) return unreadBodyResponse(raw.status);
  try {
    const db = await getDb();
    const { encryptionKey } = receiveDepsFromEnv();
    const outcome = await receiveGreenWebhook(db, { encryptionKey }, { numberId: (await ctx.params).numberId, rawBody: raw.bytes, headers: req.headers });
    if (outcome.stored === "received") processStoredWebhooks(db, processingDepsFromEnv(), afterResponse);
    return Response.json(outcome.body, { status: outcome.status });
  } catch (e) {
    // not stored: a 5xx makes Green API deliver it again (it retries every minute for 24 h)
    console.error("[clicktrail] Green API notification could not be stored", e);
    return jsonError(503, "unavailable", "The notification could not be stored; please retry");
  }
}
