// Connected numbers (with their datasets) and the stored webhook events.
import { z } from "zod";
import { apiKeyNameSchema, createUserSchema, updateUserSchema } from "@/lib/accounts/schemas";
import { CONVERSION_EVENT_NAMES, conversionRequestSchema } from "@/lib/conversions/schema";
import { conversionFiltersSchema } from "@/lib/conversions/read";
import { createNumberSchema, numberPatchSchema, numberUpdateSchema } from "@/lib/numbers/schemas";
import { pageParamsSchema } from "@/lib/pagination";
import { attributionFormatSchema, attributionParamsSchema } from "@/lib/subscribers/attribution";
import { subscriberFiltersSchema } from "@/lib/subscribers/list-filters";
import { subscriberPatchSchema } from "@/lib/subscribers/manage";
import { webhookEventFiltersSchema } from "@/lib/webhook-events/list";
import { type ApiOperation, defineOperation } from "./registry";
import {
  conversionAcceptedSchema,
  conversionListItemSchema,
  conversionSchema,
  datasetResultSchema,
  looseObject,
  pageOf,
  principalSchema,
  replayOutcomeSchema,
  simulatorNumberSchema,
} from "./schemas";

const EXAMPLE_NUMBER_ID = "3f8b1c2e-5a4d-4e6f-9b7a-1c2d3e4f5a6b";
const EXAMPLE_CONVERSATION_ID = "8d2e6b1a-0c4f-4a7e-b3d5-9e8f7a6b5c4d";

const pageNotes = {
  cursor: "`nextCursor` of the previous page; omit for the first page",
  limit: "Rows per page",
};

const numberWithCheck = z.object({
  number: looseObject.meta({ description: "The number as GET /api/v1/numbers/{id} returns it (with its webhook set-up)" }),
  check: looseObject.meta({ description: "The connection test: status, Meta's verified name, quality rating and messaging tier, or Meta's error verbatim with a hint" }),
});

export const numberOperations: ApiOperation[] = [
  defineOperation({
    method: "get",
    path: "/api/v1/numbers",
    operationId: "listNumbers",
    tag: "Numbers",
    summary: "List numbers",
    description: "The workspace's WhatsApp numbers, keyset-paginated. Secrets are never returned (only whether they are set, and their last characters); the webhook set-up is included for managers and API keys.",
    query: [pageParamsSchema],
    queryNotes: pageNotes,
    responses: [{ status: 200, description: "One page of numbers", schema: pageOf(looseObject) }],
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/numbers",
    operationId: "connectNumber",
    tag: "Numbers",
    summary: "Connect a number",
    description: "Stores a number (secrets encrypted) and tests the connection at once (Meta: `GET /{phone-number-id}`; Green API: `getStateInstance`). Webhooks that arrived for its Phone Number ID before are processed now. The body's fields depend on `provider`.",
    role: "manager",
    body: createNumberSchema,
    bodyNotes: {
      phoneE164: "Any format with the country code; stored as E.164",
      accessToken: "A permanent System User access token (stored encrypted, never shown again)",
      verifyToken: "Default: generated",
      greenApiUrl: "Green API only: the API URL from the Green API console (`https://api.green-api.com` or `https://<id>.api.greenapi.com`); other hosts only when the operator lists them in GREEN_API_HOSTS",
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
    responses: [{ status: 201, description: "Connected; `check` is the outcome of the connection test", schema: numberWithCheck }],
    errors: [
      { status: 409, code: "conflict", message: "This Phone Number ID is already connected" },
      { status: 422, code: "green_api_url_refused", message: "Green API URL refused: 127.0.0.1 is a loopback address. Use the API URL shown in the Green API console (https://api.green-api.com or https://<id>.api.greenapi.com)" },
    ],
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/numbers/{id}",
    operationId: "getNumber",
    tag: "Numbers",
    summary: "Get a number",
    description: "One number, without secrets; the webhook set-up (callback URL, verify token, fields) for managers and API keys.",
    responses: [{ status: 200, description: "The number", schema: looseObject }],
  }),
  defineOperation({
    method: "patch",
    path: "/api/v1/numbers/{id}",
    operationId: "updateNumber",
    tag: "Numbers",
    summary: "Update a number",
    description: "Any subset of the fields of POST /api/v1/numbers; secrets left out are kept. The result is validated whole, and the connection is tested again when it changed. The provider cannot change.",
    role: "manager",
    body: numberPatchSchema,
    bodyTypesFrom: numberUpdateSchema,
    bodyExample: { label: "Sales (Berlin)", datasetId: "1234567890" },
    responses: [{ status: 200, description: "The number and the connection test", schema: numberWithCheck }],
    errors: [{ status: 409, code: "conflict", message: "This phone number is already connected" }],
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
    errors: [{ status: 409, code: "conflict", message: "This number has 12 subscribers, so it cannot be deleted. Deactivate it instead: it will send nothing and keep its history." }],
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/numbers/{id}/check",
    operationId: "checkNumber",
    tag: "Numbers",
    summary: "Test a number's connection",
    description: "Tests the connection now and stores the outcome: verified name, quality rating and messaging tier, or Meta's error verbatim (code, subcode, fbtrace_id) with a hint.",
    role: "manager",
    responses: [{ status: 200, description: "The number and the connection test (a failed test is still a 200: see `check`)", schema: numberWithCheck }],
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
    errors: [
      { status: 422, code: "number_not_cloud", message: "Datasets belong to a WhatsApp Business Account: only Cloud API numbers with a WABA id have one" },
      { status: 422, code: "token_unreadable", message: "The number's access token cannot be read: replace it on the number's page" },
      { status: 502, code: "graph_error", message: "Meta did not return the dataset: …" },
    ],
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
    errors: [
      { status: 422, code: "number_not_cloud", message: "Datasets belong to a WhatsApp Business Account: only Cloud API numbers with a WABA id have one" },
      { status: 422, code: "token_unreadable", message: "The number's access token cannot be read: replace it on the number's page" },
      { status: 502, code: "graph_error", message: "Meta did not create the dataset: …" },
    ],
  }),
];

export const webhookEventOperations: ApiOperation[] = [
  defineOperation({
    method: "get",
    path: "/api/v1/webhook-events",
    operationId: "listWebhookEvents",
    tag: "Webhook events",
    summary: "List webhook events",
    description: "Stored deliveries, newest first, keyset-paginated, without raw bodies (status, timing and a size summary). Events for Phone Number IDs no number claims yet are kept but listed to nobody.",
    query: [webhookEventFiltersSchema],
    queryNotes: { status: "Processing status", provider: "Who sent it", numberId: "Only this number's events", ...pageNotes },
    responses: [{ status: 200, description: "One page of events", schema: pageOf(looseObject) }],
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
    responses: [{ status: 200, description: "The event", schema: looseObject }],
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
    errors: [
      { status: 409, code: "conflict", message: "This event failed its signature check and is never processed." },
    ],
  }),
];
