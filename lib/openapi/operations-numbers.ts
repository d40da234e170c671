// Connected numbers (with their datasets) and the stored webhook events.
import { z } from "zod";
import { CONNECTION_STATUSES, PROVIDERS, RAW_BODY_KINDS, SIGNATURE_RESULTS, WEBHOOK_PROVIDERS, WEBHOOK_STATUSES } from "@/db/schema";
import { syncNumberDataset } from "@/lib/conversions/dataset";
import { conversionDepsFromEnv } from "@/lib/conversions/deps";
import type { CheckResult } from "@/lib/numbers/check-connection";
import type { ConnectionError } from "@/lib/numbers/connection-errors";
import { connectNumber, editNumber, type NumberWithCheck, recheckNumber } from "@/lib/numbers/connect";
import { numberDepsFromEnv } from "@/lib/numbers/deps";
import { deleteNumber, listNumbersPage, type PublicNumber, requireNumberRow, toPublicNumber } from "@/lib/numbers/numbers";
import { createNumberSchema, numberPatchSchema, numberUpdateSchema } from "@/lib/numbers/schemas";
import { pageParamsSchema } from "@/lib/pagination";
import { hasRole } from "@/lib/roles";
import type { Role } from "@/lib/roles-types";
import {
  getWebhookEventDetail,
  listWebhookEventsPage,
  replayTenantWebhookEvent,
  type WebhookEventDetail,
  type WebhookEventSummary,
  webhookEventFiltersSchema,
} from "@/lib/webhook-events/list";
import { type ApiOperation, defineOperation, type ErrorSpec } from "./registry";
import { datasetResultSchema, type Equal, type Jsonified, pageOf, replayOutcomeSchema } from "./schemas";

const uuid = z.uuid();
const isoTime = z.string().meta({ format: "date-time" });

const pageNotes = {
  cursor: "`nextCursor` of the previous page; omit for the first page",
  limit: "Rows per page",
};

// ------------------------------------------------------------------------------------------ numbers

const hint = z.string().nullable().meta({ description: "What to do about it, in plain words (null when we have no advice for this error)" });
const retryAfterMs = z.number().optional().meta({ description: "Meta's Retry-After, in milliseconds, when it sent one" });

export const connectionErrorSchema = z
  .discriminatedUnion("kind", [
    z
      .object({
        kind: z.literal("graph"),
        httpStatus: z.number().int(),
        code: z.number().int().nullable().meta({ description: "Meta's error code, e.g. 190 for an expired token" }),
        subcode: z.number().int().nullable(),
        type: z.string().nullable(),
        message: z.string().meta({ description: "Meta's message verbatim (clipped to 500 characters)" }),
        details: z.string().nullable().meta({ description: "Meta's `error_data.details`" }),
        fbtraceId: z.string().nullable(),
        retryAfterMs,
        hint,
      })
      .meta({ description: "Meta's Graph API refused the check" }),
    z
      .object({
        kind: z.enum(["timeout", "network", "bad_response"]),
        httpStatus: z.number().int().optional(),
        message: z.string(),
        retryAfterMs,
        hint,
      })
      .meta({ description: "The provider did not answer in time, could not be reached, or answered in an unexpected way" }),
    z
      .object({
        kind: z.literal("mismatch"),
        message: z.string(),
        hint: z.string(),
        expected: z.string().meta({ description: "The number entered" }),
        actual: z.string().meta({ description: "The display number Meta reports for the Phone Number ID" }),
      })
      .meta({ description: "The Phone Number ID belongs to another phone number" }),
    z
      .object({
        kind: z.literal("green_state"),
        message: z.string(),
        hint: z.string(),
        state: z.string().meta({ description: "Green API's `stateInstance`, e.g. `notAuthorized`" }),
      })
      .meta({ description: "The Green API instance is not authorized" }),
    z
      .object({ kind: z.literal("provider_http"), httpStatus: z.number().int(), message: z.string(), hint: z.string() })
      .meta({ description: "Green API answered an HTTP error" }),
    z
      .object({ kind: z.literal("refused"), message: z.string(), hint: z.string() })
      .meta({ description: "Refused before any call: a Green API URL the server may not call, or a Phone Number ID another workspace proved first" }),
    z
      .object({ kind: z.literal("not_configured"), message: z.string(), hint: z.string().nullable() })
      .meta({ description: "A stored secret cannot be read (sealed with another ENCRYPTION_KEY)" }),
    z
      .object({
        kind: z.literal("account_update"),
        event: z.string().meta({ description: "Meta's `account_update` event, e.g. `ACCOUNT_RESTRICTION`" }),
        message: z.string(),
        hint: z.string(),
        details: z.record(z.string(), z.unknown()).meta({ description: "The webhook's change value, verbatim as Meta sent it" }),
      })
      .meta({ description: "Meta reported a problem with the WhatsApp Business Account (account_update webhook)" }),
  ])
  .meta({
    id: "ConnectionError",
    description: "Why the last connection test (or Meta's account webhook) says the number does not work: the provider's error verbatim, with a hint",
  });
const _connectionErrorIsExact: Equal<z.output<typeof connectionErrorSchema>, Jsonified<ConnectionError>> = true;

const secretStateSchema = z.object({
  set: z.boolean(),
  hint: z.string().nullable().meta({ description: "`•••• 1a2b`: the secret's last characters (null when not set or unreadable)" }),
  unreadable: z.boolean().optional().meta({ description: "true when it was sealed with another ENCRYPTION_KEY: replace it" }),
});

export const numberSchema = z
  .object({
    id: uuid,
    label: z.string(),
    phoneE164: z.string().meta({ description: "E.164, e.g. `+15551234567`" }),
    provider: z.enum(PROVIDERS),
    active: z.boolean().meta({ description: "An inactive number sends nothing and keeps its history" }),
    status: z.enum([...CONNECTION_STATUSES, "inactive"]).meta({ description: "`inactive` when not active, else `connectionStatus`" }),
    connectionStatus: z.enum(CONNECTION_STATUSES).meta({ description: "The outcome of the last connection test (or what the provider reported since)" }),
    verifiedName: z.string().nullable().meta({ description: "Meta's verified business name" }),
    qualityRating: z.string().nullable().meta({ description: "Meta's quality rating: GREEN, YELLOW, RED or UNKNOWN" }),
    messagingLimitTier: z.string().nullable().meta({ description: "Meta's messaging tier, e.g. `TIER_1K`" }),
    lastCheckedAt: isoTime.nullable(),
    lastError: connectionErrorSchema.nullable(),
    lastWebhookAt: isoTime.nullable(),
    sendRatePerSecond: z.number().int(),
    phoneNumberId: z.string().nullable().meta({ description: "Cloud API numbers" }),
    wabaId: z.string().nullable().meta({ description: "Cloud API numbers" }),
    datasetId: z.string().nullable().meta({ description: "The Conversions API dataset (Cloud API numbers)" }),
    demo: z.boolean().meta({ description: "Written by Load demo data: no provider connection, nothing is sent, checked or fetched through it" }),
    autoLeadSubmitted: z.boolean().meta({ description: "A LeadSubmitted conversion is sent on the first message of each ad-attributed conversation" }),
    greenApiUrl: z.string().nullable().meta({ description: "Green API numbers" }),
    greenInstanceId: z.string().nullable().meta({ description: "Green API numbers" }),
    gupshupAppName: z.string().nullable().meta({ description: "Gupshup numbers" }),
    gupshupSourceNumber: z.string().nullable().meta({ description: "Gupshup numbers" }),
    secrets: z
      .object({
        accessToken: secretStateSchema.optional(),
        appSecret: secretStateSchema.optional(),
        greenApiToken: secretStateSchema.optional(),
        gupshupApiKey: secretStateSchema.optional(),
      })
      .meta({
        description:
          "The provider's secrets (Cloud API: accessToken and appSecret; Green API: greenApiToken; Gupshup: gupshupApiKey): whether each is set and its last characters, never the secret",
      }),
    webhook: z
      .object({
        callbackUrl: z.string().meta({ description: "Meta's callback URL for this server" }),
        verifyToken: z.string().meta({ description: "Meta's verify token for this number" }),
        fields: z.array(z.string()).meta({ description: "The webhook fields to subscribe (`messages` for Cloud API numbers)" }),
        gupshupCallbackUrl: z.string().nullable().meta({ description: "Gupshup numbers: the callback URL to set in Gupshup" }),
      })
      .optional()
      .meta({ description: "What to paste into Meta's or Gupshup's dashboard; only for managers and API keys" }),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .meta({ id: "Number", description: "A connected WhatsApp number. Secrets are never returned." });
const _numberIsExact: Equal<z.output<typeof numberSchema>, Jsonified<PublicNumber>> = true;

export const connectionCheckSchema = z
  .object({
    status: z.enum(CONNECTION_STATUSES),
    message: z.string().meta({ description: "The outcome in words, e.g. `Connected as Clicktrail Test`" }),
    error: connectionErrorSchema.nullable(),
    verifiedName: z.string().nullable().optional().meta({ description: "Cloud API numbers Meta answered for" }),
    qualityRating: z.string().nullable().optional(),
    messagingLimitTier: z.string().nullable().optional(),
    codeVerificationStatus: z.string().nullable().optional(),
  })
  .meta({
    id: "ConnectionCheck",
    description:
      "A connection test: Cloud API `GET /{phone-number-id}`, Green API `getStateInstance`; Gupshup is confirmed by its first callback. A demo number is not tested (its stored status, and why).",
  });
const _checkIsExact: Equal<z.output<typeof connectionCheckSchema>, Jsonified<CheckResult>> = true;

export const checkedNumberSchema = z
  .object({ number: numberSchema, check: connectionCheckSchema })
  .meta({ id: "CheckedNumber", description: "A number and the connection test just run" });
const _checkedIsExact: Equal<z.output<typeof checkedNumberSchema>, Jsonified<Awaited<ReturnType<typeof recheckNumber>>>> = true;

export const editedNumberSchema = z
  .object({
    number: numberSchema,
    check: connectionCheckSchema.nullable().meta({
      description:
        "The connection test, run when the change touched the connection (phone number, Phone Number ID, WABA id, access token; Green API URL, instance or token; Gupshup app or API key); null when it did not (e.g. only the label, `active`, the dataset or the app secret changed)",
    }),
  })
  .meta({ id: "EditedNumber" });
const _editedIsExact: Equal<z.output<typeof editedNumberSchema>, Jsonified<NumberWithCheck>> = true;

/** The number as the caller may see it: the webhook set-up for managers and API keys only. */
const includeWebhook = (principal: { role: Role }) => ({ includeWebhook: hasRole(principal.role, "manager") });

// ----------------------------------------------------------------------------------- webhook events

const webhookEventNumberSchema = z
  .object({ id: uuid, label: z.string(), phoneE164: z.string() })
  .nullable()
  .meta({ description: "The number it was routed to (null when none)" });

const webhookEventFields = {
  id: uuid,
  provider: z.enum(WEBHOOK_PROVIDERS),
  receivedAt: isoTime,
  status: z.enum(WEBHOOK_STATUSES).meta({
    description:
      "`received` → `processed`; `failed` (replayable), `unrouted` (no number claims its Phone Number ID yet) or `rejected` (failed its signature check)",
  }),
  signatureResult: z.enum(SIGNATURE_RESULTS),
  error: z.string().nullable().meta({ description: "Why processing failed or the event was rejected" }),
  attempts: z.number().int(),
  processedAt: isoTime.nullable(),
  numberId: uuid.nullable(),
  number: webhookEventNumberSchema,
  routedPhoneNumberIds: z.array(z.string()).meta({ description: "The Phone Number IDs the body named that were routed to this workspace" }),
  bodyBytes: z.number().int().meta({ description: "The size of the body received" }),
};

export const webhookEventSummarySchema = z
  .object({ ...webhookEventFields, summary: z.string().meta({ description: "What the body holds, e.g. `messages + statuses · 1.2 KB`" }) })
  .meta({ id: "WebhookEventSummary", description: "A stored delivery without its body" });
const _summaryIsExact: Equal<z.output<typeof webhookEventSummarySchema>, Jsonified<WebhookEventSummary>> = true;

const webhookEventItemSchema = z.object({
  kind: z.enum([
    "message",
    "status",
    "template_status",
    "template_category",
    "template_quality",
    "number_quality",
    "account_update",
    "value_errors",
    "user_event",
    "user_preference",
    "instance_state",
    "ignored",
  ]),
  type: z.string().nullable().meta({ description: "The message type, a status's pricing category, a template's name, …" }),
  wamid: z.string().nullable(),
  from: z.string().nullable().meta({ description: "The sender of a message, the recipient of a status, the phone of a user event" }),
  status: z.string().nullable().meta({ description: "A status (`delivered`, …) or the event of a change" }),
  textPreview: z.string().nullable().meta({ description: "A message's text, a status's errors, or a change's detail" }),
  phoneNumberId: z.string().nullable(),
});

export const webhookEventDetailSchema = z
  .object({
    ...webhookEventFields,
    summary: z.string().meta({ description: "Counts of the parsed items, e.g. `2 messages, 1 status · 1.2 KB`" }),
    rawBody: z.string().meta({ description: "See `rawBodyKind`" }),
    rawBodyKind: z.enum(RAW_BODY_KINDS),
    bodySha256: z.string().nullable().meta({ description: "SHA-256 (hex) of the whole body received" }),
    refusedPhoneNumberIds: z.array(z.string()),
    bodyFormat: z.enum(["json", "text", "deep_json"]),
    prettyBody: z.string().nullable().meta({ description: "The body re-indented; null unless `bodyFormat` is `json`" }),
    headers: z.record(z.string(), z.string()).meta({ description: "The request headers kept (lower-case names)" }),
    items: z.array(webhookEventItemSchema).meta({ description: "The body's items as the parser processing uses reads them" }),
    parseError: z.string().nullable().meta({ description: "Why the body could not be read as a webhook of its provider (then `items` is empty)" }),
    replayable: z.boolean().meta({ description: "Every status but `rejected` can be replayed" }),
  })
  .meta({ id: "WebhookEvent", description: "A stored delivery with its body" });
const _detailIsExact: Equal<z.output<typeof webhookEventDetailSchema>, Jsonified<WebhookEventDetail>> = true;

/** The refusals of both dataset operations (`verb`: what Meta did not do). */
const datasetErrors = (verb: "return" | "create"): ErrorSpec[] => [
  { status: 422, code: "number_not_cloud", message: "Datasets belong to a WhatsApp Business Account: only Cloud API numbers with a WABA id have one" },
  { status: 422, code: "token_unreadable", message: "The number's access token cannot be read: replace it on the number's page" },
  {
    status: 422,
    code: "demo_number",
    message: "Demo line is a demo number: it has no provider connection, so nothing is sent, checked or fetched through it. Connect a real number for that.",
  },
  { status: 502, code: "graph_error", message: `Meta did not ${verb} the dataset: …` },
];

export const numberOperations: ApiOperation[] = [
  defineOperation({
    method: "get",
    path: "/api/v1/numbers",
    operationId: "listNumbers",
    tag: "Numbers",
    summary: "List numbers",
    description:
      "The workspace's WhatsApp numbers, keyset-paginated. Secrets are never returned (only whether they are set, and their last characters); the webhook set-up is included for managers and API keys.",
    query: [pageParamsSchema],
    queryNotes: pageNotes,
    responses: [{ status: 200, description: "One page of numbers", schema: pageOf(numberSchema) }],
    handler: async ({ db, principal, tenantId, query }) => {
      const page = await listNumbersPage(db, { tenantId, ...query });
      const { keys } = numberDepsFromEnv();
      return { ...page, rows: page.rows.map((row) => toPublicNumber(row, keys, includeWebhook(principal))) };
    },
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/numbers",
    operationId: "connectNumber",
    tag: "Numbers",
    summary: "Connect a number",
    description:
      "Stores a number (secrets encrypted) and tests the connection at once (Meta: `GET /{phone-number-id}`; Green API: `getStateInstance`). Webhooks that arrived for its Phone Number ID before are processed now. The body's fields depend on `provider`.",
    role: "manager",
    body: createNumberSchema,
    bodyNotes: {
      phoneE164: "Any format with the country code; stored as E.164",
      accessToken: "A permanent System User access token (stored encrypted, never shown again)",
      verifyToken: "Default: generated",
      greenApiUrl:
        "Green API only: the API URL from the Green API console (`https://api.green-api.com` or `https://<id>.api.greenapi.com`); other hosts only when the operator lists them in GREEN_API_HOSTS",
    },
    bodyExample: {
      provider: "cloud",
      label: "Sales",
      phoneE164: "+15551234567",
      phoneNumberId: "106540352242922",
      wabaId: "102290129340398",
      accessToken: "EAAG…",
      appSecret: "0123456789abcdef0123456789abcdef",
    },
    responses: [
      {
        status: 201,
        description: "Connected; `check` is the outcome of the connection test (a failed test still connects the number)",
        schema: checkedNumberSchema,
      },
    ],
    errors: [
      { status: 409, code: "conflict", message: "This Phone Number ID is already connected" },
      { status: 409, code: "phone_number_id_taken", message: "This Phone Number ID is already connected and verified in another workspace. …" },
      {
        status: 422,
        code: "green_api_url_refused",
        message:
          "Green API URL refused: 127.0.0.1 is a loopback address. Use the API URL shown in the Green API console (https://api.green-api.com or https://<id>.api.greenapi.com)",
      },
    ],
    handler: async ({ db, tenantId, body }) => connectNumber(db, numberDepsFromEnv(), { tenantId, input: body }),
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/numbers/{id}",
    operationId: "getNumber",
    tag: "Numbers",
    summary: "Get a number",
    description: "One number, without secrets; the webhook set-up (callback URL, verify token, fields) for managers and API keys.",
    responses: [{ status: 200, description: "The number", schema: numberSchema }],
    handler: async ({ db, principal, tenantId, params }) => {
      const row = await requireNumberRow(db, { tenantId, id: params.id });
      return toPublicNumber(row, numberDepsFromEnv().keys, includeWebhook(principal));
    },
  }),
  defineOperation({
    method: "patch",
    path: "/api/v1/numbers/{id}",
    operationId: "updateNumber",
    tag: "Numbers",
    summary: "Update a number",
    description:
      "Any subset of the fields of POST /api/v1/numbers; secrets left out are kept. The result is validated whole, and the connection is tested again when it changed. The provider cannot change.",
    role: "manager",
    body: numberPatchSchema,
    bodyTypesFrom: numberUpdateSchema,
    bodyExample: { label: "Sales (Berlin)", datasetId: "1234567890" },
    responses: [
      {
        status: 200,
        description: "The number, and the connection test when the change touched the connection (`check` is null otherwise)",
        schema: editedNumberSchema,
      },
    ],
    errors: [
      { status: 409, code: "conflict", message: "This phone number is already connected" },
      { status: 409, code: "phone_number_id_taken", message: "This Phone Number ID is already connected and verified in another workspace. …" },
      { status: 422, code: "green_api_url_refused", message: "Green API URL refused: 127.0.0.1 is a loopback address. …" },
    ],
    handler: async ({ db, tenantId, params, body }) => editNumber(db, numberDepsFromEnv(), { tenantId, id: params.id, patch: body }),
  }),
  defineOperation({
    method: "delete",
    path: "/api/v1/numbers/{id}",
    operationId: "deleteNumber",
    tag: "Numbers",
    summary: "Delete a number",
    description: "Only while nothing refers to it; otherwise deactivate it (PATCH `active: false`): it then sends nothing and keeps its history.",
    role: "manager",
    responses: [{ status: 204, description: "Deleted" }],
    errors: [
      {
        status: 409,
        code: "conflict",
        message: "This number has 12 subscribers, so it cannot be deleted. Deactivate it instead: it will send nothing and keep its history.",
      },
    ],
    handler: async ({ db, tenantId, params }) => {
      await deleteNumber(db, { tenantId, id: params.id });
      return new Response(null, { status: 204 });
    },
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/numbers/{id}/check",
    operationId: "checkNumber",
    tag: "Numbers",
    summary: "Test a number's connection",
    description:
      "Tests the connection now and stores the outcome: verified name, quality rating and messaging tier, or Meta's error verbatim (code, subcode, fbtrace_id) with a hint.",
    role: "manager",
    responses: [{ status: 200, description: "The number and the connection test (a failed test is still a 200: see `check`)", schema: checkedNumberSchema }],
    handler: async ({ db, tenantId, params }) => recheckNumber(db, numberDepsFromEnv(), { tenantId, id: params.id }),
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/numbers/{id}/dataset",
    operationId: "getNumberDataset",
    tag: "Numbers",
    summary: "Fetch the number's dataset",
    description: "Reads the WhatsApp Business Account's Conversions API dataset from Meta and stores its id on the number (conversions need it).",
    role: "manager",
    responses: [{ status: 200, description: "The dataset id (null when the WABA has none yet)", schema: datasetResultSchema }],
    errors: datasetErrors("return"),
    handler: async ({ db, tenantId, params }) => syncNumberDataset(db, conversionDepsFromEnv(), { tenantId, numberId: params.id, create: false }),
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/numbers/{id}/dataset",
    operationId: "createNumberDataset",
    tag: "Numbers",
    summary: "Create the number's dataset",
    description: "Creates the WABA's Conversions API dataset (Meta returns the existing one if there is one) and stores its id on the number.",
    role: "manager",
    responses: [{ status: 200, description: "The dataset id", schema: datasetResultSchema }],
    errors: datasetErrors("create"),
    handler: async ({ db, tenantId, params }) => syncNumberDataset(db, conversionDepsFromEnv(), { tenantId, numberId: params.id, create: true }),
  }),
];

export const webhookEventOperations: ApiOperation[] = [
  defineOperation({
    method: "get",
    path: "/api/v1/webhook-events",
    operationId: "listWebhookEvents",
    tag: "Webhook events",
    summary: "List webhook events",
    description:
      "Stored deliveries, newest first, keyset-paginated, without raw bodies (status, timing and a size summary). Events for Phone Number IDs no number claims yet are kept but listed to nobody.",
    query: [webhookEventFiltersSchema],
    queryNotes: { status: "Processing status", provider: "Who sent it", numberId: "Only this number's events", ...pageNotes },
    responses: [{ status: 200, description: "One page of events", schema: pageOf(webhookEventSummarySchema) }],
    handler: async ({ db, tenantId, query }) => listWebhookEventsPage(db, { tenantId, ...query }),
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/webhook-events/{id}",
    operationId: "getWebhookEvent",
    tag: "Webhook events",
    summary: "Get a webhook event",
    description:
      "One delivery with its raw body, a pretty-printed copy, the kept headers and a parsed overview of its items. `rawBodyKind` says what `rawBody` holds: `exact` (the body as received), `tenant_copy` (a delivery that also named other workspaces' numbers: only this workspace's entries) or `prefix` (the first 4 KiB of a refused body); `bodySha256` is the SHA-256 of the whole body received and `refusedPhoneNumberIds` the Phone Number IDs it named whose number's app secret did not verify it. `bodyFormat` is `json`, `text` (not JSON: `prettyBody` is null) or `deep_json` (JSON nested more than 100 levels deep: shown only as received, `prettyBody` is null). Needs a manager: bodies hold customers' messages.",
    role: "manager",
    responses: [{ status: 200, description: "The event", schema: webhookEventDetailSchema }],
    handler: async ({ db, tenantId, params }) => getWebhookEventDetail(db, { tenantId, id: params.id }),
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/webhook-events/{id}/replay",
    operationId: "replayWebhookEvent",
    tag: "Webhook events",
    summary: "Replay a webhook event",
    description: "Processes a stored delivery again now. Applying it twice changes nothing (messages are unique by wamid, statuses never move backwards).",
    role: "manager",
    responses: [{ status: 200, description: "The outcome", schema: replayOutcomeSchema }],
    errors: [{ status: 409, code: "conflict", message: "This event failed its signature check and is never processed." }],
    handler: async ({ db, tenantId, params }) => {
      const outcome = await replayTenantWebhookEvent(db, { tenantId, id: params.id, now: new Date() });
      return { id: outcome.id, status: outcome.status, error: outcome.error };
    },
  }),
];
