// The drip queue's operations (GET /api/v1/queue, /stats, POST /{id}/retry, /{id}/cancel).
import { z } from "zod";
import { OUTBOUND_STATUSES } from "@/db/schema";
import { cancelQueueRow, getQueueStats, listQueue, type QueueStats, queueFiltersSchema, queueRowJson, retryQueueRow } from "@/lib/drip/queue";
import { pageParamsSchema } from "@/lib/pagination";
import { type ApiOperation, defineOperation } from "./registry";
import { type Equal, type Jsonified, pageOf } from "./schemas";

const uuid = z.uuid();
const isoTime = z.string().meta({ format: "date-time" });
const nullableIso = isoTime.nullable();

/** A value as the provider's stored answer held it: text (clipped), a number or a boolean. */
const shown = z.union([z.string(), z.number(), z.boolean()]);

const providerResponseSchema = z
  .object({
    messageId: shown.optional().meta({ description: "Cloud API: the message id (`wamid.…`)" }),
    idMessage: shown.optional().meta({ description: "Green API: the message id" }),
    transport: shown.optional().meta({ description: "Green API: why no answer came (`timeout`, `network`, …)" }),
    httpStatus: shown.optional().meta({ description: "The HTTP status the provider answered with" }),
    code: shown.optional(),
    message: shown.optional().meta({ description: "The provider's message, clipped to 500 characters" }),
    error: z
      .object({
        code: shown.optional(),
        error_subcode: shown.optional(),
        type: shown.optional(),
        message: shown.optional(),
        fbtrace_id: shown.optional(),
        error_data: z.object({ details: shown }).optional(),
      })
      .optional()
      .meta({ description: "Graph's error object, reduced to these fields" }),
  })
  .meta({
    id: "ProviderResponse",
    description:
      "What is shown of the provider's last answer: the message id, the HTTP status, the error code and message (and Graph's subcode, type, details and trace id). Each field only when the answer had it",
  });

export const queueRowSchema = z
  .object({
    id: uuid,
    status: z
      .enum(OUTBOUND_STATUSES)
      .meta({ description: "pending → sending → sent; or failed, cancelled, skipped (with the reason in errorCode/errorMessage)" }),
    leadId: uuid.nullable(),
    leadName: z
      .string()
      .nullable()
      .meta({ description: "The lead's name (GET /api/v1/queue); null when the row has no lead, and always null in the answers of retry and cancel" }),
    subscriberId: uuid.nullable(),
    numberId: uuid.nullable().meta({ description: "The number it is sent from (null if the number was deleted since)" }),
    numberLabel: z.string().nullable().meta({ description: "The number's label (GET /api/v1/queue); always null in the answers of retry and cancel" }),
    phone: z.string().meta({ description: "The recipient, E.164" }),
    templateId: uuid.nullable().meta({ description: "null if the template was deleted since" }),
    templateName: z.string(),
    renderedText: z.string().nullable().meta({ description: "The text as sent; null until it is rendered for sending" }),
    scheduledAt: isoTime,
    attempts: z.number().int(),
    nextAttemptAt: nullableIso.meta({ description: "When a transient failure is retried" }),
    providerMessageId: z.string().nullable(),
    sentAt: nullableIso,
    deliveredAt: nullableIso,
    readAt: nullableIso,
    errorCode: z.string().nullable().meta({
      description:
        "The provider's error code verbatim, or ours: e.g. `campaign_stopped`, `cancelled_by_user`, `opted_out`, `marketing_stopped` (the customer stopped marketing messages in WhatsApp), `lead_replied` (the lead wrote to you and the template stops on a reply), `converted` (a conversion of one of the workspace's stop events was recorded for the lead); `errorMessage` says it in words",
    }),
    errorMessage: z.string().nullable().meta({ description: "The last error in words, clipped to 1,000 characters" }),
    providerResponse: providerResponseSchema.nullable(),
  })
  .meta({
    id: "QueueRow",
    description:
      "A queued drip message: its status, lead, number, template, the rendered text, schedule, attempts, the provider's message id and times, and the last error with the provider's response",
  });
const _queueRowIsExact: Equal<z.output<typeof queueRowSchema>, Jsonified<ReturnType<typeof queueRowJson>>> = true;

const count = z.number().int();
export const queueStatsSchema = z
  .object({
    counts: z
      .object({ pending: count, sending: count, sent: count, failed: count, cancelled: count, skipped: count })
      .meta({ description: "Rows per status (every status, 0 when there are none)" }),
    failures: count.meta({
      description:
        "The queue's failures: failed and skipped rows, the messages that did not go out and need a person (the console's Failed figure and Failures view). Cancelled rows were stopped on purpose and are not counted",
    }),
    dueNow: count.meta({ description: "Pending rows whose time has come" }),
    oldestDueAt: nullableIso.meta({ description: "The schedule of the oldest due row; null when none is due" }),
    oldestDueAgeSeconds: count.nullable().meta({ description: "How long the oldest due row has waited; null when none is due" }),
    sentPerHour: z
      .array(z.object({ hour: isoTime.meta({ description: "The UTC hour, e.g. `2031-06-01T10:00:00Z`" }), sent: count }))
      .meta({ description: "Messages sent per UTC hour over the last 24 hours, oldest first; hours without a send are left out" }),
    at: isoTime.meta({ description: "When the figures were taken" }),
  })
  .meta({ id: "QueueStats" });
const _queueStatsAreExact: Equal<z.output<typeof queueStatsSchema>, Jsonified<QueueStats>> = true;

const notes = {
  status: "Only rows in this status",
  numberId: "Only this number's rows",
  templateId: "Only this template's rows",
  leadId: "Only this lead's rows",
  order: "desc (default): latest schedule first; asc: next due first",
};

export const queueOperations: ApiOperation[] = [
  defineOperation({
    method: "get",
    path: "/api/v1/queue/stats",
    operationId: "getQueueStats",
    tag: "Queue",
    summary: "Queue figures",
    description:
      "Rows per status, how many are due now, the age of the oldest due row, and sends per hour over the last 24 hours (UTC hours). Takes the list's filters.",
    query: [queueFiltersSchema],
    queryNotes: notes,
    responses: [{ status: 200, description: "The figures", schema: queueStatsSchema }],
    handler: async ({ db, tenantId, query }) => getQueueStats(db, { tenantId, filters: query, now: new Date() }),
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/queue",
    operationId: "listQueue",
    tag: "Queue",
    summary: "List the drip queue",
    description: "The drip's messages, latest schedule first (or next due first with `order=asc`), keyset-paginated.",
    query: [queueFiltersSchema, pageParamsSchema],
    queryNotes: { ...notes, cursor: "`nextCursor` of the previous page; omit for the first page", limit: "Rows per page" },
    responses: [{ status: 200, description: "A page of queue rows", schema: pageOf(queueRowSchema) }],
    handler: async ({ db, tenantId, query: { cursor, limit, ...filters } }) => {
      const page = await listQueue(db, { tenantId, filters, cursor, limit });
      return { rows: page.rows.map(queueRowJson), nextCursor: page.nextCursor };
    },
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/queue/{id}/retry",
    operationId: "retryQueueMessage",
    tag: "Queue",
    summary: "Retry a message",
    description:
      "Puts a failed, skipped or cancelled message back in the queue, due now, with its attempts starting over. The next drip run sends it (the rules apply again).",
    role: "manager",
    responses: [{ status: 200, description: "The row, pending again", schema: queueRowSchema }],
    errors: [
      {
        status: 409,
        code: "not_retryable",
        message: "Only failed, skipped or cancelled messages can be retried; this one is sent",
        details: { status: "sent" },
      },
    ],
    handler: async ({ db, tenantId, params }) => queueRowJson({ row: await retryQueueRow(db, { tenantId, id: params.id, now: new Date() }) }),
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/queue/{id}/cancel",
    operationId: "cancelQueueMessage",
    tag: "Queue",
    summary: "Cancel a message",
    description: "Cancels one pending message; it is never sent.",
    role: "manager",
    responses: [{ status: 200, description: "The row, cancelled", schema: queueRowSchema }],
    errors: [{ status: 409, code: "not_cancellable", message: "Only pending messages can be cancelled; this one is sent", details: { status: "sent" } }],
    handler: async ({ db, tenantId, params }) => queueRowJson({ row: await cancelQueueRow(db, { tenantId, id: params.id, now: new Date() }) }),
  }),
];
