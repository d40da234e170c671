// The conversions operations: report a sale or lead back to Meta (POST /api/v1/conversions/whatsapp), the
// conversions log and one conversion, and retrying one by hand.
import { createConversion } from "@/lib/conversions/create";
import { deliverConversionNow } from "@/lib/conversions/deliver";
import { deliverAfterResponse } from "@/lib/conversions/deliver-after";
import { conversionDepsFromEnv } from "@/lib/conversions/deps";
import { conversionFiltersSchema, conversionJson, conversionListJson, getConversion, listConversions, retryConversion } from "@/lib/conversions/read";
import { CONVERSION_EVENT_NAMES, conversionRequestSchema } from "@/lib/conversions/schema";
import { afterResponse } from "@/lib/http";
import { pageParamsSchema } from "@/lib/pagination";
import { type ApiOperation, defineOperation, reply } from "./registry";
import { conversionAcceptedSchema, conversionListItemSchema, conversionSchema, pageOf } from "./schemas";

const EXAMPLE_NUMBER_ID = "3f8b1c2e-5a4d-4e6f-9b7a-1c2d3e4f5a6b";
const EXAMPLE_CONVERSATION_ID = "8d2e6b1a-0c4f-4a7e-b3d5-9e8f7a6b5c4d";

const pageNotes = {
  cursor: "`nextCursor` of the previous page; omit for the first page",
  limit: "Rows per page",
};

export const conversionOperations: ApiOperation[] = [
  defineOperation({
    method: "post",
    path: "/api/v1/conversions/whatsapp",
    operationId: "sendWhatsAppConversion",
    tag: "Conversions",
    summary: "Report a conversion",
    description: [
      "Records a sale or lead that started in a Click-to-WhatsApp chat and sends it to Meta's Conversions API for Business Messaging (`action_source=business_messaging`), attributed to the ad click (`ctwa_clid`) of the customer's conversation.",
      "The conversion is matched to a conversation by `conversationId`, or by `phoneE164`: the customer's latest conversation on that number that started from an ad click. It is stored `queued` and delivered right after this answer, with retries; follow it with GET /api/v1/conversions/{id}.",
      "Idempotent per `eventId`: repeating a request exactly answers 200 with the first conversion and `duplicate: true` (nothing is sent twice); the same `eventId` with a different body is a 409.",
      "Rules the schema alone cannot show:\n- send `conversationId` or `phoneE164` (at least one);\n- a `Purchase` needs `value` and `currency`, and any `value` needs a `currency`;\n- `eventTime` may be at most 7 days old and 10 minutes ahead (Meta rejects the whole request otherwise);\n- `email` and `externalId` are normalised and hashed (SHA-256) before they are stored or sent.",
    ].join("\n\n"),
    body: conversionRequestSchema,
    invalidBodyReason: "invalid_request",
    bodyNotes: {
      accountId: "The id of one of your WhatsApp numbers (GET /api/v1/numbers): a Meta Cloud API number with a Conversions API dataset.",
      eventName:
        "Case-sensitive. Standard pixel events such as `Lead` or `CompleteRegistration` are refused (`event_name_not_allowed`, with the name to use instead).",
      eventTime: "Unix time in seconds (not milliseconds). Default: now. At most 7 days old and 10 minutes in the future.",
      eventId: "Your stable id for this conversion, e.g. `order-1029:Purchase`: the idempotency key.",
      conversationId: "A Clicktrail conversation that started from an ad click (GET /api/v1/subscribers/{id}). Send this or `phoneE164`.",
      phoneE164:
        "The customer's WhatsApp number with its country code, digits only (a leading + is allowed), e.g. `15551234567`. Send this or `conversationId`.",
      value: 'A number or a numeric string (`"149.90"`), 0 to 999999999999.99. Required for Purchase; needs `currency`.',
      currency: "ISO 4217 code, any case, e.g. `USD`. Required for Purchase and whenever `value` is sent.",
      contentIds: "Product ids (up to 1000).",
      email: "The customer's email: must be valid; trimmed, lower-cased and stored only as its SHA-256.",
      externalId: "Your customer id (up to 512 characters): trimmed, lower-cased and stored only as its SHA-256.",
      testCode: "Meta's `test_event_code` (Events Manager → Test events): the event shows there and is not counted.",
    },
    bodyExample: {
      accountId: EXAMPLE_NUMBER_ID,
      eventName: "Purchase",
      eventId: "order-1029:Purchase",
      phoneE164: "15551234567",
      value: 149.9,
      currency: "USD",
      contentIds: ["sku-123"],
      email: "buyer@example.com",
      externalId: "crm-customer-42",
    },
    responses: [
      {
        status: 202,
        description: "Accepted: stored `queued` and sent to Meta right after this answer",
        schema: conversionAcceptedSchema,
        example: {
          id: "5b1f9c8e-2d3a-4b6c-8e7f-0a1b2c3d4e5f",
          eventId: "order-1029:Purchase",
          status: "queued",
          conversationId: EXAMPLE_CONVERSATION_ID,
          warnings: [],
          duplicate: false,
        },
      },
      {
        status: 200,
        description: "This `eventId` was already recorded with the same body: the first conversion, `duplicate: true` (nothing new is sent)",
        schema: conversionAcceptedSchema,
        example: {
          id: "5b1f9c8e-2d3a-4b6c-8e7f-0a1b2c3d4e5f",
          eventId: "order-1029:Purchase",
          status: "sent",
          conversationId: EXAMPLE_CONVERSATION_ID,
          warnings: [],
          duplicate: true,
        },
      },
    ],
    omitStandardErrors: ["unprocessable"],
    errors: [
      { status: 404, code: "number_not_found", message: `Number ${EXAMPLE_NUMBER_ID} was not found (accountId is the id of one of your numbers)` },
      { status: 404, code: "conversation_not_found", message: "Nobody with the phone +15551234567 has written to this number" },
      {
        status: 409,
        code: "event_id_conflict",
        message:
          'eventId "order-1029:Purchase" was already used for a different conversion (Purchase); send a new eventId, or repeat the first request exactly',
      },
      {
        status: 422,
        code: "invalid_request",
        message: "accountId must be the id of one of your WhatsApp numbers (GET /api/v1/numbers); A Purchase needs a value",
      },
      {
        status: 422,
        code: "event_name_not_allowed",
        message: 'Meta rejects "Lead" for business messaging (error 2804066, "Messaging Event Invalid Event Type"); use "LeadSubmitted" instead',
      },
      { status: 422, code: "event_too_old", message: "eventTime is 9 days old; Meta rejects events older than 7 days" },
      { status: 422, code: "event_in_future", message: "eventTime is 2 hours in the future; it may be at most 10 minutes ahead of now" },
      {
        status: 422,
        code: "no_click_id",
        message: "This conversation did not start from a Click-to-WhatsApp ad click (it has no ctwa_clid), so Meta cannot attribute a conversion to it",
      },
      { status: 422, code: "dataset_missing", message: "Sales has no Conversions API dataset yet: fetch or create one on the number's page" },
      {
        status: 422,
        code: "number_not_cloud",
        message: "Sales is not a WhatsApp Cloud API number with a WABA id; conversions go to Meta through a Cloud API number",
      },
    ],
    handler: async ({ db, tenantId, body }) => {
      const { result, claimed } = await createConversion(db, { tenantId, request: body, now: new Date(), deliverNow: true });
      if (claimed) afterResponse(() => deliverAfterResponse(db, claimed));
      return result.duplicate ? reply(200, result) : result;
    },
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/conversions",
    operationId: "listConversions",
    tag: "Conversions",
    summary: "List conversions",
    description: "The conversions log, newest first, keyset-paginated. `from` and `to` are the days (UTC, inclusive) the conversions were received.",
    query: [conversionFiltersSchema, pageParamsSchema],
    queryNotes: {
      status: "Delivery status",
      eventName: `One of ${CONVERSION_EVENT_NAMES.join(", ")}`,
      numberId: "Only this number's conversions",
      from: "Received from this UTC day (YYYY-MM-DD)",
      to: "… through this UTC day (inclusive)",
      test: "`true`: only test events (sent with a testCode); `false`: only real ones",
      ...pageNotes,
    },
    responses: [{ status: 200, description: "One page of conversions", schema: pageOf(conversionListItemSchema) }],
    handler: async ({ db, tenantId, query: { cursor, limit, ...filters } }) => {
      const page = await listConversions(db, { tenantId, filters, cursor, limit });
      return { rows: page.rows.map(conversionListJson), nextCursor: page.nextCursor };
    },
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/conversions/{id}",
    operationId: "getConversion",
    tag: "Conversions",
    summary: "Get a conversion",
    description: "Status, attempts, the exact request sent to Meta and Meta's answer.",
    responses: [{ status: 200, description: "The conversion", schema: conversionSchema }],
    handler: async ({ db, tenantId, params }) => conversionJson(await getConversion(db, { tenantId, id: params.id })),
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/conversions/{id}/retry",
    operationId: "retryConversion",
    tag: "Conversions",
    summary: "Retry a conversion",
    description:
      "Sends a `failed` or `rejected` conversion again (after fixing the token or dataset, say); its attempts start over. A `queued` one is answered as it is.",
    responses: [{ status: 202, description: "Queued again and sent right after this answer", schema: conversionSchema }],
    errors: [{ status: 409, code: "already_sent", message: "This conversion was already sent; it is never sent twice" }],
    handler: async ({ db, tenantId, params }) => {
      const row = await retryConversion(db, { tenantId, id: params.id, now: new Date() });
      afterResponse(() => deliverConversionNow(db, conversionDepsFromEnv(), { conversionId: row.id }));
      return conversionJson(row);
    },
  }),
];
