// Delivering a conversion to Meta's Conversions API for Business Messaging: one job per conversion
// (capi_forward), run right after the request that queued it and retried by the jobs queue. The row
// records every attempt: the exact JSON sent, Meta's answer verbatim, and what happens next.
import { z } from "zod";
import type { Db } from "@/db/client";
import { type ConversionAttemptPatch, type ConversionNumber, type ConversionRow, getConversionForDelivery } from "@/db/queries";
import { openSecret } from "@/lib/crypto";
import { demoNumberRefusal } from "@/lib/numbers/demo-number";
import { type JobHandler, type JobHandlers, type JobOutcome, runJobNow } from "@/lib/jobs/queue";
import { type GraphConfig, type GraphFailure, describeGraphFailure, graphRequest, isTransientGraphFailure } from "@/lib/graph/client";
import { CAPI_FORWARD_JOB, CAPI_TIMEOUT_MS, capiBackoffMs } from "./deliver-policy";
import { AFTER_ANSWER_LINGER_MS, recordConversionAttempt } from "./record-writer";

export type ConversionDeliveryDeps = { encryptionKey: string; graph: GraphConfig; random?: () => number };

/** The body of POST /{dataset-id}/events for one conversion (specs/capi-business-messaging.md §2). */
export function buildCapiRequest(c: DeliverableConversion, number: Pick<ConversionNumber, "wabaId">): Record<string, unknown> {
  const userData: Record<string, unknown> = { whatsapp_business_account_id: number.wabaId, ctwa_clid: c.ctwaClid };
  if (c.emailHash) userData.em = [c.emailHash];
  if (c.externalIdHash) userData.external_id = [c.externalIdHash];
  const customData: Record<string, unknown> = {};
  if (c.currency) customData.currency = c.currency;
  if (c.value !== null) customData.value = Number(c.value);
  if (c.contentIds?.length) customData.content_ids = c.contentIds;
  const event: Record<string, unknown> = {
    event_name: c.eventName,
    event_time: Math.floor(c.eventTime.getTime() / 1000),
    event_id: c.eventId,
    action_source: "business_messaging",
    messaging_channel: "whatsapp",
    user_data: userData,
  };
  if (Object.keys(customData).length > 0) event.custom_data = customData;
  return c.testCode ? { data: [event], test_event_code: c.testCode } : { data: [event] };
}

const capiAnswer = z.looseObject({
  events_received: z.number().int().optional(),
  messages: z.array(z.unknown()).optional(),
  fbtrace_id: z.string().optional(),
});

const payloadSchema = z.object({ tenantId: z.uuid(), conversionId: z.uuid() });

/** Graph's answer as the log keeps it: Meta's error object verbatim, or the transport failure in words. */
function failureResponse(e: GraphFailure): Record<string, unknown> {
  if (e.kind === "graph")
    return { error: e.raw ?? { message: e.message, code: e.code, error_subcode: e.subcode, fbtrace_id: e.fbtraceId }, httpStatus: e.httpStatus };
  return { transport: e.kind, message: e.message, ...(e.httpStatus ? { httpStatus: e.httpStatus } : {}) };
}

/** Why a conversion cannot be sent at all, or null when its number is ready. */
function notSendable(number: ConversionNumber | null, token: string | null): string | null {
  if (!number) return "The number of this conversion was deleted";
  const demo = demoNumberRefusal(number);
  if (demo) return demo;
  if (!number.datasetId) return `${number.label} has no Conversions API dataset: fetch or create one on the number's page, then retry`;
  if (!number.wabaId) return `${number.label} has no WABA id`;
  if (!token) return `The access token of ${number.label} cannot be read (was ENCRYPTION_KEY changed?): replace it on the number's page, then retry`;
  return null;
}

/** The fields of a conversion its delivery reads. */
export type DeliverableConversion = Pick<
  ConversionRow,
  | "id"
  | "tenantId"
  | "subscriberId"
  | "attempts"
  | "eventName"
  | "eventTime"
  | "eventId"
  | "ctwaClid"
  | "emailHash"
  | "externalIdHash"
  | "currency"
  | "value"
  | "contentIds"
  | "testCode"
>;

/** A conversion stored with its job already claimed by the storing request (see createConversion). */
export type ClaimedConversion = { conversion: DeliverableConversion; number: ConversionNumber; maxAttempts: number };

type Attempt = { patch: ConversionAttemptPatch; outcome: JobOutcome };

/**
 * One delivery attempt (attempt `jobAttempt` of at most `maxAttempts`): posts the event and decides
 * what the conversion becomes: sent, rejected (a 4xx), failed (nothing more to try), or queued until
 * the next attempt (Retry-After when Meta sends one, else the backoff).
 */
async function attemptDelivery(
  deps: ConversionDeliveryDeps,
  {
    c,
    number,
    jobAttempt,
    maxAttempts,
    now,
  }: { c: DeliverableConversion; number: ConversionNumber | null; jobAttempt: number; maxAttempts: number; now: Date },
): Promise<Attempt> {
  const token = openSecret(number?.accessTokenEnc, deps.encryptionKey);
  const attempt = { attempts: c.attempts + 1, lastAttemptAt: now, updatedAt: now };
  const unready = notSendable(number, token);
  if (unready || !number || !token) {
    const error = unready ?? "The number is not ready";
    return { patch: { ...attempt, status: "failed", nextAttemptAt: null, lastError: error }, outcome: { ok: false, error, retryable: false } };
  }
  const request = buildCapiRequest(c, number);
  const res = await graphRequest(
    { ...deps.graph, timeoutMs: deps.graph.timeoutMs ?? CAPI_TIMEOUT_MS },
    { method: "POST", path: `${number.datasetId}/events`, token, body: request, schema: capiAnswer },
  );
  if (res.ok) {
    const result = { eventsReceived: res.data.events_received ?? null, fbtraceId: res.data.fbtrace_id ?? null };
    return {
      patch: { ...attempt, status: "sent", sentAt: now, nextAttemptAt: null, lastError: null, requestPayload: request, response: res.data, ...result },
      outcome: { ok: true, result },
    };
  }
  const e = res.error;
  const error = describeGraphFailure(e);
  const common = { ...attempt, requestPayload: request, response: failureResponse(e), lastError: error, fbtraceId: e.kind === "graph" ? e.fbtraceId : null };
  if (!isTransientGraphFailure(e)) return { patch: { ...common, status: "rejected", nextAttemptAt: null }, outcome: { ok: false, error, retryable: false } };
  if (jobAttempt >= maxAttempts) {
    return {
      patch: { ...common, status: "failed", nextAttemptAt: null, lastError: `${error} (gave up after ${jobAttempt} attempts)` },
      outcome: { ok: false, error, retryable: false },
    };
  }
  const retryAt = new Date(now.getTime() + Math.max(e.retryAfterMs ?? 0, capiBackoffMs(jobAttempt, deps.random)));
  return { patch: { ...common, status: "queued", nextAttemptAt: retryAt }, outcome: { ok: false, error, retryable: true, retryAt } };
}

/** The jobs-queue side: load the conversion with its number, attempt, record (the queue records the job). */
export function capiForwardHandler(db: Db, deps: ConversionDeliveryDeps): JobHandler {
  return async (job, { now }) => {
    const { tenantId, conversionId } = payloadSchema.parse(job.payload);
    const found = await getConversionForDelivery(db, { tenantId, id: conversionId });
    if (!found) return { ok: false, error: "The conversion was deleted", retryable: false };
    if (found.conversion.status !== "queued") return { ok: true, result: { skipped: found.conversion.status } };
    const { patch, outcome } = await attemptDelivery(deps, {
      c: found.conversion,
      number: found.number,
      jobAttempt: job.attempts,
      maxAttempts: job.maxAttempts,
      now,
    });
    await recordAttempt(db, { tenantId, id: conversionId, subscriberId: found.conversion.subscriberId, patch, outcome, jobAttempt: job.attempts, now });
    return { ...outcome, recorded: true };
  };
}

/** The attempt's outcome on the conversion and on its job (the job: done, failed, or pending until the retry), written in a group. */
async function recordAttempt(
  db: Db,
  {
    tenantId,
    id,
    subscriberId,
    patch,
    outcome,
    jobAttempt,
    now,
    lingerMs,
  }: {
    tenantId: string;
    id: string;
    subscriberId: string | null;
    patch: ConversionAttemptPatch;
    outcome: JobOutcome;
    jobAttempt: number;
    now: Date;
    lingerMs?: number;
  },
): Promise<void> {
  const retry = !outcome.ok && outcome.retryable;
  await recordConversionAttempt(
    db,
    {
      tenantId,
      id,
      subscriberId,
      patch,
      job: {
        attempts: jobAttempt,
        status: outcome.ok ? "done" : retry ? "pending" : "failed",
        runAt: retry ? outcome.retryAt : undefined,
        lastError: outcome.ok ? null : outcome.error.slice(0, 2000),
        now,
      },
    },
    { lingerMs },
  );
}

/**
 * The request side: the conversion the request just stored, its job born claimed (attempt 1), is
 * delivered right after the answer with what the request already read; one statement records the
 * outcome on both. If this never runs (the process died), the lease expires and the queue takes over.
 */
export async function deliverClaimedConversion(
  db: Db,
  deps: ConversionDeliveryDeps,
  { claimed, now = () => new Date() }: { claimed: ClaimedConversion; now?: () => Date },
): Promise<JobOutcome> {
  const at = now();
  const { patch, outcome } = await attemptDelivery(deps, {
    c: claimed.conversion,
    number: claimed.number,
    jobAttempt: 1,
    maxAttempts: claimed.maxAttempts,
    now: at,
  });
  await recordAttempt(db, {
    tenantId: claimed.conversion.tenantId,
    id: claimed.conversion.id,
    subscriberId: claimed.conversion.subscriberId,
    patch,
    outcome,
    jobAttempt: 1,
    now: at,
    lingerMs: AFTER_ANSWER_LINGER_MS,
  });
  return outcome;
}

export const conversionJobHandlers = (db: Db, deps: ConversionDeliveryDeps): JobHandlers => ({ [CAPI_FORWARD_JOB]: capiForwardHandler(db, deps) });

/** Tries a queued conversion's delivery at once if nobody holds its job (the console's retry); the jobs queue takes over if it fails. */
export async function deliverConversionNow(db: Db, deps: ConversionDeliveryDeps, { conversionId, now }: { conversionId: string; now?: () => Date }) {
  return runJobNow(db, { kind: CAPI_FORWARD_JOB, dedupeKey: conversionId, handlers: conversionJobHandlers(db, deps), now });
}
