// Zernio's sendWhatsAppConversion and listWhatsAppConversions on top of our conversions: the same
// validation, storage, dedupe and delivery as POST /api/v1/conversions/whatsapp (lib/conversions), but
// Zernio answers with Meta's result, so the delivery runs inside the request instead of after the answer.
import type { Db } from "@/db/client";
import type { ConversionListRow, ConversionRow } from "@/db/queries";
import { createConversion } from "@/lib/conversions/create";
import { type ConversionDeliveryDeps, deliverClaimedConversion } from "@/lib/conversions/deliver";
import { conversionFiltersSchema, getConversion, listConversions } from "@/lib/conversions/read";
import { parseConversionRequest } from "@/lib/conversions/schema";
import { requireZernioAccount } from "./accounts";
import { type ZernioConversionEvent, type ZernioSendResult, parseZernioInput, zernioListQuerySchema } from "./schemas";

/** Meta's error code from the stored answer (`{ error: { code } }`), when Meta sent one. */
function metaErrorCode(response: Record<string, unknown> | null): number | null {
  const error = response?.error;
  if (!error || typeof error !== "object") return null;
  const code = (error as { code?: unknown }).code;
  return typeof code === "number" ? code : null;
}

/**
 * A stored conversion as Zernio's answer: 200 with Meta's count and trace id once sent; 200 with one
 * failure once Meta rejected it (or it could not be sent at all); 202 while it waits for a retry.
 */
export function toZernioSendResult(row: ConversionRow, duplicate: boolean): { status: 200 | 202; result: ZernioSendResult } {
  const ours = { id: row.id, eventId: row.eventId, status: row.status, duplicate, warnings: row.warnings };
  const traceId = row.fbtraceId ? { traceId: row.fbtraceId } : {};
  if (row.status === "sent") {
    return { status: 200, result: { platform: "metaads", eventsReceived: row.eventsReceived ?? 1, eventsFailed: 0, failures: [], ...traceId, ...ours } };
  }
  if (row.status === "queued") {
    return { status: 202, result: { platform: "metaads", eventsReceived: 0, eventsFailed: 0, failures: [], ...traceId, ...ours } };
  }
  const failure = {
    eventIndex: 0,
    eventId: row.eventId,
    message: row.lastError ?? "Meta did not accept the event",
    code: metaErrorCode(row.response) ?? row.status,
  };
  return { status: 200, result: { platform: "metaads", eventsReceived: 0, eventsFailed: 1, failures: [failure], ...traceId, ...ours } };
}

/**
 * sendWhatsAppConversion: validates and stores the conversion exactly as /api/v1 does (a repeated
 * eventId answers the stored one, a changed body is 409), sends a new one to Meta before answering,
 * and answers what became of it. A transient failure leaves it queued for the jobs queue (202).
 */
export async function sendZernioConversion(
  db: Db,
  deps: ConversionDeliveryDeps,
  { tenantId, body, now }: { tenantId: string; body: unknown; now: Date },
): Promise<{ status: 200 | 202; result: ZernioSendResult }> {
  const request = parseConversionRequest(body);
  const { result, claimed } = await createConversion(db, { tenantId, request, now, deliverNow: true });
  if (claimed) await deliverClaimedConversion(db, deps, { claimed });
  return toZernioSendResult(await getConversion(db, { tenantId, id: result.id }), result.duplicate);
}

/** A conversion of the log as one event of Zernio's list (one event per conversion; no duration kept). */
export function toZernioConversionEvent(row: ConversionListRow): ZernioConversionEvent {
  const settled = row.status === "sent" || row.status === "rejected" || row.status === "failed";
  return {
    timestamp: (row.sentAt ?? row.createdAt).toISOString(),
    eventName: row.eventName,
    conversationId: row.conversationId,
    eventsReceived: settled ? (row.status === "sent" ? 1 : 0) : null,
    eventsFailed: settled ? (row.status === "sent" ? 0 : 1) : null,
    traceId: row.fbtraceId,
    durationMs: null,
    id: row.id,
    eventId: row.eventId,
    status: row.status,
  };
}

/** listWhatsAppConversions: the account's newest conversions (every status), `limit` of them (default 50). */
export async function listZernioConversions(db: Db, { tenantId, query }: { tenantId: string; query: unknown }): Promise<{ events: ZernioConversionEvent[] }> {
  const { accountId, limit } = parseZernioInput(zernioListQuerySchema, query);
  const number = await requireZernioAccount(db, { tenantId, accountId });
  const filters = conversionFiltersSchema.parse({ numberId: number.id });
  const page = await listConversions(db, { tenantId, filters, limit });
  return { events: page.rows.map(toZernioConversionEvent) };
}
