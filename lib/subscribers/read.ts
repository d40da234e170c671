// Reading one subscriber: for the API (the seeds/000 fields, its conversations and the last touch) and
// for the console's subscriber page (plus messages, conversions and drip messages).
import { z } from "zod";
import type { Db } from "@/db/client";
import { getNumberById } from "@/db/queries";
import { getConversationById, listSubscriberConversations } from "@/db/queries/conversations";
import { DRIP_OUTBOUND_KEY } from "@/db/queries/drip";
import { listSubscriberMessages } from "@/db/queries/messages";
import { listSubscriberConversions, listSubscriberOutbound } from "@/db/queries/subscriber-timeline";
import { getSubscriberById } from "@/db/queries/subscribers";
import { notFound } from "@/lib/errors";
import { subscriberDetailJson } from "./serialize";

export async function getSubscriberDetail(db: Db, key: { tenantId: string; id: string }) {
  const subscriber = await getSubscriberById(db, key);
  if (!subscriber) throw notFound("Subscriber");
  const conversations = await listSubscriberConversations(db, { tenantId: key.tenantId, subscriberId: key.id });
  return subscriberDetailJson(subscriber, conversations);
}

/** Everything the console's subscriber page shows, or null (a malformed or foreign id names nobody). */
export async function loadSubscriberPage(db: Db, { tenantId, id }: { tenantId: string; id: string }) {
  if (!z.uuid().safeParse(id).success) return null;
  const subscriber = await getSubscriberById(db, { tenantId, id });
  if (!subscriber) return null;
  const key = { tenantId, subscriberId: id };
  const [conversations, allMessages, conversions, outbound, number] = await Promise.all([
    listSubscriberConversations(db, key),
    listSubscriberMessages(db, { ...key, limit: 100 }),
    listSubscriberConversions(db, key),
    listSubscriberOutbound(db, key),
    subscriber.numberId ? getNumberById(db, { tenantId, id: subscriber.numberId }) : null,
  ]);
  // a drip send is listed once: as its queue row (the drip's template and state), not again as the message it left
  const listed = new Set(outbound.map((o) => o.id));
  const messages = allMessages.filter((m) => !(m.direction === "outbound" && listed.has(String(m.payload?.[DRIP_OUTBOUND_KEY]))));
  // the first touch may be older than the conversations listed
  const touch = async (touchId: string | null) =>
    touchId ? (conversations.find((c) => c.id === touchId) ?? (await getConversationById(db, { tenantId, id: touchId }))) : null;
  const [firstTouch, lastTouch] = await Promise.all([touch(subscriber.firstTouchConversationId), touch(subscriber.lastTouchConversationId)]);
  return {
    subscriber,
    conversations,
    firstTouch,
    lastTouch,
    messages,
    conversions,
    outbound,
    number: number ? { id: number.id, label: number.label, phoneE164: number.phoneE164 } : null,
  };
}
export type SubscriberPageData = NonNullable<Awaited<ReturnType<typeof loadSubscriberPage>>>;
