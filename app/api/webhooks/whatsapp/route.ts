// GET  /api/webhooks/whatsapp – Meta's subscription handshake (hub.challenge)
// POST /api/webhooks/whatsapp – Meta Cloud API webhooks: verify X-Hub-Signature-256, store, answer, then process
import { getDb } from "@/db/client";
import { afterResponse, jsonError } from "@/lib/http";
import { readRawBody, unreadBodyResponse } from "@/lib/webhook-http";
import { processingDepsFromEnv, receiveDepsFromEnv } from "@/lib/whatsapp/deps";
import { processStoredWebhooks } from "@/lib/whatsapp/processing-loop";
import { answerVerification, receiveCloudWebhook } from "@/lib/whatsapp/receive";

export const dynamic = "force-dynamic";

export async function GET(req: Request) {
  const answer = await answerVerification(await getDb(), receiveDepsFromEnv(), new URL(req.url).searchParams);
  if (answer.status === 403) return new Response("Forbidden: the verify token does not match", { status: 403, headers: { "content-type": "text/plain" } });
  return new Response(answer.challenge, { status: 200, headers: { "content-type": "text/plain" } });
}

export async function POST(req: Request) {
  const raw = await readRawBody(req);
  if (!raw.ok) return unreadBodyResponse(raw.status);
  try {
    const db = await getDb();
    const outcome = await receiveCloudWebhook(db, receiveDepsFromEnv(), { rawBody: raw.bytes, headers: req.headers });
    if (outcome.stored === "received") processStoredWebhooks(db, processingDepsFromEnv(), afterResponse);
    return Response.json(outcome.body, { status: outcome.status });
  } catch (e) {
    // the body could not be stored: 503 makes Meta retry (it keeps retrying for days)
    console.error("[clicktrail] webhook could not be stored", e);
    return jsonError(503, "unavailable", "The webhook could not be stored; please retry");
  }
}
