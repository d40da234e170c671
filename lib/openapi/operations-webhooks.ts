// Outgoing webhooks (issue 22): the admins' endpoints, their deliveries and attempts, resending, the event types.
import { z } from "zod";
import { DELIVERY_STATUSES, OUTGOING_EVENT_TYPES } from "@/db/schema";
import { pageParamsSchema } from "@/lib/pagination";
import {
  ALL_EVENTS,
  createEndpoint,
  deleteEndpoint,
  type EndpointWithSecret,
  endpointInputSchema,
  endpointKeysFromEnv,
  endpointPatchSchema,
  getEndpoint,
  listAttemptsPage,
  listDeliveriesPage,
  listEndpointsPage,
  listEventTypes,
  type PublicAttempt,
  type PublicDelivery,
  type PublicWebhookEndpoint,
  type ResentDelivery,
  resendDelivery,
  rotateEndpointSecret,
  updateEndpoint,
} from "@/lib/webhooks-out/endpoints";
import { type ApiOperation, defineOperation, type ErrorSpec } from "./registry";
import { type Equal, type Jsonified, pageOf } from "./schemas";

const uuid = z.uuid();
const isoTime = z.string().meta({ format: "date-time" });
const pageNotes = { cursor: "`nextCursor` of the previous page; omit for the first page", limit: "Rows per page" };
const TAG = "Outgoing webhooks" as const;

/** How a receiver checks what we send: in every operation's description that deals with secrets or deliveries. */
export const SIGNATURE_RECIPE = [
  '**What is sent.** Each event is POSTed as JSON `{ id, type, createdAt, workspaceId, data }` to every enabled endpoint subscribed to its type, with the headers `Clicktrail-Event-Id: <id>`, `Clicktrail-Event-Type: <type>` and `Clicktrail-Signature: t=<unix seconds>,v1=<hex>`, where the hex is HMAC-SHA256 keyed with the endpoint\'s secret (the whole `whsec_…` string) over `t + "." + <the raw body>`. For 24 hours after a rotation the header carries a second `v1=` made with the previous secret: accept the delivery when any `v1` matches.',
  "**Delivery.** At least once, within 10 seconds per try: a 5xx, 408, 429 (its Retry-After is honoured), a timeout or a connection error is retried with growing backoff for about 25 hours; any other answer (a redirect, another 4xx) fails the delivery at once. The same event can therefore arrive more than once: dedupe by `Clicktrail-Event-Id`. The deliveries of one subscriber arrive in order. An endpoint whose deliveries keep failing for 24 hours is switched off (`status: disabled`, with `disabledReason`) and its deliveries wait until an admin switches it back on. Redirects are not followed, and only public hosts are called.",
].join("\n\n");

const eventTypesOut = z.array(z.string()).meta({ description: 'The event types it receives; `["*"]`: all of them, including types added later' });

export const webhookEndpointSchema = z
  .object({
    id: uuid,
    url: z.string(),
    description: z.string().nullable(),
    eventTypes: eventTypesOut,
    enabled: z.boolean(),
    status: z.enum(["healthy", "failing", "disabled", "off"]).meta({
      description:
        "`healthy`; `failing` (deliveries fail since `failingSince`); `disabled`: switched off after failing for a day (see `disabledReason`); `off`: switched off by an admin",
    }),
    secretHint: z.string().nullable().meta({ description: "`•••• 1a2b`: the secret's last characters (null when it cannot be read: rotate it)" }),
    previousSecretExpiresAt: isoTime.nullable().meta({ description: "After a rotation: until when the previous secret still signs deliveries" }),
    failingSince: isoTime.nullable(),
    disabledAt: isoTime.nullable(),
    disabledReason: z.string().nullable().meta({ description: "Why it was switched off, in words for the admins" }),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .meta({ id: "WebhookEndpoint", description: "An endpoint that receives outgoing webhooks. Its secret is never returned after the answer that made it." });
const _endpointIsExact: Equal<z.output<typeof webhookEndpointSchema>, Jsonified<PublicWebhookEndpoint>> = true;

export const webhookEndpointWithSecretSchema = z
  .object({
    ...webhookEndpointSchema.shape,
    secret: z.string().meta({ description: "`whsec_…`: the signing secret, shown only in this answer. Store it now." }),
  })
  .meta({ id: "WebhookEndpointWithSecret" });
const _withSecretIsExact: Equal<z.output<typeof webhookEndpointWithSecretSchema>, Jsonified<EndpointWithSecret>> = true;

export const webhookDeliverySchema = z
  .object({
    id: uuid,
    endpointId: uuid,
    eventId: uuid.meta({ description: "The event's id (`Clicktrail-Event-Id`), the same for every endpoint and every retry" }),
    eventType: z.enum(OUTGOING_EVENT_TYPES),
    status: z.enum(DELIVERY_STATUSES).meta({ description: "`pending` (due at `nextAttemptAt`), `delivering`, `succeeded` (a 2xx) or `failed` (given up)" }),
    attempts: z.number().int().meta({ description: "Tries in the current series (a resend starts a new one)" }),
    nextAttemptAt: isoTime.meta({ description: "When a pending delivery is tried next" }),
    lastAttemptAt: isoTime.nullable(),
    lastStatusCode: z.number().int().nullable().meta({ description: "The HTTP status of the last try (null: no answer)" }),
    lastError: z.string().nullable().meta({ description: "What went wrong with the last try (timeout, refused address, …)" }),
    deliveredAt: isoTime.nullable(),
    createdAt: isoTime,
  })
  .meta({ id: "WebhookDelivery", description: "One event to one endpoint" });
const _deliveryIsExact: Equal<z.output<typeof webhookDeliverySchema>, Jsonified<PublicDelivery>> = true;

export const webhookAttemptSchema = z
  .object({
    id: uuid,
    deliveryId: uuid,
    eventId: uuid,
    eventType: z.enum(OUTGOING_EVENT_TYPES),
    attemptedAt: isoTime,
    statusCode: z.number().int().nullable().meta({ description: "The endpoint's HTTP status (null: no answer)" }),
    latencyMs: z.number().int(),
    responseSnippet: z.string().nullable().meta({ description: "The start of the answer's body (up to 1 KiB)" }),
    error: z.string().nullable().meta({ description: "Why there was no usable answer (timeout, connection refused, blocked address, redirect)" }),
  })
  .meta({ id: "WebhookAttempt", description: "One HTTP request of a delivery" });
const _attemptIsExact: Equal<z.output<typeof webhookAttemptSchema>, Jsonified<PublicAttempt>> = true;

const resentSchema = z.object({ id: uuid, status: z.literal("pending"), nextAttemptAt: isoTime }).meta({ id: "ResentWebhookDelivery" });
const _resentIsExact: Equal<z.output<typeof resentSchema>, Jsonified<ResentDelivery>> = true;

const eventTypesSchema = z.object({
  rows: z.array(z.object({ type: z.enum(OUTGOING_EVENT_TYPES), description: z.string() })),
});

const endpointExample = {
  id: "5b0f5a3e-7c1d-4f8e-9a51-2f0c1b9d8e77",
  url: "https://crm.example.com/hooks/clicktrail",
  description: "CRM",
  eventTypes: ["lead.created", "conversion.sent"],
  enabled: true,
  status: "healthy",
  secretHint: "•••• Q2xk",
  previousSecretExpiresAt: null,
  failingSince: null,
  disabledAt: null,
  disabledReason: null,
  createdAt: "2026-12-07T09:20:00.000Z",
  updatedAt: "2026-12-07T09:20:00.000Z",
};
const secretExample = "whsec_3q2-7wAAAAC0b1e9Yb8xQ2xk3q2-7wAAAAC0b1e9Yb8";

const urlRefused: ErrorSpec = {
  status: 422,
  code: "webhook_url_refused",
  message: "Webhook URL refused: 127.0.0.1 is a loopback address. Use an https URL on a public host.",
};
const inputNotes = {
  url: "https on a public host (checked after DNS: no loopback, private, link-local or metadata addresses), no user name or password, at most 2048 characters; the operator may allow other hosts (WEBHOOK_OUT_HOSTS)",
  eventTypes: `Any of ${OUTGOING_EVENT_TYPES.map((t) => `\`${t}\``).join(", ")}; or \`["${ALL_EVENTS}"]\` for all (GET /api/v1/webhook-event-types describes each)`,
};

export const outgoingWebhookOperations: ApiOperation[] = [
  defineOperation({
    method: "get",
    path: "/api/v1/webhook-event-types",
    operationId: "listWebhookEventTypes",
    tag: TAG,
    summary: "List event types",
    description: `The event types an endpoint can subscribe to, each with what it means.\n\n${SIGNATURE_RECIPE}`,
    role: "admin",
    responses: [
      {
        status: 200,
        description: "Every event type",
        schema: eventTypesSchema,
        example: { rows: [{ type: "lead.created", description: "A lead was created (website form, API or console)" }] },
      },
    ],
    handler: async () => listEventTypes(),
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/webhook-endpoints",
    operationId: "listWebhookEndpoints",
    tag: TAG,
    summary: "List webhook endpoints",
    description: "The workspace's endpoints, newest first, keyset-paginated, with their health. Secrets are never returned (only their last characters).",
    role: "admin",
    query: [pageParamsSchema],
    queryNotes: pageNotes,
    responses: [
      { status: 200, description: "One page of endpoints", schema: pageOf(webhookEndpointSchema), example: { rows: [endpointExample], nextCursor: null } },
    ],
    handler: async ({ db, tenantId, query }) => listEndpointsPage(db, endpointKeysFromEnv(), { tenantId, ...query }),
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/webhook-endpoints",
    operationId: "createWebhookEndpoint",
    tag: TAG,
    summary: "Add a webhook endpoint",
    description: `Stores an endpoint (at most 20 per workspace) with a new signing secret, which this answer carries once (\`secret\`); it is stored encrypted and never shown again (rotate it to get a new one).\n\n${SIGNATURE_RECIPE}`,
    role: "admin",
    body: endpointInputSchema,
    bodyNotes: inputNotes,
    bodyExample: { url: "https://crm.example.com/hooks/clicktrail", description: "CRM", eventTypes: ["lead.created", "conversion.sent"] },
    responses: [
      {
        status: 201,
        description: "Added; `secret` is shown only now",
        schema: webhookEndpointWithSecretSchema,
        example: { ...endpointExample, secret: secretExample },
      },
    ],
    errors: [urlRefused, { status: 422, code: "too_many_endpoints", message: "A workspace has at most 20 webhook endpoints: delete one first" }],
    handler: async ({ db, tenantId, body }) => createEndpoint(db, endpointKeysFromEnv(), { tenantId, input: body, now: new Date() }),
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/webhook-endpoints/{id}",
    operationId: "getWebhookEndpoint",
    tag: TAG,
    summary: "Get a webhook endpoint",
    description: "One endpoint with its health; never its secret.",
    role: "admin",
    responses: [{ status: 200, description: "The endpoint", schema: webhookEndpointSchema, example: endpointExample }],
    handler: async ({ db, tenantId, params }) => getEndpoint(db, endpointKeysFromEnv(), { tenantId, id: params.id }),
  }),
  defineOperation({
    method: "patch",
    path: "/api/v1/webhook-endpoints/{id}",
    operationId: "updateWebhookEndpoint",
    tag: TAG,
    summary: "Update a webhook endpoint",
    description:
      "Any of `url`, `description`, `eventTypes`, `enabled`. A new URL is checked like on creation. `enabled: true` on an endpoint that was switched off (by an admin or after failing) clears `disabledReason` and the failing streak, and its pending deliveries are tried again at once.",
    role: "admin",
    body: endpointPatchSchema,
    bodyNotes: inputNotes,
    bodyExample: { enabled: true },
    responses: [{ status: 200, description: "The endpoint", schema: webhookEndpointSchema, example: endpointExample }],
    errors: [urlRefused],
    handler: async ({ db, tenantId, params, body }) => updateEndpoint(db, endpointKeysFromEnv(), { tenantId, id: params.id, patch: body, now: new Date() }),
  }),
  defineOperation({
    method: "delete",
    path: "/api/v1/webhook-endpoints/{id}",
    operationId: "deleteWebhookEndpoint",
    tag: TAG,
    summary: "Delete a webhook endpoint",
    description: "Deletes the endpoint with its deliveries and their attempts; nothing more is sent to it.",
    role: "admin",
    responses: [{ status: 204, description: "Deleted" }],
    handler: async ({ db, tenantId, params }) => {
      await deleteEndpoint(db, { tenantId, id: params.id });
      return new Response(null, { status: 204 });
    },
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/webhook-endpoints/{id}/rotate-secret",
    operationId: "rotateWebhookEndpointSecret",
    tag: TAG,
    summary: "Rotate the signing secret",
    description: `A new secret, carried once by this answer. The previous one keeps signing deliveries (as a second \`v1=\`) for 24 hours (\`previousSecretExpiresAt\`), so the receiver can switch over without losing events; rotating again within those 24 hours ends the older one at once.\n\n${SIGNATURE_RECIPE}`,
    role: "admin",
    responses: [
      {
        status: 200,
        description: "The endpoint and its new `secret` (shown only now)",
        schema: webhookEndpointWithSecretSchema,
        example: { ...endpointExample, previousSecretExpiresAt: "2026-12-08T09:20:00.000Z", secret: secretExample },
      },
    ],
    handler: async ({ db, tenantId, params }) => rotateEndpointSecret(db, endpointKeysFromEnv(), { tenantId, id: params.id, now: new Date() }),
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/webhook-endpoints/{id}/deliveries",
    operationId: "listWebhookDeliveries",
    tag: TAG,
    summary: "List an endpoint's deliveries",
    description: `The events sent (or to be sent) to this endpoint, newest first, keyset-paginated, each with its status, tries and the last answer.\n\n${SIGNATURE_RECIPE}`,
    role: "admin",
    query: [pageParamsSchema],
    queryNotes: pageNotes,
    responses: [{ status: 200, description: "One page of deliveries", schema: pageOf(webhookDeliverySchema) }],
    handler: async ({ db, tenantId, params, query }) => listDeliveriesPage(db, { tenantId, endpointId: params.id, ...query }),
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/webhook-endpoints/{id}/attempts",
    operationId: "listWebhookAttempts",
    tag: TAG,
    summary: "List an endpoint's attempts",
    description:
      "Every HTTP request made to this endpoint, newest first, keyset-paginated: when, the status code, the latency, the start of the answer, or why there was none.",
    role: "admin",
    query: [pageParamsSchema],
    queryNotes: pageNotes,
    responses: [{ status: 200, description: "One page of attempts", schema: pageOf(webhookAttemptSchema) }],
    handler: async ({ db, tenantId, params, query }) => listAttemptsPage(db, { tenantId, endpointId: params.id, ...query }),
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/webhook-deliveries/{id}/resend",
    operationId: "resendWebhookDelivery",
    tag: TAG,
    summary: "Resend a delivery",
    description:
      "Sends the delivery again now as a new series of tries, whatever its status (a succeeded one too: the receiver dedupes by `Clicktrail-Event-Id`). Resending twice before it is sent queues it once.",
    role: "admin",
    responses: [
      {
        status: 202,
        description: "Queued",
        schema: resentSchema,
        example: { id: "0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b", status: "pending", nextAttemptAt: "2026-12-07T09:20:00.000Z" },
      },
    ],
    errors: [
      { status: 409, code: "delivery_in_progress", message: "This delivery is being sent right now: wait for the attempt to finish" },
      { status: 409, code: "endpoint_disabled", message: "The endpoint is switched off: switch it back on before resending" },
    ],
    handler: async ({ db, tenantId, params }) => resendDelivery(db, { tenantId, id: params.id, now: new Date() }),
  }),
];
