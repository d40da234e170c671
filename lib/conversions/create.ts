// Taking a conversion: validate (schema.ts), resolve it to the ad click that started the chat, store it
// `queued` with its delivery job, exactly once per (tenant, eventId). Delivery is deliver.ts.
import { randomUUID } from "node:crypto";
import type { Db } from "@/db/client";
import {
  type ClickConversation,
  type ConversionKeyRow,
  type ConversionRow,
  findConversionByEventId,
  findLatestClickConversation,
  getConversationForConversion,
  getNumberById,
  insertConversionWithJob,
} from "@/db/queries";
import type { ConversionSource } from "@/db/schema";
import { AppError } from "@/lib/errors";
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

async function resolveConversation(db: Db, tenantId: string, numberId: string, req: ConversionRequest): Promise<ClickConversation> {
  if (req.conversationId) {
    const c = await getConversationForConversion(db, { tenantId, id: req.conversationId });
    if (!c || c.numberId !== numberId) {
      throw new AppError("not_found", `Conversation ${req.conversationId} was not found on this number`, { conversationId: req.conversationId, accountId: numberId }, "conversation_not_found");
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
  const waPhone = `+${req.phoneE164}`;
  const { conversation, subscriberFound } = await findLatestClickConversation(db, { tenantId, numberId, waPhone });
  if (!conversation) {
    throw new AppError(
      "not_found",
      subscriberFound
        ? `${waPhone} has written to you, but never after clicking a Click-to-WhatsApp ad on this number: there is no click id to attribute`
        : `Nobody with the phone ${waPhone} has written to this number`,
      { phoneE164: req.phoneE164, accountId: numberId, subscriberFound },
      "conversation_not_found",
    );
  }
  return conversation;
}

/**
 * Stores a conversion request: a repeated eventId answers the first conversion (or 409 when the body
 * differs); a new one is resolved to its click and queued for delivery with its job, in one transaction.
 */
export async function createConversion(
  db: Db,
  { tenantId, request, now, source = "api" }: { tenantId: string; request: ConversionRequest; now: Date; source?: ConversionSource },
): Promise<ConversionAccepted> {
  const requestHash = conversionRequestHash(request);
  const existing = await findConversionByEventId(db, { tenantId, eventId: request.eventId });
  if (existing) return sameRequestOrConflict(existing, requestHash);

  const eventTime = checkEventTime(request.eventTime, now);
  const number = await getNumberById(db, { tenantId, id: request.accountId });
  if (!number) throw new AppError("not_found", `Number ${request.accountId} was not found (accountId is the id of one of your numbers)`, { accountId: request.accountId }, "number_not_found");
  if (number.provider !== "cloud" || !number.wabaId) {
    throw new AppError("unprocessable", `${number.label} is not a WhatsApp Cloud API number with a WABA id; conversions go to Meta through a Cloud API number`, { accountId: number.id, provider: number.provider }, "number_not_cloud");
  }
  if (!number.datasetId) {
    throw new AppError(
      "unprocessable",
      `${number.label} has no Conversions API dataset yet: fetch or create one on the number's page (or set datasetId with PATCH /api/v1/numbers/${number.id})`,
      { accountId: number.id },
      "dataset_missing",
    );
  }
  const conversation = await resolveConversation(db, tenantId, number.id, request);
  const warnings = eventTime.getTime() - conversation.startedAt.getTime() > ATTRIBUTION_WINDOW_MS ? [ATTRIBUTION_WINDOW_PASSED] : [];

  const id = randomUUID();
  const { inserted } = await insertConversionWithJob(db, {
    values: {
      id,
      tenantId,
      numberId: number.id,
      eventId: request.eventId,
      eventName: request.eventName,
      eventTime,
      requestHash,
      conversationId: conversation.id,
      subscriberId: conversation.subscriberId,
      ctwaClid: conversation.ctwaClid,
      value: request.value === undefined ? null : request.value.toFixed(2),
      currency: request.currency ?? null,
      contentIds: request.contentIds ?? null,
      emailHash: request.email ?? null,
      externalIdHash: request.externalId ?? null,
      testCode: request.testCode ?? null,
      warnings,
      source,
      createdAt: now,
      updatedAt: now,
    },
    job: { kind: CAPI_FORWARD_JOB, maxAttempts: CAPI_MAX_ATTEMPTS, runAt: now },
  });
  if (!inserted) {
    // a concurrent request with the same eventId committed first
    const twin = await findConversionByEventId(db, { tenantId, eventId: request.eventId });
    if (!twin) throw new AppError("unavailable", "The conversion could not be stored; please retry");
    return sameRequestOrConflict(twin, requestHash);
  }
  return { id, eventId: request.eventId, status: "queued", conversationId: conversation.id, warnings, duplicate: false };
}
