// Tests that feed Meta's webhooks through the real pipeline: store a payload as a signature-checked webhook event
// (routed by the phone number ids it names, as the route does), then process it.
import type { Db } from "@/db/client";
import { processWebhookEvents } from "@/lib/whatsapp/ingest";
import { extractPhoneNumberIds } from "@/lib/whatsapp/parse";
import { storeWebhookEvent } from "@/lib/whatsapp/store";

/** Stores a Cloud API payload as a valid webhook event and processes it; the stored event and the run's summary. */
export async function ingestCloudPayload(db: Db, payload: unknown, now: Date = new Date()) {
  const rawBody = JSON.stringify(payload);
  const event = await storeWebhookEvent(db, {
    provider: "cloud",
    rawBody,
    signatureResult: "valid",
    routedPhoneNumberIds: extractPhoneNumberIds(JSON.parse(rawBody)),
    receivedAt: now,
  });
  const summary = await processWebhookEvents(db, { ids: [event.id], now });
  return { event, summary };
}
