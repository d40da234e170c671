// Reading subscribers for the API: one by id, or a keyset page (optionally one phone or user id).
import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { beforeCursor } from "@/db/queries/keyset";
import { listSubscriberConversations } from "@/db/queries/conversations";
import { getSubscriberById } from "@/db/queries/subscribers";
import { subscribers } from "@/db/schema";
import { notFound } from "@/lib/errors";
import { decodeCursor, pageParamsSchema, toPage } from "@/lib/pagination";
import { normalisePhone } from "@/lib/phone";
import { subscriberDetailJson, subscriberJson } from "./serialize";

export const subscriberLookupSchema = pageParamsSchema.extend({
  waPhone: z
    .string()
    .trim()
    .transform((v, ctx) => {
      const e164 = normalisePhone(v);
      if (!e164) {
        ctx.addIssue({ code: "custom", message: "Not a valid phone number: include the country code, e.g. +15551234567" });
        return z.NEVER;
      }
      return e164;
    })
    .optional(),
  userId: z.string().trim().min(1).max(128).optional(),
});
export type SubscriberLookup = z.output<typeof subscriberLookupSchema>;

export async function getSubscriberDetail(db: Db, key: { tenantId: string; id: string }) {
  const subscriber = await getSubscriberById(db, key);
  if (!subscriber) throw notFound("Subscriber");
  const conversations = await listSubscriberConversations(db, { tenantId: key.tenantId, subscriberId: key.id });
  return subscriberDetailJson(subscriber, conversations);
}

/** Newest first by first-seen time (index subscribers_tenant_first_seen_idx). */
export async function lookupSubscribersPage(db: Db, { tenantId, waPhone, userId, cursor, limit }: { tenantId: string } & SubscriberLookup) {
  const rows = await db
    .select()
    .from(subscribers)
    .where(
      and(
        eq(subscribers.tenantId, tenantId),
        waPhone ? eq(subscribers.waPhone, waPhone) : undefined,
        userId ? eq(subscribers.userId, userId) : undefined,
        beforeCursor(subscribers.firstSeenAt, subscribers.id, cursor ? decodeCursor(cursor) : undefined),
      ),
    )
    .orderBy(desc(subscribers.firstSeenAt), desc(subscribers.id))
    .limit(limit + 1);
  const page = toPage(rows, limit, (r) => ({ at: r.firstSeenAt, id: r.id }));
  return { rows: page.rows.map(subscriberJson), nextCursor: page.nextCursor };
}
