// The transport-free half of POST /api/webhooks/green/{numberId}: authenticate, store, answer. Each Green API
// number has its own URL and its own webhookUrlToken, which Green API presents as `Authorization: Bearer <token>`
// (its own webhook servers read it that way). The token is compared in constant time; a request without the
// number's token is kept only as a bounded prefix, tied to no workspace. An accepted notification is stored
// before anything else, once: Green API redelivers until it gets a 200, and the redelivery stores nothing new.
import { z } from "zod";
import type { Db } from "@/db/client";
import { findGreenNumberForWebhook, findWebhookEventByDedupeKey, insertWebhookEventOnce } from "@/db/queries/green";
import { openSecret, safeEqual } from "@/lib/crypto";
import { decodeBody, readWebhookJson, storeWebhookEvent, webhookEventValues } from "@/lib/whatsapp/store";
import { greenNotificationKey } from "./parse";

export type GreenReceiveOutcome = {
  status: 200 | 400 | 401 | 404;
  body: { received: true; eventId: string; duplicate?: true } | { error: { code: string; message: string } };
  /** an event was stored that processing should pick up */
  stored: "received" | "rejected" | null;
};

const refuse = (status: 400 | 401 | 404, code: string, message: string): GreenReceiveOutcome => ({
  status,
  body: { error: { code, message } },
  stored: "rejected",
});

/** The token of `Authorization: Bearer <token>` (a bare token is taken too, as Green's own servers do). */
function presentedToken(authorization: string | null): string | null {
  const token = authorization
    ?.trim()
    .replace(/^Bearer(\s+|$)/i, "")
    .trim();
  return token ? token : null;
}

export async function receiveGreenWebhook(
  db: Db,
  deps: { encryptionKey: string },
  { numberId, rawBody, headers }: { numberId: string; rawBody: Buffer; headers: Headers },
): Promise<GreenReceiveOutcome> {
  const number = z.uuid().safeParse(numberId).success ? await findGreenNumberForWebhook(db, numberId) : null;
  const refused = { provider: "green" as const, rawBody, headers, bounded: true, status: "rejected" as const };
  if (!number) {
    await storeWebhookEvent(db, { ...refused, signatureResult: "invalid", error: "No Green API number has this webhook URL" });
    return refuse(404, "not_found", "No Green API number has this webhook URL");
  }
  const expected = openSecret(number.greenWebhookTokenEnc, deps.encryptionKey);
  const presented = presentedToken(headers.get("authorization"));
  if (!expected || !presented || !safeEqual(presented, expected)) {
    // an unauthenticated request never lands in the workspace's log (nor names its number there)
    const error = !presented ? "Authorization header is missing" : "The webhook token does not match";
    await storeWebhookEvent(db, { ...refused, signatureResult: presented ? "invalid" : "missing", error });
    return refuse(401, "unauthorized", expected ? error : "This number has no webhook token yet: create one on the number's page");
  }
  const route = { tenantId: number.tenantId, numberId: number.id };
  const body = readWebhookJson(decodeBody(rawBody));
  if (!body.ok) {
    await storeWebhookEvent(db, { ...refused, ...route, signatureResult: "valid", error: body.error });
    return refuse(400, "bad_request", body.error);
  }
  const json = body.json;
  const accepted = { provider: "green" as const, rawBody, headers, ...route, signatureResult: "valid" as const, status: "received" as const };
  const key = greenNotificationKey(json);
  if (!key) {
    const event = await storeWebhookEvent(db, accepted);
    return { status: 200, body: { received: true, eventId: event.id }, stored: "received" };
  }
  const dedupeKey = key.slice(0, 500);
  const id = await insertWebhookEventOnce(db, { ...webhookEventValues(accepted), numberId: number.id, dedupeKey });
  if (id) return { status: 200, body: { received: true, eventId: id }, stored: "received" };
  // a redelivery (Green API resends until it gets a 200): the first copy stands
  const first = await findWebhookEventByDedupeKey(db, { numberId: number.id, dedupeKey });
  return { status: 200, body: { received: true, eventId: first ?? "", duplicate: true }, stored: null };
}
