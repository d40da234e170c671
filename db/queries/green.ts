// Green API numbers' webhooks: the number a notification URL names (global: the URL carries our number id and
// the token proves it), its sealed webhook token, its instance state, and storing a notification once.
import { randomUUID } from "node:crypto";
import { and, eq, isNull, lt, or } from "drizzle-orm";
import type { Db } from "../client";
import { webhookEventDedupeKeys, webhookEvents, whatsappNumbers } from "../schema";
import { takeFirstOrNull } from "./keyset";
import type { NewWebhookEvent } from "./webhook-events";

/** The Green API number a webhook URL names, with its sealed webhook token (null: no such Green API number). */
export async function findGreenNumberForWebhook(db: Db, id: string) {
  return takeFirstOrNull(
    await db
      .select({ id: whatsappNumbers.id, tenantId: whatsappNumbers.tenantId, greenWebhookTokenEnc: whatsappNumbers.greenWebhookTokenEnc })
      .from(whatsappNumbers)
      // a demo number has no provider connection: nothing real may arrive through it either
      .where(and(eq(whatsappNumbers.id, id), eq(whatsappNumbers.provider, "green"), eq(whatsappNumbers.demo, false)))
      .limit(1),
  );
}

/** Replaces the number's sealed webhook token (the old one stops working at once); never on a demo number. */
export async function setGreenWebhookToken(db: Db, { tenantId, id, sealed }: { tenantId: string; id: string; sealed: string }): Promise<boolean> {
  const rows = await db
    .update(whatsappNumbers)
    .set({ greenWebhookTokenEnc: sealed, updatedAt: new Date() })
    .where(and(eq(whatsappNumbers.tenantId, tenantId), eq(whatsappNumbers.id, id), eq(whatsappNumbers.provider, "green"), eq(whatsappNumbers.demo, false)))
    .returning({ id: whatsappNumbers.id });
  return rows.length > 0;
}

/**
 * The instance state Green API reported at `at` as the number's connection status, only when newer than the last
 * check or report (a redelivered old state never undoes a newer one). Returns whether the number changed.
 */
export async function recordGreenInstanceState(
  db: Db,
  {
    tenantId,
    id,
    connectionStatus,
    lastError,
    at,
  }: { tenantId: string; id: string; connectionStatus: "connected" | "error"; lastError: Record<string, unknown> | null; at: Date },
): Promise<boolean> {
  const n = whatsappNumbers;
  const rows = await db
    .update(n)
    .set({ connectionStatus, lastError, lastCheckedAt: at, updatedAt: new Date() })
    .where(and(eq(n.tenantId, tenantId), eq(n.id, id), or(isNull(n.lastCheckedAt), lt(n.lastCheckedAt, at))))
    .returning({ id: n.id });
  return rows.length > 0;
}

/**
 * Stores an event unless the number already has one with its dedupe key; returns its id, or null for a redelivery.
 * The key is claimed in webhook_event_dedupe_keys first (webhook_events is partitioned: it cannot hold the unique index).
 */
export async function insertWebhookEventOnce(db: Db, values: NewWebhookEvent & { numberId: string; dedupeKey: string }): Promise<string | null> {
  const id = values.id ?? randomUUID();
  const receivedAt = values.receivedAt ?? new Date();
  return db.transaction(async (tx) => {
    const [key] = await tx
      .insert(webhookEventDedupeKeys)
      .values({ numberId: values.numberId, dedupeKey: values.dedupeKey, eventId: id, receivedAt })
      .onConflictDoNothing()
      .returning({ eventId: webhookEventDedupeKeys.eventId });
    if (!key) return null;
    await tx.insert(webhookEvents).values({ ...values, id, receivedAt });
    return id;
  });
}

/** The stored event a redelivery repeats (the number's event with that dedupe key). */
export async function findWebhookEventByDedupeKey(db: Db, { numberId, dedupeKey }: { numberId: string; dedupeKey: string }): Promise<string | null> {
  const row = takeFirstOrNull(
    await db
      .select({ id: webhookEventDedupeKeys.eventId })
      .from(webhookEventDedupeKeys)
      .where(and(eq(webhookEventDedupeKeys.numberId, numberId), eq(webhookEventDedupeKeys.dedupeKey, dedupeKey)))
      .limit(1),
  );
  return row?.id ?? null;
}
