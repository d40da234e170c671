// What happened with one subscriber, newest first, for the detail page's timeline (each list capped).
import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../client";
import { conversions, outboundMessages } from "../schema";

type Key = { tenantId: string; subscriberId: string; limit?: number };

export async function listSubscriberConversions(db: Db, { tenantId, subscriberId, limit = 50 }: Key) {
  return db
    .select()
    .from(conversions)
    .where(and(eq(conversions.tenantId, tenantId), eq(conversions.subscriberId, subscriberId)))
    .orderBy(desc(conversions.eventTime), desc(conversions.id))
    .limit(limit);
}

export async function listSubscriberOutbound(db: Db, { tenantId, subscriberId, limit = 50 }: Key) {
  return db
    .select()
    .from(outboundMessages)
    .where(and(eq(outboundMessages.tenantId, tenantId), eq(outboundMessages.subscriberId, subscriberId)))
    .orderBy(desc(outboundMessages.scheduledAt), desc(outboundMessages.id))
    .limit(limit);
}
