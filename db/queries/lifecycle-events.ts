// tenants.lifecycle_events (the stage → CAPI event map of issue 23) and the ad conversation a stage's
// event is sent for.
import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { conversations, tenants, whatsappNumbers } from "../schema";
import { takeFirstOrNull } from "./keyset";

type LifecycleEvents = (typeof tenants.$inferSelect)["lifecycleEvents"];

/** The stored map as it is (unchecked jsonb); {} for an unknown tenant. */
export async function getTenantLifecycleEvents(db: Db, { tenantId }: { tenantId: string }): Promise<LifecycleEvents> {
  const row = takeFirstOrNull(await db.select({ map: tenants.lifecycleEvents }).from(tenants).where(eq(tenants.id, tenantId)).limit(1));
  return row?.map ?? {};
}

export async function updateTenantLifecycleEvents(db: Db, { tenantId, map }: { tenantId: string; map: LifecycleEvents }): Promise<LifecycleEvents | null> {
  const [row] = await db
    .update(tenants)
    .set({ lifecycleEvents: map, updatedAt: sql`now()` })
    .where(eq(tenants.id, tenantId))
    .returning({ map: tenants.lifecycleEvents });
  return row?.map ?? null;
}

export type LifecycleClickConversation = {
  id: string;
  ctwaClid: string;
  startedAt: Date;
  numberId: string | null;
  numberLabel: string | null;
  provider: string | null;
  wabaId: string | null;
  datasetId: string | null;
  /** on a Cloud API number with a WABA id and a dataset: a conversion for it can be delivered */
  deliverable: boolean;
};

/**
 * The subscriber's latest conversation with a click id on a number that can deliver a conversion (Cloud API,
 * WABA id, dataset); when none can, their latest conversation with a click id (to say why nothing is sent);
 * null when they never wrote after an ad click.
 */
export async function findLifecycleClickConversation(
  db: Db,
  { tenantId, subscriberId }: { tenantId: string; subscriberId: string },
): Promise<LifecycleClickConversation | null> {
  const deliverable = sql<boolean>`coalesce(${whatsappNumbers.provider} = 'cloud' and coalesce(${whatsappNumbers.wabaId}, '') <> '' and coalesce(${whatsappNumbers.datasetId}, '') <> '', false)`;
  const row = takeFirstOrNull(
    await db
      .select({
        id: conversations.id,
        ctwaClid: conversations.ctwaClid,
        startedAt: conversations.startedAt,
        numberId: conversations.numberId,
        numberLabel: whatsappNumbers.label,
        provider: whatsappNumbers.provider,
        wabaId: whatsappNumbers.wabaId,
        datasetId: whatsappNumbers.datasetId,
        deliverable,
      })
      .from(conversations)
      .leftJoin(whatsappNumbers, and(eq(whatsappNumbers.id, conversations.numberId), eq(whatsappNumbers.tenantId, tenantId)))
      .where(and(eq(conversations.tenantId, tenantId), eq(conversations.subscriberId, subscriberId), sql`coalesce(${conversations.ctwaClid}, '') <> ''`))
      .orderBy(desc(deliverable), desc(conversations.startedAt), desc(conversations.id))
      .limit(1),
  );
  return row ? { ...row, ctwaClid: row.ctwaClid!, deliverable: row.deliverable === true } : null;
}
