// Response bodies shared by several operations, as zod schemas for the OpenAPI document (nothing parses
// with them; the contract check validates answers against them). Each is pinned to the TypeScript type of
// what the handler really returns, so a field added to a response without its documentation fails the typecheck.
import { z } from "zod";
import { CONVERSION_SOURCES, CONVERSION_STATUSES } from "@/db/schema";
import type { ConversionAccepted } from "@/lib/conversions/create";
import type { DatasetResult } from "@/lib/conversions/dataset";
import type { conversionJson, conversionListJson } from "@/lib/conversions/read";
import type { SimulatorNumber } from "@/lib/simulator";
import type { ProcessOutcome } from "@/lib/whatsapp/ingest";

/** Every error: `{ error: { code, message, details? } }`. */
export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().meta({
        description:
          "Machine-readable: a precise reason such as `event_too_old`, or the class (`unauthorized`, `forbidden`, `not_found`, `conflict`, `unprocessable`, …)",
      }),
      message: z.string().meta({ description: "What went wrong and what to do, in words for a developer" }),
      details: z.unknown().optional().meta({ description: "Context: for validation errors zod's `{ formErrors, fieldErrors }`" }),
    }),
  })
  .meta({ id: "Error", description: "The one error shape of every endpoint" });

const uuid = z.uuid();
const isoTime = z.string().meta({ format: "date-time" });
const nullableIso = isoTime.nullable();

export const conversionAcceptedSchema = z
  .object({
    id: uuid.meta({ description: "The conversion's id (GET /api/v1/conversions/{id})" }),
    eventId: z.string().meta({ description: "Your eventId, as sent" }),
    status: z.enum(CONVERSION_STATUSES).meta({ description: "`queued` for a new conversion; for a repeated eventId, the first conversion's current status" }),
    conversationId: uuid.nullable().meta({ description: "The ad-attributed conversation the conversion was matched to" }),
    warnings: z
      .array(z.string())
      .meta({ description: "Accepted, but worth knowing: `attribution_window_passed` when the event is more than 7 days after the chat started" }),
    duplicate: z.boolean().meta({ description: "true when this eventId was already recorded with the same body (nothing new is sent)" }),
  })
  .meta({ id: "ConversionAccepted" });
const _acceptedIsExact: Equal<z.output<typeof conversionAcceptedSchema>, ConversionAccepted> = true;

const jsonObject = z.record(z.string(), z.unknown());

export const conversionSchema = z
  .object({
    id: uuid,
    eventId: z.string(),
    eventName: z.string().meta({ description: "One of LeadSubmitted, Purchase, AddToCart, InitiateCheckout, ViewContent" }),
    eventTime: z.number().int().meta({ description: "Unix seconds, as sent to Meta" }),
    status: z
      .enum(CONVERSION_STATUSES)
      .meta({ description: "queued → sent; `failed` after the retries gave up or on a non-retryable error; `rejected` when Meta refused the event" }),
    source: z.enum(CONVERSION_SOURCES),
    accountId: uuid.nullable().meta({ description: "The number (null if it was deleted since)" }),
    conversationId: uuid.nullable(),
    subscriberId: uuid.nullable(),
    ctwaClid: z.string().nullable().meta({ description: "The Click-to-WhatsApp click id the conversion was attributed to" }),
    value: z.number().nullable(),
    currency: z.string().nullable(),
    contentIds: z.array(z.string()),
    emailHashed: z.boolean().meta({ description: "An email was sent (stored only as its SHA-256)" }),
    externalIdHashed: z.boolean(),
    testCode: z.string().nullable(),
    warnings: z.array(z.string()),
    attempts: z.number().int(),
    lastAttemptAt: nullableIso,
    nextAttemptAt: nullableIso,
    sentAt: nullableIso,
    lastError: z.string().nullable().meta({ description: "The last failure in words (Meta's error verbatim, or the timeout)" }),
    eventsReceived: z.number().int().nullable().meta({ description: "Meta's `events_received`" }),
    fbtraceId: z.string().nullable(),
    request: jsonObject.nullable().meta({ description: "The exact JSON body posted to Meta (last attempt)" }),
    response: jsonObject.nullable().meta({ description: "Meta's answer to the last attempt, verbatim" }),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .meta({ id: "Conversion" });
const _conversionIsExact: Equal<z.output<typeof conversionSchema>, ReturnType<typeof conversionJson>> = true;

export const conversionListItemSchema = z
  .object({
    id: uuid,
    eventId: z.string(),
    eventName: z.string(),
    eventTime: z.number().int().meta({ description: "Unix seconds" }),
    status: z.enum(CONVERSION_STATUSES),
    source: z.enum(CONVERSION_SOURCES),
    accountId: uuid.nullable(),
    numberLabel: z.string().nullable(),
    conversationId: uuid.nullable(),
    subscriberId: uuid.nullable(),
    subscriberName: z.string().nullable(),
    subscriberPhone: z.string().nullable(),
    value: z.number().nullable(),
    currency: z.string().nullable(),
    testCode: z.string().nullable(),
    attempts: z.number().int(),
    warnings: z.array(z.string()),
    lastError: z.string().nullable(),
    nextAttemptAt: nullableIso,
    sentAt: nullableIso,
    fbtraceId: z.string().nullable(),
    createdAt: isoTime,
  })
  .meta({ id: "ConversionListItem" });
const _listItemIsExact: Equal<z.output<typeof conversionListItemSchema>, ReturnType<typeof conversionListJson>> = true;

/** A keyset page: pass `nextCursor` back as `cursor` for the next one (null on the last page). */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    rows: z.array(item),
    nextCursor: z.string().nullable().meta({ description: "Opaque; send it as `cursor` for the next page. null on the last page." }),
  });

/** Compile-time: `const _x: Equal<A, B> = true` fails the typecheck unless A and B are the same type. */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** What JSON.stringify makes of a value: dates become ISO strings. */
export type Jsonified<T> = T extends Date ? string : T extends (infer U)[] ? Jsonified<U>[] : T extends object ? { [K in keyof T]: Jsonified<T[K]> } : T;

export const datasetResultSchema = z.object({
  datasetId: z.string().nullable().meta({ description: "The WABA's Conversions API dataset id, now stored on the number (null: the WABA has none yet)" }),
  changed: z.boolean(),
  message: z.string(),
});
const _datasetIsExact: Equal<z.output<typeof datasetResultSchema>, DatasetResult> = true;

export const simulatorNumberSchema = z.object({
  number: z.object({ id: uuid, phoneE164: z.string(), phoneNumberId: z.string(), wabaId: z.string() }),
  appSecret: z.string().meta({ description: "Fresh on every call: sign the simulated webhooks with it (X-Hub-Signature-256)" }),
  created: z.boolean(),
});
const _simulatorIsExact: Equal<z.output<typeof simulatorNumberSchema>, SimulatorNumber> = true;

export const replayOutcomeSchema = z.object({
  id: uuid,
  status: z.enum(["processed", "unrouted", "failed", "skipped"]),
  error: z.string().nullable(),
});
const _replayIsExact: Equal<z.output<typeof replayOutcomeSchema>, ProcessOutcome> = true;
