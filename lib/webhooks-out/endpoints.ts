// Outgoing webhooks, the admins' side (issue 22): endpoints (URL, description, event types, on/off) each with its
// own signing secret, sealed with ENCRYPTION_KEY and shown only in the answer that made it (create, rotate); the
// endpoint's deliveries and attempts; resending one. A URL is checked when saved like the Green API URL is: https,
// no credentials, public addresses only after DNS, unless the operator lists the host in WEBHOOK_OUT_HOSTS (the
// delivery engine checks again at every connection and never follows a redirect).
import { randomBytes } from "node:crypto";
import net from "node:net";
import { z } from "zod";
import type { Db } from "@/db/client";
import {
  countWebhookEndpoints,
  deleteWebhookEndpoint,
  getWebhookDeliveryForResend,
  getWebhookEndpoint,
  insertWebhookEndpoint,
  listEndpointAttempts,
  listEndpointDeliveries,
  listWebhookEndpoints,
  lockTenantForEndpoints,
  requeueWebhookDelivery,
  updateWebhookEndpoint,
  type WebhookAttemptListRow,
  type WebhookDeliveryListRow,
  type WebhookEndpointChanges,
} from "@/db/queries/webhook-endpoints";
import { OUTGOING_EVENT_TYPES, type OutgoingEventType, type WebhookEndpoint } from "@/db/schema";
import { encryptSecret, openSecret, secretHint } from "@/lib/crypto";
import { checkEgressTarget, checkEgressUrl } from "@/lib/egress";
import { getEnv } from "@/lib/env";
import { AppError, notFound } from "@/lib/errors";
import { decodeCursor, type Page, type PageParams, toPage } from "@/lib/pagination";
import { type WebhookEgress, webhookEgressPolicy, webhookUrlRefusal } from "./deliver";
import { kickDeliveries } from "./kick";

/** A workspace keeps at most this many endpoints. */
export const WEBHOOK_ENDPOINTS_MAX = 20;
export const WEBHOOK_URL_MAX = 2048;
/** After a rotation the previous secret still verifies for this long, so receivers can roll over. */
export const PREVIOUS_SECRET_VALID_MS = 24 * 60 * 60 * 1000;
/** `eventTypes: ["*"]`: every event type, including ones added later. */
export const ALL_EVENTS = "*";

/** What each event type means, in one line (GET /api/v1/webhook-event-types and the console's checkboxes). */
export const OUTGOING_EVENT_DESCRIPTIONS: Record<OutgoingEventType, string> = {
  "subscriber.created": "Someone wrote to one of your numbers for the first time (with the ad that brought them, when there was one)",
  "message.received": "A subscriber sent a message",
  "conversation.started": "A conversation started: the first message of a chat, or the first after a long silence or from a new ad click",
  "subscriber.opted_out": "A subscriber asked to receive no more messages",
  "subscriber.opted_in": "A subscriber who had opted out opted back in",
  "lead.created": "A lead was created (website form, API or console)",
  "lead.enrolled": "A lead was enrolled in the drip",
  "lead.stopped": "A lead's drip stopped (a reply, a conversion, an opt-out or by hand)",
  "conversion.sent": "Meta accepted a conversion",
  "conversion.rejected": "Meta refused a conversion",
  "outbound.failed": "A drip message or a reply could not be sent",
};

export const listEventTypes = () => ({ rows: OUTGOING_EVENT_TYPES.map((type) => ({ type, description: OUTGOING_EVENT_DESCRIPTIONS[type] })) });

const eventTypesSchema = z
  .array(z.enum([ALL_EVENTS, ...OUTGOING_EVENT_TYPES]))
  .min(1, "Choose at least one event type, or * for all")
  .max(OUTGOING_EVENT_TYPES.length + 1)
  .transform((list): string[] => (list.includes(ALL_EVENTS) ? [ALL_EVENTS] : OUTGOING_EVENT_TYPES.filter((t) => list.includes(t))))
  .meta({ description: 'Event types to receive; `["*"]` for all of them, including types added later' });
const urlSchema = z.string().trim().min(1, "Enter the URL").max(WEBHOOK_URL_MAX, `At most ${WEBHOOK_URL_MAX} characters`);
const descriptionSchema = z
  .string()
  .trim()
  .max(200, "At most 200 characters")
  .nullable()
  .transform((v) => (v ? v : null));

export const endpointInputSchema = z.strictObject({
  url: urlSchema.meta({ description: "Where events are POSTed: https, a public host, at most 2048 characters, no user name or password" }),
  description: descriptionSchema.optional().meta({ description: "At most 200 characters" }),
  eventTypes: eventTypesSchema,
  enabled: z.boolean().default(true).meta({ description: "Default: true" }),
});
export type EndpointInput = z.output<typeof endpointInputSchema>;

export const endpointPatchSchema = z
  .strictObject({
    url: urlSchema.optional(),
    description: descriptionSchema.optional(),
    eventTypes: eventTypesSchema.optional(),
    enabled: z.boolean().optional(),
  })
  .refine((p) => Object.values(p).some((v) => v !== undefined), "Give at least one field to change");
export type EndpointPatch = z.output<typeof endpointPatchSchema>;

export type EndpointEgress = WebhookEgress;
export type EndpointKeys = { encryptionKey: string; egress: EndpointEgress };

export function endpointKeysFromEnv(): EndpointKeys {
  const env = getEnv();
  return { encryptionKey: env.ENCRYPTION_KEY, egress: { trusted: env.WEBHOOK_OUT_HOSTS } };
}

/**
 * Why the server may not POST to this URL, or null when it may: the delivery's own rules (webhookUrlRefusal: https,
 * no credentials, no private literal or localhost, unless the operator lists the host), the length, and every
 * address the name resolves to now (the delivery checks them again at every connection).
 */
export async function endpointUrlRefusal(raw: string, egress: EndpointEgress): Promise<string | null> {
  if (raw.length > WEBHOOK_URL_MAX) return `the URL is longer than ${WEBHOOK_URL_MAX} characters`;
  const refusal = webhookUrlRefusal(raw, egress);
  if (refusal) return refusal;
  if (checkEgressUrl(raw, { provider: [], trusted: egress.trusted }).ok) return null; // a host the operator listed
  const url = new URL(raw); // readable: webhookUrlRefusal said so
  if (net.isIP(url.hostname.replace(/^\[|\]$/g, "")) !== 0) return null; // a public address literal: nothing to resolve
  // egress's check after DNS, with this host as the one allowed name (its port was allowed above, so it sees the host alone)
  const verdict = await checkEgressTarget(`https://${url.hostname}/`, webhookEgressPolicy(raw, egress));
  return verdict.ok ? null : verdict.reason;
}

async function assertEndpointUrl(raw: string, egress: EndpointEgress): Promise<void> {
  const why = await endpointUrlRefusal(raw, egress);
  if (!why) return;
  const message = `Webhook URL refused: ${why}. Use an https URL on a public host.`;
  throw new AppError("unprocessable", message, { fieldErrors: { url: [message] } }, "webhook_url_refused");
}

/** healthy; failing (since `failingSince`); disabled: switched off after failing (`disabledReason`); off: switched off by an admin. */
export type EndpointStatus = "healthy" | "failing" | "disabled" | "off";

export type PublicWebhookEndpoint = {
  id: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  enabled: boolean;
  status: EndpointStatus;
  secretHint: string | null;
  previousSecretExpiresAt: Date | null;
  failingSince: Date | null;
  disabledAt: Date | null;
  disabledReason: string | null;
  createdAt: Date;
  updatedAt: Date;
};

function endpointStatus(row: WebhookEndpoint): EndpointStatus {
  if (!row.enabled) return row.disabledAt ? "disabled" : "off";
  return row.failingSince ? "failing" : "healthy";
}

/** The endpoint as the console and the API show it: never the secret, only its last characters. */
export function toPublicEndpoint(row: WebhookEndpoint, keys: Pick<EndpointKeys, "encryptionKey">): PublicWebhookEndpoint {
  const secret = openSecret(row.secretEnc, keys.encryptionKey);
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: row.eventTypes,
    enabled: row.enabled,
    status: endpointStatus(row),
    secretHint: secret ? secretHint(secret) : null,
    previousSecretExpiresAt: row.previousSecretExpiresAt,
    failingSince: row.failingSince,
    disabledAt: row.disabledAt,
    disabledReason: row.disabledReason,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** `whsec_` and 32 random bytes (base64url). */
export const newEndpointSecret = () => `whsec_${randomBytes(32).toString("base64url")}`;

export type EndpointWithSecret = PublicWebhookEndpoint & { secret: string };

/** Stores an endpoint (at most WEBHOOK_ENDPOINTS_MAX per workspace); the answer carries its secret, the only time it is shown. */
export async function createEndpoint(db: Db, keys: EndpointKeys, { tenantId, input, now }: { tenantId: string; input: EndpointInput; now: Date }) {
  await assertEndpointUrl(input.url, keys.egress);
  const secret = newEndpointSecret();
  const row = await db.transaction(async (tx) => {
    await lockTenantForEndpoints(tx, { tenantId }); // creations of one workspace take turns, so the limit holds
    if ((await countWebhookEndpoints(tx, { tenantId })) >= WEBHOOK_ENDPOINTS_MAX) {
      throw new AppError(
        "unprocessable",
        `A workspace has at most ${WEBHOOK_ENDPOINTS_MAX} webhook endpoints: delete one first`,
        undefined,
        "too_many_endpoints",
      );
    }
    return insertWebhookEndpoint(tx, {
      tenantId,
      url: input.url,
      description: input.description ?? null,
      eventTypes: input.eventTypes,
      enabled: input.enabled,
      secretEnc: encryptSecret(secret, keys.encryptionKey),
      createdAt: now,
      updatedAt: now,
    });
  });
  return { ...toPublicEndpoint(row, keys), secret } satisfies EndpointWithSecret;
}

export async function requireEndpointRow(db: Db, key: { tenantId: string; id: string }): Promise<WebhookEndpoint> {
  const row = z.uuid().safeParse(key.id).success ? await getWebhookEndpoint(db, key) : null;
  if (!row) throw notFound("Webhook endpoint");
  return row;
}

export async function getEndpoint(db: Db, keys: EndpointKeys, key: { tenantId: string; id: string }): Promise<PublicWebhookEndpoint> {
  return toPublicEndpoint(await requireEndpointRow(db, key), keys);
}

export async function listEndpointsPage(db: Db, keys: EndpointKeys, { tenantId, cursor, limit }: { tenantId: string } & PageParams) {
  const rows = await listWebhookEndpoints(db, { tenantId, cursor: cursor ? decodeCursor(cursor) : undefined, limit });
  const page = toPage(rows, limit, (r) => ({ at: r.createdAt, id: r.id }));
  return { rows: page.rows.map((r) => toPublicEndpoint(r, keys)), nextCursor: page.nextCursor };
}

/**
 * Changes any of url, description, eventTypes, enabled. A new URL is checked and starts with no failing streak;
 * switching an endpoint back on clears why it was switched off and nudges the delivery loop.
 */
export async function updateEndpoint(
  db: Db,
  keys: EndpointKeys,
  { tenantId, id, patch, now }: { tenantId: string; id: string; patch: EndpointPatch; now: Date },
): Promise<PublicWebhookEndpoint> {
  const current = await requireEndpointRow(db, { tenantId, id });
  const changes: WebhookEndpointChanges = { updatedAt: now };
  if (patch.url !== undefined && patch.url !== current.url) {
    await assertEndpointUrl(patch.url, keys.egress);
    Object.assign(changes, { url: patch.url, failingSince: null });
  }
  if (patch.description !== undefined) changes.description = patch.description;
  if (patch.eventTypes !== undefined) changes.eventTypes = patch.eventTypes;
  const reenabled = patch.enabled === true && !current.enabled;
  if (patch.enabled !== undefined) changes.enabled = patch.enabled;
  if (reenabled) Object.assign(changes, { disabledAt: null, disabledReason: null, failingSince: null });
  const row = await updateWebhookEndpoint(db, { tenantId, id }, changes);
  if (!row) throw notFound("Webhook endpoint");
  if (reenabled) kickDeliveries(); // its pending deliveries are due again
  return toPublicEndpoint(row, keys);
}

export async function deleteEndpoint(db: Db, key: { tenantId: string; id: string }): Promise<void> {
  if (!z.uuid().safeParse(key.id).success || !(await deleteWebhookEndpoint(db, key))) throw notFound("Webhook endpoint");
}

/**
 * A new secret, answered once. The one it replaces keeps verifying (deliveries are signed with both) for
 * PREVIOUS_SECRET_VALID_MS, so receivers can switch without losing events.
 */
export async function rotateEndpointSecret(db: Db, keys: EndpointKeys, { tenantId, id, now }: { tenantId: string; id: string; now: Date }) {
  const current = await requireEndpointRow(db, { tenantId, id });
  const secret = newEndpointSecret();
  const row = await updateWebhookEndpoint(
    db,
    { tenantId, id },
    {
      secretEnc: encryptSecret(secret, keys.encryptionKey),
      previousSecretEnc: current.secretEnc,
      previousSecretExpiresAt: new Date(now.getTime() + PREVIOUS_SECRET_VALID_MS),
      updatedAt: now,
    },
  );
  if (!row) throw notFound("Webhook endpoint");
  return { ...toPublicEndpoint(row, keys), secret } satisfies EndpointWithSecret;
}

export type PublicDelivery = WebhookDeliveryListRow;
export type PublicAttempt = WebhookAttemptListRow;

export async function listDeliveriesPage(
  db: Db,
  { tenantId, endpointId, cursor, limit }: { tenantId: string; endpointId: string } & PageParams,
): Promise<Page<PublicDelivery>> {
  await requireEndpointRow(db, { tenantId, id: endpointId });
  const rows = await listEndpointDeliveries(db, { tenantId, endpointId, cursor: cursor ? decodeCursor(cursor) : undefined, limit });
  return toPage(rows, limit, (r) => ({ at: r.createdAt, id: r.id }));
}

export async function listAttemptsPage(
  db: Db,
  { tenantId, endpointId, cursor, limit }: { tenantId: string; endpointId: string } & PageParams,
): Promise<Page<PublicAttempt>> {
  await requireEndpointRow(db, { tenantId, id: endpointId });
  const rows = await listEndpointAttempts(db, { tenantId, endpointId, cursor: cursor ? decodeCursor(cursor) : undefined, limit });
  return toPage(rows, limit, (r) => ({ at: r.attemptedAt, id: r.id }));
}

export type ResentDelivery = { id: string; status: "pending"; nextAttemptAt: Date };

/**
 * Sends a delivery again as a fresh series of tries, due now, whatever its state (a success too: the receiver
 * dedupes by event id), except while a run is delivering it (409 delivery_in_progress) or its endpoint is off
 * (409 endpoint_disabled). Resending twice queues it once.
 */
export async function resendDelivery(db: Db, { tenantId, id, now }: { tenantId: string; id: string; now: Date }): Promise<ResentDelivery> {
  const delivery = z.uuid().safeParse(id).success ? await getWebhookDeliveryForResend(db, { tenantId, id }) : null;
  if (!delivery) throw notFound("Delivery");
  if (!delivery.endpointEnabled) {
    throw new AppError("conflict", "The endpoint is switched off: switch it back on before resending", undefined, "endpoint_disabled");
  }
  const inProgress = () => new AppError("conflict", "This delivery is being sent right now: wait for the attempt to finish", undefined, "delivery_in_progress");
  if (delivery.status === "delivering") throw inProgress();
  const row = await requeueWebhookDelivery(db, { tenantId, id, now });
  if (!row) throw inProgress(); // claimed between the read and the update
  kickDeliveries();
  return { id: row.id, status: "pending", nextAttemptAt: row.nextAttemptAt };
}
