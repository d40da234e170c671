// GET  /api/webhooks/whatsapp – Meta's subscription handshake (hub.challenge)
// POST /api/webhooks/whatsapp – Meta Cloud API webhooks: verify X-Hub-Signature-256, store, answer, then process
// (the self-hosted server answers both without Next's pipeline, with the same functions: lib/webhook-server.ts)
import { getDb } from "@/db/client";
import { afterResponse } from "@/lib/http";
import { readRawBody, unreadBodyResponse } from "@/lib/webhook-http";
import { takeWebhook, takeWebhookHandshake } from "@/lib/webhook-intake";

export const dynamic = "force-dynamic";

export async function GET(req: Request) {
  const answer = await takeWebhookHandshake(getDb, new URL(req.url).searchParams);
  return new Response(answer.text, { status: answer.status, headers: { "content-type": "text/plain" } });
}

export async function POST(req: Request) {
  const raw = await readRawBody(req);
  if (!raw.ok) return unreadBodyResponse(raw.status);
  const answer = await takeWebhook(getDb, { provider: "cloud" }, { rawBody: raw.bytes, headers: req.headers }, afterResponse);
  return Response.json(answer.body, { status: answer.status });
}
