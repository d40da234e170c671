// Taking a conversion: validate (schema.ts), resolve it to the ad click that started the chat, store it
// `queued` with its delivery job, exactly once per (tenant, eventId). Delivery is deliver.ts.
import { randomUUID } from "node:crypto";
import type { Db } from "@/db/client";
import {
  type ClickConversation,
  type ConversionContext,
  type ConversionKeyRow,
  type ConversionNumber,
  type ConversionInsert,
  type ConversionRow,
  findConversionByEventId,
  insertConversionIfDeliverable,
  loadConversionContext,
} from "@/db/queries";
import type { ConversionSource } from "@/db/schema";
import { convertedReason } from "@/lib/drip/stops";
import { kickDeliveries } from "@/lib/webhooks-out/kick";
import { AppError } from "@/lib/errors";
import type { ClaimedConversion } from "./deliver";
import { CAPI_FORWARD_JOB, CAPI_MAX_ATTEMPTS } from "./deliver-policy";
import { ATTRIBUTION_WINDOW_MS, type ConversionRequest, checkEventTime, conversionRequestHash } from "./schema";

export const ATTRIBUTION_WINDOW_PASSED = "attribution_window_passed";

/** What the endpoint answers: 202 for a new conversion, 200 with `duplicate: true` for a repeated eventId. */
export type ConversionAccepted = {
  id: string;
  eventId: string;
  status: ConversionRow["status"];
  conversationId: string | null;
  warnings: string[];
  duplicate: boolean;
};

const accepted = (row: ConversionKeyRow, duplicate: boolean): ConversionAccepted => ({
  id: row.id,
  eventId: row.eventId,
  status: row.status,
  conversationId: row.conversationId,
  warnings: row.warnings,
  duplicate,
});

function sameRequestOrConflict(existing: ConversionKeyRow, requestHash: string): ConversionAccepted {
  if (existing.requestHash !== requestHash) {
    throw new AppError(
      "conflict",
      `eventId "${existing.eventId}" was already used for a different conversion (${existing.eventName}); send a new eventId, or repeat the first request exactly`,
      { id: existing.id, eventName: existing.eventName, status: existing.status },
      "event_id_conflict",
    );
  }
  return accepted(existing, true);
}

function requireClickConversation(ctx: ConversionContext, numberId: string, req: ConversionRequest): ClickConversation {
  const c = ctx.conversation;
  if (req.conversationId && (!c || c.numberId !== numberId)) {
    throw new AppError(
      "not_found",
      `Conversation ${req.conversationId} was not found on this number`,
      { conversationId: req.conversationId, accountId: numberId },
      "conversation_not_found",
    );
  }
  if (!c) {
    const waPhone = `+${req.phoneE164}`;
    throw new AppError(
      "not_found",
      ctx.subscriberFound
        ? `${waPhone} has written to you, but never after clicking a Click-to-WhatsApp ad on this number: there is no click id to attribute`
        : `Nobody with the phone ${waPhone} has written to this number`,
      { phoneE164: req.phoneE164, accountId: numberId, subscriberFound: ctx.subscriberFound },
      "conversation_not_found",
    );
  }
  if (!c.ctwaClid) {
    throw new AppError(
      "unprocessable",
      "This conversation did not start from a Click-to-WhatsApp ad click (it has no ctwa_clid), so Meta cannot attribute a conversion to it",
      { conversationId: c.id, adId: c.adId },
      "no_click_id",
    );
  }
  return c;
}

function requireReadyNumber(number: ConversionNumber | null, accountId: string): ConversionNumber {
  if (!number)
    throw new AppError("not_found", `Number ${accountId} was not found (accountId is the id of one of your numbers)`, { accountId }, "number_not_found");
  if (number.provider !== "cloud" || !number.wabaId) {
    throw new AppError(
      "unprocessable",
      `${number.label} is not a WhatsApp Cloud API number with a WABA id; conversions go to Meta through a Cloud API number`,
      { accountId: number.id, provider: number.provider },
      "number_not_cloud",
    );
  }
  if (!number.datasetId) {
    throw new AppError(
      "unprocessable",
      `${number.label} has no Conversions API dataset yet: fetch or create one on the number's page (or set datasetId with PATCH /api/v1/numbers/${number.id})`,
      { accountId: number.id },
      "dataset_missing",
    );
  }
  return number;
}

/** How long the storing request holds the job it delivers right after answering, before the queue may take it over. */
export const IMMEDIATE_DELIVERY_LEASE_MS = 60_000;

/**
 * Stores a conversion request: a repeated eventId answers the first conversion (or 409 when the body
 * differs); a new one is resolved to its click and stored `queued` with its delivery job. With a valid
 * event time all of that is one statement (insertConversionIfDeliverable); when it wrote nothing, the
 * eventId was used before, or the context it returns says why (the number, the conversation).
 * With `deliverNow` the job is born claimed by this request, and `claimed` is what to hand to
 * deliverClaimedConversion right after the answer (no other worker can take it meanwhile).
 */
export async function createConversion(
  db: Db,
  {
    tenantId,
    request,
    now,
    source = "api",
    deliverNow = false,
  }: { tenantId: string; request: ConversionRequest; now: Date; source?: ConversionSource; deliverNow?: boolean },
): Promise<{ result: ConversionAccepted; claimed: ClaimedConversion | null }> {
  const requestHash = conversionRequestHash(request);
  const lookup = {
    tenantId,
    eventId: request.eventId,
    numberId: request.accountId,
    conversationId: request.conversationId,
    waPhone: request.conversationId ? undefined : `+${request.phoneE164}`,
  };
  let eventTime: Date;
  try {
    eventTime = checkEventTime(request.eventTime, now);
  } catch (e) {
    // a repeat of an accepted request is answered as a duplicate even when its event time has aged since
    const { duplicate } = await loadConversionContext(db, lookup);
    if (duplicate) return { result: sameRequestOrConflict(duplicate, requestHash), claimed: null };
    throw e;
  }

  const values: ConversionInsert = {
    id: randomUUID(),
    tenantId,
    eventId: request.eventId,
    eventName: request.eventName,
    eventTime,
    requestHash,
    value: request.value === undefined ? null : request.value.toFixed(2),
    currency: request.currency ?? null,
    contentIds: request.contentIds ?? null,
    emailHash: request.email ?? null,
    externalIdHash: request.externalId ?? null,
    testCode: request.testCode ?? null,
    source,
    createdAt: now,
    updatedAt: now,
  };
  const {
    context: ctx,
    inserted,
    stopEvents,
  } = await insertConversionIfDeliverable(db, {
    context: lookup,
    values,
    job: {
      kind: CAPI_FORWARD_JOB,
      maxAttempts: CAPI_MAX_ATTEMPTS,
      runAt: now,
      ...(deliverNow ? { claimedUntil: new Date(now.getTime() + IMMEDIATE_DELIVERY_LEASE_MS) } : {}),
    },
    attributionWindowMs: ATTRIBUTION_WINDOW_MS,
    windowWarning: ATTRIBUTION_WINDOW_PASSED,
    dripStop: convertedReason(request.eventName),
  });
  if (stopEvents > 0) kickDeliveries(); // lead.stopped of the leads whose drip this conversion stopped
  if (!inserted) {
    // a repeated eventId (or a concurrent twin that committed first), else the context says what is missing
    const first = await findConversionByEventId(db, { tenantId, eventId: request.eventId });
    if (first) return { result: sameRequestOrConflict(first, requestHash), claimed: null };
    requireClickConversation(ctx, requireReadyNumber(ctx.number, request.accountId).id, request);
    throw new AppError("unavailable", "The conversion could not be stored; please retry");
  }
  const number = requireReadyNumber(ctx.number, request.accountId);
  const conversation = requireClickConversation(ctx, number.id, request);
  const { warnings } = inserted;
  const stored = {
    ...values,
    numberId: number.id,
    conversationId: conversation.id,
    subscriberId: conversation.subscriberId,
    ctwaClid: conversation.ctwaClid,
    warnings,
  };
  return {
    result: { id: values.id, eventId: request.eventId, status: "queued", conversationId: conversation.id, warnings, duplicate: false },
    claimed: deliverNow ? { conversion: { ...stored, attempts: 0 }, number, maxAttempts: CAPI_MAX_ATTEMPTS } : null,
  };
}
