// Subscribers and attribution.
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

export const subscriberOperations: ApiOperation[] = [
  defineOperation({
    method: "get",
    path: "/api/v1/subscribers",
    operationId: "listSubscribers",
    tag: "Subscribers",
    summary: "List subscribers",
    description: "The workspace's subscribers with the console's filters, keyset-paginated. `waPhone` or `userId` find one subscriber.",
    query: [subscriberFiltersSchema, pageParamsSchema],
    queryNotes: {
      q: "Search: a phone or WhatsApp id prefix (at least 3 digits, any format), or a name (at least 3 characters)",
      number: "Only subscribers of this number (its id)",
      status: "Subscriber status",
      lifecycle: "Lifecycle stage",
      source: "How their first conversation started: an ad click, a post, or organic",
      campaign: "Meta campaign id of their ad",
      ad: "Meta ad id",
      clickId: "`yes`: only subscribers with a Click-to-WhatsApp click id; `no`: only without",
      from: "First seen from this UTC day (YYYY-MM-DD)",
      to: "… through this UTC day (inclusive)",
      window: "`open`: the 24-hour customer service window is open (they wrote in the last 24 h)",
      sort: "`last_inbound`: most recent message first; `first_seen`: newest subscribers first",
      waPhone: "Exactly this phone (any format with its country code)",
      userId: "Exactly this WhatsApp user id",
      ...pageNotes,
    },
    responses: [{ status: 200, description: "One page of subscribers (seeds/000 field names, unix-ms timestamps, the ad that brought them, the marketing preference)", schema: pageOf(looseObject) }],
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/subscribers/export",
    operationId: "exportSubscribers",
    tag: "Subscribers",
    summary: "Export subscribers as CSV",
    description: "Exactly the rows GET /api/v1/subscribers would list for the same filters, streamed as one CSV download (any size).",
    query: [subscriberFiltersSchema],
    responses: [{ status: 200, description: "A CSV file (`subscribers-YYYY-MM-DD.csv`)", contentType: "text/csv", schema: z.string() }],
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/subscribers/{id}",
    operationId: "getSubscriber",
    tag: "Subscribers",
    summary: "Get a subscriber",
    description:
      "One subscriber (seeds/000 fields), their conversations with each ad referral, and the first and last touch. `marketingPreference` is the customer's own choice in WhatsApp (Meta's `user_preferences` webhook): `stop` (no drip message is queued or sent to them), `resume`, or null when they never changed it; `marketingPreferenceAt` is when they made it (unix ms).",
    responses: [{ status: 200, description: "The subscriber", schema: looseObject }],
  }),
  defineOperation({
    method: "patch",
    path: "/api/v1/subscribers/{id}",
    operationId: "updateSubscriber",
    tag: "Subscribers",
    summary: "Update a subscriber",
    description: "Sets the lifecycle stage, the tags (the whole list) or the status. Opting out cancels pending drip messages; only the subscriber can opt back in (by sending START).",
    body: subscriberPatchSchema,
    bodyNotes: { tags: "Replaces all tags; duplicates are merged case-insensitively", status: "`blocked` stops all sending; `opted_out` opts them out on their behalf" },
    bodyExample: { lifecycleState: "customer", tags: ["vip", "repeat"] },
    responses: [{ status: 200, description: "The subscriber after the change (as GET /api/v1/subscribers/{id})", schema: looseObject }],
    errors: [{ status: 409, code: "conflict", message: "This subscriber opted out. Only they can opt back in, by sending START to your number." }],
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/attribution",
    operationId: "getAttribution",
    tag: "Attribution",
    summary: "Attribution report",
    description: "For a range of whole UTC days (default: the last 30 days, at most a year): per campaign → ad set → ad, conversations, unique subscribers, conversions per event, value per currency and conversion rate; plus conversations per day by source. `campaign` or `ad` narrows all of it to that campaign's or ad's conversations. `format=csv` downloads the table.",
    query: [attributionParamsSchema, attributionFormatSchema],
    queryNotes: {
      from: "First day (UTC, YYYY-MM-DD)", to: "Last day (UTC, inclusive); default today", campaign: "Only the ads the ads cache files under this campaign id",
      ad: "Only this ad id", format: "`csv` for a download",
    },
    responses: [
      { status: 200, description: "The report as JSON, or as a CSV file with `format=csv`", schema: looseObject },
      { status: 200, description: "The report as JSON, or as a CSV file with `format=csv`", contentType: "text/csv", schema: z.string() },
    ],
  }),
];
