// When a number is connected, the webhooks that arrived for its Phone Number ID before it existed
// are checked against its app secret (their signatures could not be checked then) and processed.
import type { Db } from "@/db/client";
import { listUnverifiedEventsFor, setEventSignatureVerdict } from "@/db/queries/unrouted-events";
import { type ProcessSummary, reprocessUnroutedEvents } from "./ingest";
import { verifyMetaSignature } from "./signature";

export async function adoptUnroutedEvents(
  db: Db,
  { phoneNumberId, appSecret, metaAppSecret, now }: { phoneNumberId: string; appSecret: string | null; metaAppSecret?: string; now: Date },
): Promise<ProcessSummary & { rejected: number }> {
  const secrets = [appSecret, metaAppSecret].filter((s): s is string => !!s);
  let rejected = 0;
  for (;;) {
    const batch = await listUnverifiedEventsFor(db, { phoneNumberId, limit: 200 });
    if (batch.length === 0) break;
    for (const event of batch) {
      const header = (event.headers as Record<string, string>)["x-hub-signature-256"] ?? null;
      const valid = secrets.length > 0 && verifyMetaSignature(event.rawBody, header, secrets).ok;
      if (!valid) rejected += 1;
      await setEventSignatureVerdict(db, {
        id: event.id,
        valid,
        error: "The signature does not match the app secret of the number that claimed this Phone Number ID",
      });
    }
  }
  return { ...(await reprocessUnroutedEvents(db, { phoneNumberId, now })), rejected };
}
