// webhook_endpoints as the admins manage them (outgoing webhooks, issue 22), with the read side of their
// deliveries and attempts for the endpoint page, and an admin's resend. The delivery engine's own queries
// (claims, leases, outcomes) live in db/queries/webhooks-out.ts.
import { and, count, eq, ne, sql } from "drizzle-orm";
import type { Db } from "../client";
import {
  type DELIVERY_STATUSES,
  outgoingEvents,
  type OutgoingEventType,
  tenants,
  webhookDeliveries,
  webhookDeliveryAttempts,
  webhookEndpoints,
  type WebhookEndpoint,
} from "../schema";
import { beforeCursor, type Cursor, newestFirst, takeFirstOrNull } from "./keyset";

type NewWebhookEndpoint = typeof webhookEndpoints.$inferInsert;

const byTenantAndId = (tenantId: string, id: string) => and(eq(webhookEndpoints.tenantId, tenantId), eq(webhookEndpoints.id, id));

/** A workspace's endpoints, newest first (webhook_endpoints_tenant_created_idx); `limit + 1` rows for toPage. */
export async function listWebhookEndpoints(
  db: Db,
  { tenantId, cursor, limit }: { tenantId: string; cursor?: Cursor; limit: number },
): Promise<WebhookEndpoint[]> {
  return db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.tenantId, tenantId), beforeCursor(webhookEndpoints.createdAt, webhookEndpoints.id, cursor)))
    .orderBy(...newestFirst(webhookEndpoints.createdAt, webhookEndpoints.id))
    .limit(limit + 1);
}

export async function getWebhookEndpoint(db: Db, { tenantId, id }: { tenantId: string; id: string }): Promise<WebhookEndpoint | null> {
  return takeFirstOrNull(await db.select().from(webhookEndpoints).where(byTenantAndId(tenantId, id)));
}

export async function countWebhookEndpoints(db: Db, { tenantId }: { tenantId: string }): Promise<number> {
  const [row] = await db.select({ n: count() }).from(webhookEndpoints).where(eq(webhookEndpoints.tenantId, tenantId));
  return row?.n ?? 0;
}

/** Locks the workspace's row until the transaction ends: endpoint creations of one workspace take turns (the limit holds). */
export async function lockTenantForEndpoints(db: Db, { tenantId }: { tenantId: string }): Promise<boolean> {
  const rows = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, tenantId)).for("update");
  return rows.length > 0;
}

export async function insertWebhookEndpoint(db: Db, values: NewWebhookEndpoint): Promise<WebhookEndpoint> {
  const [row] = await db.insert(webhookEndpoints).values(values).returning();
  return row!;
}

export type WebhookEndpointChanges = Partial<
  Pick<
    NewWebhookEndpoint,
    | "url"
    | "description"
    | "eventTypes"
    | "enabled"
    | "secretEnc"
    | "previousSecretEnc"
    | "previousSecretExpiresAt"
    | "failingSince"
    | "disabledAt"
    | "disabledReason"
    | "updatedAt"
  >
>;

export async function updateWebhookEndpoint(
  db: Db,
  { tenantId, id }: { tenantId: string; id: string },
  changes: WebhookEndpointChanges,
): Promise<WebhookEndpoint | null> {
  return takeFirstOrNull(await db.update(webhookEndpoints).set(changes).where(byTenantAndId(tenantId, id)).returning());
}

/** Deletes the endpoint with its deliveries and attempts (foreign keys cascade); false when there was none. */
export async function deleteWebhookEndpoint(db: Db, { tenantId, id }: { tenantId: string; id: string }): Promise<boolean> {
  const rows = await db.delete(webhookEndpoints).where(byTenantAndId(tenantId, id)).returning({ id: webhookEndpoints.id });
  return rows.length > 0;
}

const deliveryColumns = {
  id: webhookDeliveries.id,
  endpointId: webhookDeliveries.endpointId,
  eventId: webhookDeliveries.eventId,
  eventType: outgoingEvents.type,
  status: webhookDeliveries.status,
  attempts: webhookDeliveries.attempts,
  nextAttemptAt: webhookDeliveries.nextAttemptAt,
  lastAttemptAt: webhookDeliveries.lastAttemptAt,
  lastStatusCode: webhookDeliveries.lastStatusCode,
  lastError: webhookDeliveries.lastError,
  deliveredAt: webhookDeliveries.deliveredAt,
  createdAt: webhookDeliveries.createdAt,
};
export type WebhookDeliveryListRow = {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: OutgoingEventType;
  status: (typeof DELIVERY_STATUSES)[number];
  attempts: number;
  nextAttemptAt: Date;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
  createdAt: Date;
};

/** One endpoint's deliveries, newest first, along webhook_deliveries_endpoint_created_idx; `limit + 1` rows. */
export async function listEndpointDeliveries(
  db: Db,
  { tenantId, endpointId, cursor, limit }: { tenantId: string; endpointId: string; cursor?: Cursor; limit: number },
): Promise<WebhookDeliveryListRow[]> {
  return db
    .select(deliveryColumns)
    .from(webhookDeliveries)
    .innerJoin(outgoingEvents, eq(outgoingEvents.id, webhookDeliveries.eventId))
    .where(
      and(
        eq(webhookDeliveries.endpointId, endpointId),
        eq(webhookDeliveries.tenantId, tenantId),
        beforeCursor(webhookDeliveries.createdAt, webhookDeliveries.id, cursor),
      ),
    )
    .orderBy(...newestFirst(webhookDeliveries.createdAt, webhookDeliveries.id))
    .limit(limit + 1);
}

const attemptColumns = {
  id: webhookDeliveryAttempts.id,
  deliveryId: webhookDeliveryAttempts.deliveryId,
  eventId: webhookDeliveries.eventId,
  eventType: outgoingEvents.type,
  attemptedAt: webhookDeliveryAttempts.attemptedAt,
  statusCode: webhookDeliveryAttempts.statusCode,
  latencyMs: webhookDeliveryAttempts.latencyMs,
  responseSnippet: webhookDeliveryAttempts.responseSnippet,
  error: webhookDeliveryAttempts.error,
};
export type WebhookAttemptListRow = {
  id: string;
  deliveryId: string;
  eventId: string;
  eventType: OutgoingEventType;
  attemptedAt: Date;
  statusCode: number | null;
  latencyMs: number;
  responseSnippet: string | null;
  error: string | null;
};

/** One endpoint's HTTP attempts, newest first, along webhook_delivery_attempts_endpoint_time_idx; `limit + 1` rows. */
export async function listEndpointAttempts(
  db: Db,
  { tenantId, endpointId, cursor, limit }: { tenantId: string; endpointId: string; cursor?: Cursor; limit: number },
): Promise<WebhookAttemptListRow[]> {
  return db
    .select(attemptColumns)
    .from(webhookDeliveryAttempts)
    .innerJoin(webhookDeliveries, eq(webhookDeliveries.id, webhookDeliveryAttempts.deliveryId))
    .innerJoin(outgoingEvents, eq(outgoingEvents.id, webhookDeliveries.eventId))
    .where(
      and(
        eq(webhookDeliveryAttempts.endpointId, endpointId),
        eq(webhookDeliveryAttempts.tenantId, tenantId),
        beforeCursor(webhookDeliveryAttempts.attemptedAt, webhookDeliveryAttempts.id, cursor),
      ),
    )
    .orderBy(...newestFirst(webhookDeliveryAttempts.attemptedAt, webhookDeliveryAttempts.id))
    .limit(limit + 1);
}

export async function getWebhookDeliveryForResend(
  db: Db,
  { tenantId, id }: { tenantId: string; id: string },
): Promise<{ id: string; status: string; endpointId: string; endpointEnabled: boolean } | null> {
  return takeFirstOrNull(
    await db
      .select({
        id: webhookDeliveries.id,
        status: webhookDeliveries.status,
        endpointId: webhookDeliveries.endpointId,
        endpointEnabled: webhookEndpoints.enabled,
      })
      .from(webhookDeliveries)
      .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
      .where(and(eq(webhookDeliveries.tenantId, tenantId), eq(webhookDeliveries.id, id))),
  );
}

/**
 * Makes a delivery due now as a fresh series of tries (attempts from 0, no lease, not delivered), unless a run is
 * delivering it at this moment; null when no row of the workspace was changed. Its attempt history stays.
 */
export async function requeueWebhookDelivery(db: Db, { tenantId, id, now }: { tenantId: string; id: string; now: Date }) {
  return takeFirstOrNull(
    await db
      .update(webhookDeliveries)
      .set({ status: "pending", nextAttemptAt: now, attempts: 0, leaseOwner: null, leaseExpiresAt: null, deliveredAt: null, updatedAt: now })
      .where(and(eq(webhookDeliveries.tenantId, tenantId), eq(webhookDeliveries.id, id), ne(webhookDeliveries.status, "delivering")))
      .returning({ id: webhookDeliveries.id, status: webhookDeliveries.status, nextAttemptAt: webhookDeliveries.nextAttemptAt }),
  );
}

/** Counts of a workspace's endpoints for the Settings card: all, and those switched off after failing. */
export async function summarizeWebhookEndpoints(db: Db, { tenantId }: { tenantId: string }): Promise<{ total: number; disabled: number }> {
  const [row] = await db
    .select({ total: count(), disabled: sql<number>`count(*) filter (where ${webhookEndpoints.disabledAt} is not null)`.mapWith(Number) })
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.tenantId, tenantId));
  return { total: row?.total ?? 0, disabled: row?.disabled ?? 0 };
}
