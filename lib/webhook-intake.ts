// One webhook request after its body was read: store it, decide the answer, start processing. The route
// handlers (Vercel, `next dev`) and the self-hosted server's fast path (lib/webhook-server.ts) both call
// this, so the two transports can only differ in how they read bytes and write the answer.
import type { Db } from "@/db/client";
import { errorBody } from "@/lib/errors";
import { receiveGreenWebhook } from "@/lib/green/receive";
import { processingDepsFromEnv, receiveDepsFromEnv } from "@/lib/whatsapp/deps";
import { processStoredWebhooks } from "@/lib/whatsapp/processing-loop";
import { answerVerification, receiveCloudWebhook, receiveGupshupWebhook } from "@/lib/whatsapp/receive";

/** Which webhook URL a request came to: Meta Cloud's one URL, or a Gupshup / Green API number's own. */
export type WebhookTarget = { provider: "cloud" } | { provider: "gupshup"; token: string } | { provider: "green"; numberId: string };

/** An answer to send as JSON. */
export type WebhookAnswer = { status: number; body: unknown };

/** Runs a task once the answer is on its way (Next's after() in a route; the next turn of the event loop in the server). */
export type Defer = (task: () => Promise<unknown>) => void;

const UNSTORED: Record<WebhookTarget["provider"], { log: string; message: string }> = {
  // each provider retries a 5xx: Meta for days, Gupshup a few times, Green API every minute for 24 h
  cloud: { log: "webhook could not be stored", message: "The webhook could not be stored; please retry" },
  gupshup: { log: "Gupshup callback could not be stored", message: "The callback could not be stored; please retry" },
  green: { log: "Green API notification could not be stored", message: "The notification could not be stored; please retry" },
};

/**
 * Verifies and stores one webhook request (rejected ones too), answers it, and when an event was stored
 * for processing, nudges the processing thread or runs the loop through `defer`. A body that cannot be
 * stored is answered 503 so that the provider delivers it again.
 */
export async function takeWebhook(
  getDb: () => Promise<Db>,
  target: WebhookTarget,
  request: { rawBody: Buffer; headers: Headers },
  defer: Defer,
): Promise<WebhookAnswer> {
  try {
    const db = await getDb();
    const outcome =
      target.provider === "cloud"
        ? await receiveCloudWebhook(db, receiveDepsFromEnv(), request)
        : target.provider === "gupshup"
          ? await receiveGupshupWebhook(db, { token: target.token, ...request })
          : await receiveGreenWebhook(db, { encryptionKey: receiveDepsFromEnv().encryptionKey }, { numberId: target.numberId, ...request });
    if (outcome.stored === "received") processStoredWebhooks(db, processingDepsFromEnv(), defer);
    return { status: outcome.status, body: outcome.body };
  } catch (e) {
    console.error(`[clicktrail] ${UNSTORED[target.provider].log}`, e);
    return { status: 503, body: errorBody("unavailable", UNSTORED[target.provider].message) };
  }
}

/** GET /api/webhooks/whatsapp: Meta's subscription handshake; the challenge (200) or 403, both text/plain. */
export async function takeWebhookHandshake(getDb: () => Promise<Db>, params: URLSearchParams): Promise<{ status: 200 | 403; text: string }> {
  const answer = await answerVerification(await getDb(), receiveDepsFromEnv(), params);
  return answer.status === 403 ? { status: 403, text: "Forbidden: the verify token does not match" } : { status: 200, text: answer.challenge };
}
