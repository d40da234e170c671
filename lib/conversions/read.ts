// Reading and managing the conversions log: one conversion (what was sent, what Meta answered), the
// filtered list, and retrying one that failed or was rejected.
import { z } from "zod";
import type { Db } from "@/db/client";
import { type ConversionListRow, type ConversionRow, countConversionsByStatus, getConversionRow, listConversionRows, requeueConversionRow } from "@/db/queries";
import { CONVERSION_STATUSES } from "@/db/schema";
import { notFound, AppError } from "@/lib/errors";
import { enqueueJob } from "@/lib/jobs/queue";
import { type Page, decodeCursor, toPage } from "@/lib/pagination";
import { dayEnd, dayStart, utcDaySchema } from "@/lib/query-params";
import { optionalParam } from "@/lib/subscribers/list-filters";
import { CAPI_FORWARD_JOB, CAPI_MAX_ATTEMPTS } from "./deliver-policy";
import { CONVERSION_EVENT_NAMES } from "./schema";

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const unixSeconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** A conversion as the API returns it: eventTime in unix seconds (as it was sent), other times ISO 8601. */
export function conversionJson(c: ConversionRow) {
  return {
    id: c.id,
    eventId: c.eventId,
    eventName: c.eventName,
    eventTime: unixSeconds(c.eventTime),
    status: c.status,
    source: c.source,
    accountId: c.numberId,
    conversationId: c.conversationId,
    subscriberId: c.subscriberId,
    ctwaClid: c.ctwaClid,
    value: c.value === null ? null : Number(c.value),
    currency: c.currency,
    contentIds: c.contentIds ?? [],
    emailHashed: c.emailHash !== null,
    externalIdHashed: c.externalIdHash !== null,
    testCode: c.testCode,
    warnings: c.warnings,
    attempts: c.attempts,
    lastAttemptAt: iso(c.lastAttemptAt),
    nextAttemptAt: iso(c.nextAttemptAt),
    sentAt: iso(c.sentAt),
    lastError: c.lastError,
    eventsReceived: c.eventsReceived,
    fbtraceId: c.fbtraceId,
    /** the exact JSON body posted to Meta (last attempt) */
    request: c.requestPayload,
    /** Meta's answer to the last attempt, verbatim */
    response: c.response,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}
export type ConversionJson = ReturnType<typeof conversionJson>;

export async function getConversion(db: Db, { tenantId, id }: { tenantId: string; id: string }): Promise<ConversionRow> {
  const row = await getConversionRow(db, { tenantId, id });
  if (!row) throw notFound("Conversion");
  return row;
}

/** Filters of the log (console and GET /api/v1/conversions): status, event, number, received-on days (UTC), test events. */
export const conversionFiltersSchema = z
  .object({
    status: optionalParam(z.enum(CONVERSION_STATUSES, { error: `status must be one of ${CONVERSION_STATUSES.join(", ")}` })),
    eventName: optionalParam(z.enum(CONVERSION_EVENT_NAMES, { error: `eventName must be one of ${CONVERSION_EVENT_NAMES.join(", ")}` })),
    numberId: optionalParam(z.uuid("numberId must be a number id")),
    from: optionalParam(utcDaySchema), // received from this UTC day …
    to: optionalParam(utcDaySchema), // … through this one
    test: optionalParam(z.enum(["true", "false"], { error: "test must be true or false" }).transform((v) => v === "true")),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { message: "The start date is after the end date", path: ["to"] });
export type ConversionFilters = z.output<typeof conversionFiltersSchema>;

export async function listConversions(
  db: Db,
  { tenantId, filters, cursor, limit }: { tenantId: string; filters: ConversionFilters; cursor?: string; limit: number },
): Promise<Page<ConversionListRow>> {
  const rows = await listConversionRows(db, {
    tenantId,
    status: filters.status,
    eventName: filters.eventName,
    numberId: filters.numberId,
    from: filters.from ? dayStart(filters.from) : undefined,
    to: filters.to ? dayEnd(filters.to) : undefined, // `to` is inclusive: the whole day
    test: filters.test,
    cursor: cursor ? decodeCursor(cursor) : undefined,
    limit,
  });
  return toPage(rows, limit, (r) => ({ at: r.createdAt, id: r.id }));
}

export function conversionListJson(r: ConversionListRow) {
  return {
    id: r.id,
    eventId: r.eventId,
    eventName: r.eventName,
    eventTime: unixSeconds(r.eventTime),
    status: r.status,
    source: r.source,
    accountId: r.numberId,
    numberLabel: r.numberLabel,
    conversationId: r.conversationId,
    subscriberId: r.subscriberId,
    subscriberName: r.subscriberName,
    subscriberPhone: r.subscriberPhone,
    value: r.value === null ? null : Number(r.value),
    currency: r.currency,
    testCode: r.testCode,
    attempts: r.attempts,
    warnings: r.warnings,
    lastError: r.lastError,
    nextAttemptAt: iso(r.nextAttemptAt),
    sentAt: iso(r.sentAt),
    fbtraceId: r.fbtraceId,
    createdAt: r.createdAt.toISOString(),
  };
}

export const conversionStatusCounts = countConversionsByStatus;

/** Puts a failed or rejected conversion back in the queue (after fixing the token or dataset, say); its delivery job runs again from attempt 1. */
export async function retryConversion(db: Db, { tenantId, id, now }: { tenantId: string; id: string; now: Date }): Promise<ConversionRow> {
  const current = await getConversion(db, { tenantId, id });
  if (current.status === "sent")
    throw new AppError("conflict", "This conversion was already sent; it is never sent twice", { status: current.status }, "already_sent");
  if (current.status === "queued") return current; // already waiting for its next attempt
  return db.transaction(async (tx) => {
    const row = await requeueConversionRow(tx, { tenantId, id, now });
    if (!row) throw new AppError("conflict", "The conversion changed meanwhile; reload and try again");
    await enqueueJob(tx, {
      tenantId,
      kind: CAPI_FORWARD_JOB,
      dedupeKey: row.id,
      payload: { tenantId, conversionId: row.id },
      runAt: now,
      maxAttempts: CAPI_MAX_ATTEMPTS,
      ifFinished: "requeue",
    });
    return row;
  });
}
