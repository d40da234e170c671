// webhook_events: raw deliveries, stored before any processing. Unrouted events have no tenant yet, so the
// claim/routing queries here are global by nature (phone_number_id is unique across tenants); every read
// on behalf of a user is tenant-scoped.
import { and, asc, eq, inArray, isNull, ne, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import { rowsOf } from "../migrations-info";
import { templates, type WEBHOOK_STATUSES, webhookEvents, whatsappNumbers } from "../schema";
import { type Cursor, takeFirstOrNull } from "./keyset";

export type WebhookEventRow = typeof webhookEvents.$inferSelect;
export type NewWebhookEvent = typeof webhookEvents.$inferInsert;
export type WebhookEventStatus = (typeof WEBHOOK_STATUSES)[number];

export async function insertWebhookEvent(db: Db, values: NewWebhookEvent): Promise<WebhookEventRow> {
  const [row] = await db.insert(webhookEvents).values(values).returning();
  return row!;
}

/** Only these bodies are ever processed: a checked signature, or a provider authenticated by its URL token. */
export const TRUSTED_SIGNATURE_RESULTS = ["valid", "not_required"] as const;
const trusted = inArray(webhookEvents.signatureResult, [...TRUSTED_SIGNATURE_RESULTS]);

/**
 * Locks the given events for processing; rows another worker holds are skipped, and rejected or not (yet)
 * authenticated ones are never returned.
 */
export async function lockWebhookEvents(db: Db, ids: string[]): Promise<WebhookEventRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(webhookEvents)
    .where(and(inArray(webhookEvents.id, ids), ne(webhookEvents.status, "rejected"), trusted))
    .orderBy(asc(webhookEvents.receivedAt), asc(webhookEvents.id))
    .for("update", { skipLocked: true });
}

/**
 * Inside a processing transaction: commit without waiting for the WAL flush. Safe because processing only
 * derives state from events that were stored durably: a commit lost in a crash leaves its events
 * `received`, and they are processed again (idempotently). Spares the disk one fsync per batch, which
 * the acknowledged inserts of incoming webhooks need more.
 */
export async function relaxCommitDurability(tx: Db): Promise<void> {
  await tx.execute(sql`set local synchronous_commit = off`);
}

/** The oldest stored-but-unprocessed events, locked (SKIP LOCKED: parallel drainers never share a row). */
export async function claimReceivedWebhookEvents(db: Db, { limit }: { limit: number }): Promise<WebhookEventRow[]> {
  return db
    .select()
    .from(webhookEvents)
    .where(and(eq(webhookEvents.status, "received"), trusted))
    .orderBy(asc(webhookEvents.receivedAt)) // exactly the (status, received_at) index: no sort
    .limit(limit)
    .for("update", { skipLocked: true });
}

export type WebhookEventOutcome = {
  id: string;
  /** the event's received_at: with the id, its key (finds the one partition it is in) */
  receivedAt: Date;
  status: "processed" | "unrouted";
  tenantId: string | null;
  numberId: string | null;
  phoneNumberIds: string[];
};

/** Records processing outcomes in one statement; every call counts as an attempt. */
export async function recordWebhookEventOutcomes(db: Db, outcomes: WebhookEventOutcome[], now: Date): Promise<void> {
  if (outcomes.length === 0) return;
  const json = JSON.stringify(
    outcomes.map((o) => ({
      id: o.id,
      received_at: o.receivedAt.toISOString(),
      status: o.status,
      tenant_id: o.tenantId,
      number_id: o.numberId,
      pnids: o.phoneNumberIds,
    })),
  );
  // the constant bounds let the planner prune to the partitions these events are in (webhook_events is partitioned by day)
  const times = outcomes.map((o) => o.receivedAt.getTime());
  const from = new Date(Math.min(...times)).toISOString();
  const to = new Date(Math.max(...times)).toISOString();
  await db.execute(sql`
    update ${webhookEvents} as w set
      status = x.status,
      tenant_id = coalesce(x.tenant_id, w.tenant_id),
      number_id = coalesce(x.number_id, w.number_id),
      routed_phone_number_ids = case when cardinality(x.pnids) > 0 then x.pnids else w.routed_phone_number_ids end,
      error = null,
      attempts = w.attempts + 1,
      processed_at = case when x.status = 'processed' then ${now.toISOString()}::timestamptz else null end
    from jsonb_to_recordset(${json}::jsonb) as x(id uuid, received_at timestamptz, status text, tenant_id uuid, number_id uuid, pnids text[])
    where w.id = x.id and w.received_at = x.received_at
      and w.received_at between ${from}::timestamptz and ${to}::timestamptz`);
}

export async function markWebhookEventFailed(db: Db, { id, error }: { id: string; error: string }): Promise<void> {
  await db
    .update(webhookEvents)
    .set({ status: "failed", error, attempts: sql`${webhookEvents.attempts} + 1` })
    .where(and(eq(webhookEvents.id, id), ne(webhookEvents.status, "rejected")));
}

/** Unrouted events naming a Phone Number ID, oldest first, after the (receivedAt, id) cursor. */
export async function listUnroutedWebhookEventIds(
  db: Db,
  { phoneNumberId, limit, after }: { phoneNumberId: string; limit: number; after?: Cursor },
): Promise<{ id: string; receivedAt: Date }[]> {
  const afterCursor = after
    ? or(
        sql`${webhookEvents.receivedAt} > ${after.at.toISOString()}::timestamptz`,
        and(eq(webhookEvents.receivedAt, after.at), sql`${webhookEvents.id} > ${after.id}`),
      )
    : undefined;
  return db
    .select({ id: webhookEvents.id, receivedAt: webhookEvents.receivedAt })
    .from(webhookEvents)
    .where(and(eq(webhookEvents.status, "unrouted"), sql`${webhookEvents.routedPhoneNumberIds} @> array[${phoneNumberId}]::text[]`, afterCursor))
    .orderBy(asc(webhookEvents.receivedAt), asc(webhookEvents.id))
    .limit(limit);
}

/** An event of the tenant, or one no tenant owns yet (unrouted / rejected before routing). */
export async function getWebhookEvent(db: Db, { tenantId, id }: { tenantId: string; id: string }): Promise<WebhookEventRow | null> {
  return takeFirstOrNull(
    await db
      .select()
      .from(webhookEvents)
      .where(and(eq(webhookEvents.id, id), or(eq(webhookEvents.tenantId, tenantId), isNull(webhookEvents.tenantId))))
      .limit(1),
  );
}

export type RoutingNumber = {
  id: string;
  tenantId: string;
  phoneNumberId: string | null;
  wabaId: string | null;
  phoneE164: string;
  provider: string;
  /** automatic LeadSubmitted conversions on a new ad-attributed conversation (needs a dataset) */
  autoLeadSubmitted: boolean;
  datasetId: string | null;
  /** the Phone Number ID passed the Graph check with this number's token */
  proven: boolean;
};

/** Numbers a batch of events may name: by Phone Number ID (global), by our id (Gupshup token), by WABA id (account fields). */
export async function findNumbersForRouting(
  db: Db,
  { phoneNumberIds, ids, wabaIds }: { phoneNumberIds: string[]; ids: string[]; wabaIds: string[] },
): Promise<RoutingNumber[]> {
  const conditions = [
    phoneNumberIds.length > 0 ? inArray(whatsappNumbers.phoneNumberId, phoneNumberIds) : undefined,
    ids.length > 0 ? inArray(whatsappNumbers.id, ids) : undefined,
    wabaIds.length > 0 ? inArray(whatsappNumbers.wabaId, wabaIds) : undefined,
  ].filter((c) => c !== undefined);
  if (conditions.length === 0) return [];
  return db
    .select({
      id: whatsappNumbers.id,
      tenantId: whatsappNumbers.tenantId,
      phoneNumberId: whatsappNumbers.phoneNumberId,
      wabaId: whatsappNumbers.wabaId,
      phoneE164: whatsappNumbers.phoneE164,
      provider: whatsappNumbers.provider,
      autoLeadSubmitted: whatsappNumbers.autoLeadSubmitted,
      datasetId: whatsappNumbers.datasetId,
      proven: sql<boolean>`${whatsappNumbers.phoneNumberIdProvenAt} is not null`,
    })
    .from(whatsappNumbers)
    .where(or(...conditions));
}

/**
 * Moves whatsapp_numbers.last_webhook_at forward. Skips rows already within a second of the new value, so
 * concurrent batches for one number do not queue on its row lock for a timestamp nobody needs finer.
 */
export async function touchNumbersLastWebhookAt(db: Db, touches: { id: string; at: Date }[]): Promise<void> {
  if (touches.length === 0) return;
  const json = JSON.stringify(touches.map((t) => ({ id: t.id, at: t.at.toISOString() })));
  await db.execute(sql`
    update ${whatsappNumbers} as n set last_webhook_at = x.at
    from jsonb_to_recordset(${json}::jsonb) as x(id uuid, at timestamptz)
    where n.id = x.id and (n.last_webhook_at is null or n.last_webhook_at < x.at - interval '1 second')`);
}

/**
 * Records a message_template_status_update on the templates bound to that Meta template (name, and language
 * when given) as `status`, `statusReason`, `statusAt` keys of the binding. Returns how many templates matched.
 */
export async function recordTemplateBindingStatus(
  db: Db,
  input: { tenantIds: string[]; name: string; language: string | null; status: string; reason: string | null; at: Date },
): Promise<number> {
  if (input.tenantIds.length === 0) return 0;
  const patch = JSON.stringify({ status: input.status, statusReason: input.reason, statusAt: input.at.toISOString() });
  const rows = rowsOf<{ id: string }>(
    await db.execute(sql`
      update ${templates} set meta_template = meta_template || ${patch}::jsonb, updated_at = ${input.at.toISOString()}::timestamptz
      where ${inArray(templates.tenantId, input.tenantIds)}
        and meta_template->>'name' = ${input.name}
        and (${input.language}::text is null or meta_template->>'language' = ${input.language})
      returning id`),
  );
  return rows.length;
}

/** Several events in one statement (group commit); ids come from the caller. */
export async function insertWebhookEventRows(db: Db, rows: (NewWebhookEvent & { id: string })[]): Promise<void> {
  if (rows.length > 0) await db.insert(webhookEvents).values(rows);
}

/** How many events were kept unrouted (no workspace's) since `since`, counted up to `limit` (on the (status, received_at) index). */
export async function countRecentUnroutedEvents(db: Db, { since, limit }: { since: Date; limit: number }): Promise<number> {
  const [row] = rowsOf<{ n: number }>(
    await db.execute(sql`
      select count(*)::int as n from (
        select 1 from ${webhookEvents} where status = 'unrouted' and tenant_id is null and received_at > ${since.toISOString()}::timestamptz limit ${limit}
      ) recent`),
  );
  return row?.n ?? 0;
}

/**
 * Deletes up to `limit` events received before `before` that are either refused (`rejected`), still waiting, in no
 * workspace, for a number to prove their Phone Number ID (`unrouted`), or `failed`; returns how many.
 */
export async function deleteOldWebhookEvents(
  db: Db,
  { status, before, limit }: { status: "rejected" | "unrouted" | "failed"; before: Date; limit: number },
): Promise<number> {
  const waiting = status === "unrouted" ? sql`and tenant_id is null` : sql``;
  const rows = rowsOf<{ id: string }>(
    await db.execute(sql`
      delete from ${webhookEvents} where (id, received_at) in (
        select id, received_at from ${webhookEvents} where status = ${status} ${waiting} and received_at < ${before.toISOString()}::timestamptz limit ${limit}
      ) returning id`),
  );
  return rows.length;
}

/**
 * Deletes up to `limit` of a workspace's processed events received before `before` (on the (tenant_id, received_at)
 * index): its retention is shorter than the day partitions are kept. Returns how many.
 */
export async function deleteExpiredTenantWebhookEvents(
  db: Db,
  { tenantId, before, limit }: { tenantId: string; before: Date; limit: number },
): Promise<number> {
  const rows = rowsOf<{ id: string }>(
    await db.execute(sql`
      delete from ${webhookEvents} where (id, received_at) in (
        select id, received_at from ${webhookEvents}
        where tenant_id = ${tenantId} and received_at < ${before.toISOString()}::timestamptz and status = 'processed' limit ${limit}
      ) returning id`),
  );
  return rows.length;
}
