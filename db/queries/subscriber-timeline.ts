// What happened with one subscriber, newest first, for the detail page's timeline (each list capped).
import { and, eq } from "drizzle-orm";
import type { Db } from "../client";
import { newestFirst } from "./keyset";
import { conversions, outboundMessages } from "../schema";

type Key = { tenantId: string; subscriberId: string; limit?: number };

export async function listSubscriberConversions(db: Db, { tenantId, subscriberId, limit = 50 }: Key) {
  return db
    .select()
    .from(conversions)
    .where(and(eq(conversions.tenantId, tenantId), eq(conversions.subscriberId, subscriberId)))
    .orderBy(...newestFirst(conversions.eventTime, conversions.id))
    .limit(limit);
}

export async function listSubscriberOutbound(db: Db, { tenantId, subscriberId, limit = 50 }: Key) {
  return db
    .select()
    .from(outboundMessages)
    .where(and(eq(outboundMessages.tenantId, tenantId), eq(outboundMessages.subscriberId, subscriberId)))
    .orderBy(...newestFirst(outboundMessages.scheduledAt, outboundMessages.id))
    .limit(limit);
}
