// Reading subscribers for the API: one by id, or a keyset page (optionally one phone or user id).
import { z } from "zod";
import type { Db } from "@/db/client";
import { listSubscriberConversations } from "@/db/queries/conversations";
import { getSubscriberById, listSubscribersByIdentity } from "@/db/queries/subscribers";
import { notFound } from "@/lib/errors";
import { decodeCursor, pageParamsSchema, toPage } from "@/lib/pagination";
import { phoneE164Schema } from "@/lib/phone";
import { subscriberDetailJson, subscriberJson } from "./serialize";

export const subscriberLookupSchema = pageParamsSchema.extend({
  waPhone: phoneE164Schema.optional(),
  userId: z.string().trim().min(1).max(128).optional(),
});
export type SubscriberLookup = z.output<typeof subscriberLookupSchema>;

export async function getSubscriberDetail(db: Db, key: { tenantId: string; id: string }) {
  const subscriber = await getSubscriberById(db, key);
  if (!subscriber) throw notFound("Subscriber");
  const conversations = await listSubscriberConversations(db, { tenantId: key.tenantId, subscriberId: key.id });
  return subscriberDetailJson(subscriber, conversations);
}

/** Newest first by first-seen time. */
export async function lookupSubscribersPage(db: Db, { tenantId, waPhone, userId, cursor, limit }: { tenantId: string } & SubscriberLookup) {
  const rows = await listSubscribersByIdentity(db, { tenantId, waPhone, userId, cursor: cursor ? decodeCursor(cursor) : undefined, limit });
  const page = toPage(rows, limit, (r) => ({ at: r.firstSeenAt, id: r.id }));
  return { rows: page.rows.map(subscriberJson), nextCursor: page.nextCursor };
}
