// When a number proves its Phone Number ID (its token passed the Graph check), the webhooks that arrived for
// that id before are checked against its own app secret (or META_APP_SECRET when it has none) and, if they
// verify, its changes become an event of its workspace and are processed. Nothing else of the body goes with them.
import type { Db } from "@/db/client";
import { claimUnroutedEvent, listUnroutedEventsNaming, releaseUnroutedPhoneNumberId } from "@/db/queries/unrouted-events";
import type { Cursor } from "@/lib/pagination";
import { type ProcessSummary, processWebhookEvents } from "./ingest";
import { verifyMetaSignature } from "./signature";
import { changeRefs, cutDelivery } from "./split";
import { parseBodyJson, storedBodyBytes, storeWebhookEvent } from "./store";

export type AdoptingNumber = { id: string; tenantId: string; phoneNumberId: string; appSecret: string | null };

export async function adoptUnroutedEvents(
  db: Db,
  { number, metaAppSecret, now }: { number: AdoptingNumber; metaAppSecret?: string; now: Date },
): Promise<ProcessSummary & { rejected: number }> {
  const secret = number.appSecret ?? metaAppSecret ?? "";
  const pnid = number.phoneNumberId;
  const adopted: string[] = [];
  let rejected = 0;
  let after: Cursor | undefined;
  for (;;) {
    const batch = await listUnroutedEventsNaming(db, { phoneNumberId: pnid, limit: 200, after });
    if (batch.length === 0) break;
    for (const event of batch) {
      const header = (event.headers as Record<string, string>)["x-hub-signature-256"] ?? null;
      if (!secret || !verifyMetaSignature(storedBodyBytes(event), header, [secret]).ok) {
        rejected += 1;
        await releaseUnroutedPhoneNumberId(db, { id: event.id, phoneNumberId: pnid, refused: true });
        continue;
      }
      const json = parseBodyJson(event.rawBody);
      const refs = changeRefs(json);
      const mine = refs.filter((r) => r.phoneNumberId === pnid);
      if (mine.length === refs.length && event.routedPhoneNumberIds.length === 1 && event.tenantId === null) {
        await claimUnroutedEvent(db, { id: event.id, tenantId: number.tenantId, numberId: number.id, phoneNumberId: pnid });
        adopted.push(event.id);
        continue;
      }
      // the body names others too: this workspace gets a copy holding only its own changes
      const copy = await storeWebhookEvent(db, {
        provider: "cloud",
        rawBody: storedBodyBytes(event),
        tenantCopy: cutDelivery(json, refs, (r) => r.phoneNumberId === pnid),
        headers: event.headers,
        tenantId: number.tenantId,
        numberId: number.id,
        routedPhoneNumberIds: [pnid],
        verifiedPhoneNumberIds: [pnid],
        signatureResult: "valid",
        status: "received",
        receivedAt: event.receivedAt,
      });
      adopted.push(copy.id);
      await releaseUnroutedPhoneNumberId(db, { id: event.id, phoneNumberId: pnid, refused: false });
    }
    const last = batch[batch.length - 1]!;
    after = { at: last.receivedAt, id: last.id };
  }
  return { ...(await processWebhookEvents(db, { ids: adopted, now })), rejected };
}
