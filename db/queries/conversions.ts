// conversions: one row per (tenant, event_id), written together with its delivery job; the log the
// console and the API read (keyset pages on the filter indexes of migration 0005).
import { and, desc, eq, gte, inArray, isNotNull, lt, sql } from "drizzle-orm";
import type { Cursor } from "@/lib/pagination";
import type { Db } from "../client";
import { conversations, conversions, jobs, type NewConversion, subscribers, whatsappNumbers } from "../schema";
import { rowsOf } from "../migrations-info";
import { beforeCursor, takeFirstOrNull } from "./keyset";

export type ConversionRow = typeof conversions.$inferSelect;
export type ConversionStatus = ConversionRow["status"];

export type ConversionKeyRow = Pick<ConversionRow, "id" | "eventId" | "eventName" | "status" | "conversationId" | "warnings" | "requestHash">;

/** What a repeated eventId is answered with (or refused against): the first conversion's key facts. */
export async function findConversionByEventId(db: Db, { tenantId, eventId }: { tenantId: string; eventId: string }): Promise<ConversionKeyRow | null> {
  const rows = await db
    .select({
      id: conversions.id,
      eventId: conversions.eventId,
      eventName: conversions.eventName,
      status: conversions.status,
      conversationId: conversions.conversationId,
      warnings: conversions.warnings,
      requestHash: conversions.requestHash,
    })
    .from(conversions)
    .where(and(eq(conversions.tenantId, tenantId), eq(conversions.eventId, eventId)))
    .limit(1);
  return takeFirstOrNull(rows);
}

export async function getConversionRow(db: Db, { tenantId, id }: { tenantId: string; id: string }): Promise<ConversionRow | null> {
  return takeFirstOrNull(await db.select().from(conversions).where(and(eq(conversions.tenantId, tenantId), eq(conversions.id, id))).limit(1));
}

export type ConversionJob = { kind: string; maxAttempts: number; runAt: Date };

/**
 * Inserts the conversion and its delivery job in one statement (a data-modifying CTE, so one round trip
 * and atomic); when the (tenant, event_id) key already exists (a retry, or a concurrent twin that won)
 * nothing is written and `inserted` is false.
 */
export async function insertConversionWithJob(db: Db, { values, job }: { values: NewConversion & { id: string }; job: ConversionJob }): Promise<{ inserted: boolean }> {
  const conversion = db.insert(conversions).values(values).onConflictDoNothing({ target: [conversions.tenantId, conversions.eventId] }).returning({ id: conversions.id });
  const rows = rowsOf<{ id: string }>(await db.execute(sql`
    with c as (${conversion.getSQL()})
    insert into ${jobs} (tenant_id, kind, dedupe_key, payload, run_at, max_attempts)
    select ${values.tenantId}::uuid, ${job.kind}, c.id::text, jsonb_build_object('tenantId', ${values.tenantId}::text, 'conversionId', c.id::text), ${job.runAt.toISOString()}::timestamptz, ${job.maxAttempts}::int
    from c
    returning dedupe_key as id`));
  return { inserted: rows.length > 0 };
}

/** Inserts conversions whose (tenant, event_id) is new, with their jobs (automatic events of a webhook batch). */
export async function insertConversionsIfAbsent(db: Db, { rows, job }: { rows: (NewConversion & { id: string })[]; job: ConversionJob }): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await db.insert(conversions).values(rows).onConflictDoNothing({ target: [conversions.tenantId, conversions.eventId] }).returning({ id: conversions.id, tenantId: conversions.tenantId });
  if (inserted.length > 0) {
    await db.insert(jobs).values(
      inserted.map((r) => ({
        tenantId: r.tenantId,
        kind: job.kind,
        dedupeKey: r.id,
        payload: { tenantId: r.tenantId, conversionId: r.id },
        runAt: job.runAt,
        maxAttempts: job.maxAttempts,
      })),
    );
  }
  return inserted.length;
}

export type ClickConversation = {
  id: string;
  subscriberId: string;
  numberId: string | null;
  ctwaClid: string | null;
  startedAt: Date;
  adId: string | null;
};

const clickColumns = {
  id: conversations.id,
  subscriberId: conversations.subscriberId,
  numberId: conversations.numberId,
  ctwaClid: conversations.ctwaClid,
  startedAt: conversations.startedAt,
  adId: conversations.adId,
};

export async function getConversationForConversion(db: Db, { tenantId, id }: { tenantId: string; id: string }): Promise<ClickConversation | null> {
  return takeFirstOrNull(await db.select(clickColumns).from(conversations).where(and(eq(conversations.tenantId, tenantId), eq(conversations.id, id))).limit(1));
}

/** The most recent conversation with a click id for this phone on this number (the subscriber by its unique phone, then its conversations newest first). */
export async function findLatestClickConversation(
  db: Db,
  { tenantId, numberId, waPhone }: { tenantId: string; numberId: string; waPhone: string },
): Promise<{ conversation: ClickConversation | null; subscriberFound: boolean }> {
  const latest = db
    .select(clickColumns)
    .from(conversations)
    .where(and(eq(conversations.subscriberId, subscribers.id), eq(conversations.tenantId, tenantId), eq(conversations.numberId, numberId), isNotNull(conversations.ctwaClid)))
    .orderBy(desc(conversations.startedAt))
    .limit(1)
    .as("latest");
  const [row] = await db
    .select({
      found: subscribers.id,
      id: latest.id, subscriberId: latest.subscriberId, numberId: latest.numberId, ctwaClid: latest.ctwaClid, startedAt: latest.startedAt, adId: latest.adId,
    })
    .from(subscribers)
    .leftJoinLateral(latest, sql`true`)
    .where(and(eq(subscribers.tenantId, tenantId), eq(subscribers.waPhone, waPhone)))
    .limit(1);
  if (!row) return { conversation: null, subscriberFound: false };
  const { found: _found, ...c } = row;
  return { conversation: c.id && c.subscriberId && c.startedAt ? { ...c, id: c.id, subscriberId: c.subscriberId, startedAt: c.startedAt } : null, subscriberFound: true };
}

/** Writes a delivery attempt's outcome, only while the conversion is still queued (a late twin cannot overwrite a result). */
export async function saveConversionAttempt(
  db: Db,
  { tenantId, id, patch }: { tenantId: string; id: string; patch: Partial<Pick<ConversionRow, "status" | "attempts" | "lastAttemptAt" | "nextAttemptAt" | "sentAt" | "requestPayload" | "response" | "fbtraceId" | "eventsReceived" | "lastError" | "updatedAt">> },
): Promise<boolean> {
  const rows = await db
    .update(conversions)
    .set(patch)
    .where(and(eq(conversions.tenantId, tenantId), eq(conversions.id, id), eq(conversions.status, "queued")))
    .returning({ id: conversions.id });
  return rows.length > 0;
}

/** A failed or rejected conversion back to `queued` (the console's retry). Returns null when it is not in such a state. */
export async function requeueConversionRow(db: Db, { tenantId, id, now }: { tenantId: string; id: string; now: Date }): Promise<ConversionRow | null> {
  const [row] = await db
    .update(conversions)
    .set({ status: "queued", nextAttemptAt: null, updatedAt: now })
    .where(and(eq(conversions.tenantId, tenantId), eq(conversions.id, id), inArray(conversions.status, ["failed", "rejected"])))
    .returning();
  return row ?? null;
}

export type ConversionListFilters = {
  tenantId: string;
  status?: ConversionStatus;
  eventName?: string;
  numberId?: string;
  /** created at or after */
  from?: Date;
  /** created before */
  to?: Date;
  test?: boolean;
  cursor?: Cursor;
  limit: number;
};

export type ConversionListRow = Pick<
  ConversionRow,
  "id" | "eventId" | "eventName" | "eventTime" | "status" | "source" | "value" | "currency" | "testCode" | "attempts" | "warnings" | "lastError" | "nextAttemptAt" | "sentAt" | "createdAt" | "numberId" | "conversationId" | "subscriberId" | "fbtraceId"
> & { numberLabel: string | null; subscriberName: string | null; subscriberPhone: string | null };

/** One page of the log, newest first; each filter has an index in list order. */
export async function listConversionRows(db: Db, f: ConversionListFilters): Promise<ConversionListRow[]> {
  const where = and(
    eq(conversions.tenantId, f.tenantId),
    f.status ? eq(conversions.status, f.status) : undefined,
    f.eventName ? eq(conversions.eventName, f.eventName) : undefined,
    f.numberId ? eq(conversions.numberId, f.numberId) : undefined,
    f.from ? gte(conversions.createdAt, f.from) : undefined,
    f.to ? lt(conversions.createdAt, f.to) : undefined,
    f.test === undefined ? undefined : f.test ? isNotNull(conversions.testCode) : sql`${conversions.testCode} is null`,
    beforeCursor(conversions.createdAt, conversions.id, f.cursor),
  );
  return db
    .select({
      id: conversions.id,
      eventId: conversions.eventId,
      eventName: conversions.eventName,
      eventTime: conversions.eventTime,
      status: conversions.status,
      source: conversions.source,
      value: conversions.value,
      currency: conversions.currency,
      testCode: conversions.testCode,
      attempts: conversions.attempts,
      warnings: conversions.warnings,
      lastError: conversions.lastError,
      nextAttemptAt: conversions.nextAttemptAt,
      sentAt: conversions.sentAt,
      createdAt: conversions.createdAt,
      numberId: conversions.numberId,
      conversationId: conversions.conversationId,
      subscriberId: conversions.subscriberId,
      fbtraceId: conversions.fbtraceId,
      numberLabel: whatsappNumbers.label,
      subscriberName: subscribers.profileName,
      subscriberPhone: subscribers.waPhone,
    })
    .from(conversions)
    .leftJoin(whatsappNumbers, eq(whatsappNumbers.id, conversions.numberId))
    .leftJoin(subscribers, eq(subscribers.id, conversions.subscriberId))
    .where(where)
    .orderBy(desc(conversions.createdAt), desc(conversions.id))
    .limit(f.limit + 1);
}

/** How many conversions are in each status (the log's header). */
export async function countConversionsByStatus(db: Db, { tenantId }: { tenantId: string }): Promise<Record<ConversionStatus, number>> {
  const rows = await db
    .select({ status: conversions.status, n: sql<number>`count(*)::int` })
    .from(conversions)
    .where(eq(conversions.tenantId, tenantId))
    .groupBy(conversions.status);
  const out: Record<ConversionStatus, number> = { queued: 0, sent: 0, failed: 0, rejected: 0 };
  for (const r of rows) out[r.status] = Number(r.n);
  return out;
}
