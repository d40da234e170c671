// The drip queue's operations (GET /api/v1/queue, /stats, POST /{id}/retry, /{id}/cancel).
import { z } from "zod";
import { queueFiltersSchema } from "@/lib/drip/queue";
import { pageParamsSchema } from "@/lib/pagination";
import { type ApiOperation, defineOperation } from "./registry";
import { looseObject, pageOf } from "./schemas";

const queueRow = looseObject.meta({
  description: "A queued drip message: status, lead, number, template, the rendered text, schedule, attempts, the provider's message id and times, and the last error with the provider's response",
});

const queueStats = z
  .object({
    counts: z.record(z.string(), z.number().int()).meta({ description: "Rows per status: pending, sending, sent, failed, cancelled, skipped" }),
    dueNow: z.number().int(),
    oldestDueAt: z.string().nullable(),
    oldestDueAgeSeconds: z.number().int().nullable(),
    sentPerHour: z.array(z.object({ hour: z.string(), sent: z.number().int() })),
    at: z.string(),
  })
  .meta({ id: "QueueStats" });

const notes = { status: "Only rows in this status", numberId: "Only this number's rows", templateId: "Only this template's rows", leadId: "Only this lead's rows", order: "desc (default): latest schedule first; asc: next due first" };

export const queueOperations: ApiOperation[] = [
  defineOperation({
    method: "get",
    path: "/api/v1/queue/stats",
    operationId: "getQueueStats",
    tag: "Queue",
    summary: "Queue figures",
    description: "Rows per status, how many are due now, the age of the oldest due row, and sends per hour over the last 24 hours (UTC hours). Takes the list's filters.",
    query: [queueFiltersSchema],
    queryNotes: notes,
    responses: [{ status: 200, description: "The figures", schema: queueStats }],
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/queue",
    operationId: "listQueue",
    tag: "Queue",
    summary: "List the drip queue",
    query: [queueFiltersSchema, pageParamsSchema],
    queryNotes: { ...notes, cursor: "`nextCursor` of the previous page; omit for the first page", limit: "Rows per page" },
    responses: [{ status: 200, description: "A page of queue rows", schema: pageOf(queueRow) }],
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/queue/{id}/retry",
    operationId: "retryQueueMessage",
    tag: "Queue",
    summary: "Retry a message",
    description: "Puts a failed, skipped or cancelled message back in the queue, due now, with its attempts starting over. The next drip run sends it (the rules apply again).",
    role: "manager",
    responses: [{ status: 200, description: "The row, pending again", schema: queueRow }],
    errors: [{ status: 409, code: "not_retryable", message: "Only failed, skipped or cancelled messages can be retried; this one is sent" }],
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/queue/{id}/cancel",
    operationId: "cancelQueueMessage",
    tag: "Queue",
    summary: "Cancel a message",
    description: "Cancels one pending message; it is never sent.",
    role: "manager",
    responses: [{ status: 200, description: "The row, cancelled", schema: queueRow }],
    errors: [{ status: 409, code: "not_cancellable", message: "Only pending messages can be cancelled; this one is sent" }],
  }),
];
