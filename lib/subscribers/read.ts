// Reading one subscriber for the API: the seeds/000 fields, its conversations and the last touch.
import type { Db } from "@/db/client";
import { listSubscriberConversations } from "@/db/queries/conversations";
import { getSubscriberById } from "@/db/queries/subscribers";
import { notFound } from "@/lib/errors";
import { subscriberDetailJson } from "./serialize";

export async function getSubscriberDetail(db: Db, key: { tenantId: string; id: string }) {
  const subscriber = await getSubscriberById(db, key);
  if (!subscriber) throw notFound("Subscriber");
  const conversations = await listSubscriberConversations(db, { tenantId: key.tenantId, subscriberId: key.id });
  return subscriberDetailJson(subscriber, conversations);
}
