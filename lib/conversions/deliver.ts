// Delivering a conversion to Meta's Conversions API for Business Messaging: one job per conversion
// (capi_forward), run right after the request that queued it and retried by the jobs queue. The row
// records every attempt: the exact JSON sent, Meta's answer verbatim, and what happens next.
import { z } from "zod";
import type { Db } from "@/db/client";
import { type ConversionRow, getConversionRow, getNumberById, type NumberRow, saveConversionAttempt } from "@/db/queries";
import { decryptSecret } from "@/lib/crypto";
import { type JobHandler, type JobHandlers, runJobNow } from "@/lib/jobs/queue";
import { type GraphConfig, type GraphFailure, describeGraphFailure, graphRequest, isTransientGraphFailure } from "@/lib/whatsapp/graph-client";
import { CAPI_FORWARD_JOB, CAPI_TIMEOUT_MS, capiBackoffMs } from "./deliver-policy";

export type ConversionDeliveryDeps = { encryptionKey: string; graph: GraphConfig; random?: () => number };

/** The body of POST /{dataset-id}/events for one conversion (specs/capi-business-messaging.md §2). */
export function buildCapiRequest(c: ConversionRow, number: Pick<NumberRow, "wabaId">): Record<string, unknown> {
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
  if (e.kind === "graph") return { error: e.raw ?? { message: e.message, code: e.code, error_subcode: e.subcode, fbtrace_id: e.fbtraceId }, httpStatus: e.httpStatus };
  return { transport: e.kind, message: e.message, ...(e.httpStatus ? { httpStatus: e.httpStatus } : {}) };
}

function openToken(number: NumberRow, encryptionKey: string): string | null {
  if (!number.accessTokenEnc) return null;
  try {
    return decryptSecret(number.accessTokenEnc, encryptionKey);
  } catch {
    return null;
  }
}

/** Why a conversion cannot be sent at all, or null when its number is ready. */
function notSendable(number: NumberRow | null, token: string | null): string | null {
  if (!number) return "The number of this conversion was deleted";
  if (!number.datasetId) return `${number.label} has no Conversions API dataset: fetch or create one on the number's page, then retry`;
  if (!number.wabaId) return `${number.label} has no WABA id`;
  if (!token) return `The access token of ${number.label} cannot be read (was ENCRYPTION_KEY changed?): replace it on the number's page, then retry`;
  return null;
}

export function capiForwardHandler(db: Db, deps: ConversionDeliveryDeps): JobHandler {
  return async (job, { now }) => {
    const { tenantId, conversionId } = payloadSchema.parse(job.payload);
    const c = await getConversionRow(db, { tenantId, id: conversionId });
    if (!c) return { ok: false, error: "The conversion was deleted", retryable: false };
    if (c.status !== "queued") return { ok: true, result: { skipped: c.status } };
    const number = c.numberId ? await getNumberById(db, { tenantId, id: c.numberId }) : null;
    const token = number ? openToken(number, deps.encryptionKey) : null;
    const attempt = { attempts: c.attempts + 1, lastAttemptAt: now, updatedAt: now };

    const unready = notSendable(number, token);
    if (unready || !number || !token) {
      const error = unready ?? "The number is not ready";
      await saveConversionAttempt(db, { tenantId, id: c.id, patch: { ...attempt, status: "failed", nextAttemptAt: null, lastError: error } });
      return { ok: false, error, retryable: false };
    }

    const request = buildCapiRequest(c, number);
    const res = await graphRequest(
      { ...deps.graph, timeoutMs: deps.graph.timeoutMs ?? CAPI_TIMEOUT_MS },
      { method: "POST", path: `${number.datasetId}/events`, token, body: request, schema: capiAnswer },
    );
    if (res.ok) {
      await saveConversionAttempt(db, {
        tenantId,
        id: c.id,
        patch: {
          ...attempt,
          status: "sent",
          sentAt: now,
          nextAttemptAt: null,
          lastError: null,
          requestPayload: request,
          response: res.data,
          fbtraceId: res.data.fbtrace_id ?? null,
          eventsReceived: res.data.events_received ?? null,
        },
      });
      return { ok: true, result: { eventsReceived: res.data.events_received ?? null, fbtraceId: res.data.fbtrace_id ?? null } };
    }

    const e = res.error;
    const error = describeGraphFailure(e);
    const fbtraceId = e.kind === "graph" ? e.fbtraceId : null;
    const common = { ...attempt, requestPayload: request, response: failureResponse(e), lastError: error, fbtraceId };
    if (!isTransientGraphFailure(e)) {
      await saveConversionAttempt(db, { tenantId, id: c.id, patch: { ...common, status: "rejected", nextAttemptAt: null } });
      return { ok: false, error, retryable: false };
    }
    if (job.attempts >= job.maxAttempts) {
      await saveConversionAttempt(db, { tenantId, id: c.id, patch: { ...common, status: "failed", nextAttemptAt: null, lastError: `${error} (gave up after ${job.attempts} attempts)` } });
      return { ok: false, error, retryable: false };
    }
    const retryAt = new Date(now.getTime() + Math.max(e.retryAfterMs ?? 0, capiBackoffMs(job.attempts, deps.random)));
    await saveConversionAttempt(db, { tenantId, id: c.id, patch: { ...common, status: "queued", nextAttemptAt: retryAt } });
    return { ok: false, error, retryable: true, retryAt };
  };
}

export const conversionJobHandlers = (db: Db, deps: ConversionDeliveryDeps): JobHandlers => ({ [CAPI_FORWARD_JOB]: capiForwardHandler(db, deps) });

/** Tries the delivery at once (after the API has answered); the jobs queue takes over if it fails. */
export async function deliverConversionNow(db: Db, deps: ConversionDeliveryDeps, { conversionId, now }: { conversionId: string; now?: () => Date }) {
  return runJobNow(db, { kind: CAPI_FORWARD_JOB, dedupeKey: conversionId, handlers: conversionJobHandlers(db, deps), now });
}
