// Lifecycle stages report themselves to Meta (issue 23): the workspace maps stages to CAPI events
// (tenants.lifecycle_events); moving a subscriber to a mapped stage queues that event for their latest ad
// conversation, through the conversions pipeline (a conversion row with its CAPI job, as automatic.ts),
// once per subscriber, stage and conversation (the event id says which).
import { z } from "zod";
import type { Db } from "@/db/client";
import { cancelPendingDripForConversions, findConversionByEventId, insertConversionsIfAbsent } from "@/db/queries";
import {
  type LifecycleClickConversation,
  findLifecycleClickConversation,
  getTenantLifecycleEvents,
  updateTenantLifecycleEvents,
} from "@/db/queries/lifecycle-events";
import type { ConversionStatus } from "@/db/queries/conversions";
import { sha256Hex } from "@/lib/crypto";
import { convertedReason, emitDripStopped } from "@/lib/drip/stops";
import { AppError } from "@/lib/errors";
import { ATTRIBUTION_WINDOW_PASSED } from "./create";
import { CAPI_FORWARD_JOB, CAPI_MAX_ATTEMPTS } from "./deliver-policy";
import {
  EVENT_NEEDING_VALUE,
  LIFECYCLE_EVENT_STAGES,
  LIFECYCLE_STAGE_LABELS,
  type LifecycleEventStage,
  type LifecycleValue,
  lifecycleAmountSchema,
  lifecycleCurrencySchema,
} from "./lifecycle-schema";
import { ATTRIBUTION_WINDOW_MS, CONVERSION_EVENT_NAMES } from "./schema";

/** One stage's event as stored: an event Meta accepts for business messaging, and a default value with its currency. */
export const lifecycleEventSchema = z
  .strictObject({
    eventName: z.enum(CONVERSION_EVENT_NAMES, { error: `Choose one of ${CONVERSION_EVENT_NAMES.join(", ")} (the events Meta accepts for WhatsApp)` }),
    value: lifecycleAmountSchema.optional(),
    currency: lifecycleCurrencySchema.optional(),
  })
  .superRefine((e, ctx) => {
    if (e.eventName === EVENT_NEEDING_VALUE) {
      if (e.value === undefined) ctx.addIssue({ code: "custom", path: ["value"], message: "A Purchase needs a default value" });
      if (e.currency === undefined) ctx.addIssue({ code: "custom", path: ["currency"], message: "A Purchase needs a currency, e.g. USD" });
    } else if ((e.value === undefined) !== (e.currency === undefined)) {
      ctx.addIssue({ code: "custom", path: [e.value === undefined ? "value" : "currency"], message: "A value and its currency go together" });
    }
  });
export type LifecycleEvent = z.output<typeof lifecycleEventSchema>;

/** The whole map; `lead` (where everyone starts) cannot send an event. */
export const lifecycleEventsSchema = z.strictObject(
  Object.fromEntries(LIFECYCLE_EVENT_STAGES.map((s) => [s, lifecycleEventSchema.optional()])) as Record<
    LifecycleEventStage,
    z.ZodOptional<typeof lifecycleEventSchema>
  >,
  {
    error: (iss) => (iss.code === "unrecognized_keys" ? `Only ${LIFECYCLE_EVENT_STAGES.join(", ")} can send an event (everyone starts as a lead)` : undefined),
  },
);
export type LifecycleEvents = Partial<Record<LifecycleEventStage, LifecycleEvent>>;

/** The workspace's map; a stage whose stored entry no longer validates sends nothing (never a malformed event). */
export async function readLifecycleEvents(db: Db, { tenantId }: { tenantId: string }): Promise<LifecycleEvents> {
  const stored = await getTenantLifecycleEvents(db, { tenantId });
  const out: LifecycleEvents = {};
  for (const stage of LIFECYCLE_EVENT_STAGES) {
    const parsed = lifecycleEventSchema.safeParse(stored[stage]);
    if (parsed.success) out[stage] = parsed.data;
  }
  return out;
}

/** Replaces the map (a 422 with the fields' messages, keyed `stage.field`, when it does not validate). */
export async function saveLifecycleEvents(db: Db, { tenantId, input }: { tenantId: string; input: unknown }): Promise<LifecycleEvents> {
  const parsed = lifecycleEventsSchema.safeParse(input);
  if (!parsed.success) {
    const fieldErrors: Record<string, string[]> = {};
    for (const i of parsed.error.issues) (fieldErrors[i.path.join(".") || "root"] ??= []).push(i.message);
    throw new AppError("unprocessable", parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "), { fieldErrors });
  }
  const map = Object.fromEntries(Object.entries(parsed.data).filter(([, e]) => e !== undefined)) as LifecycleEvents;
  if (!(await updateTenantLifecycleEvents(db, { tenantId, map }))) throw new AppError("not_found", "Workspace not found");
  return map;
}

export const lifecycleEventId = ({ subscriberId, stage, conversationId }: { subscriberId: string; stage: string; conversationId: string }) =>
  `lifecycle:${subscriberId}:${stage}:${conversationId}`;

/** What a stage change did about Meta: the event queued (or already sent for this ad conversation), or why none was. */
export type LifecycleEventOutcome =
  | { stage: LifecycleEventStage; eventName: string; conversionId: string; status: ConversionStatus; duplicate: boolean; warnings: string[] }
  | { stage: LifecycleEventStage; eventName: string; skipped: string };

function whyNotDeliverable(c: LifecycleClickConversation): string {
  if (!c.numberId || c.provider === null) return "the number their ad chat came in on was deleted";
  if (c.provider !== "cloud") return `their ad chat is on ${c.numberLabel}, which is not a WhatsApp Cloud API number (conversions go to Meta through one)`;
  if (!c.wabaId) return `${c.numberLabel} has no WhatsApp Business Account id`;
  return `${c.numberLabel} has no Conversions API dataset yet (fetch or create one on the number's page)`;
}

/**
 * Inside the stage change's transaction: when the workspace maps `stage` to an event, queues it for the
 * subscriber's latest ad conversation on a number that can deliver it (event time now; value and currency as
 * entered, else the stage's default), with its CAPI job, unless this subscriber, stage and conversation already
 * had it (the event id is the key: nothing is sent twice). A click older than Meta's 7-day window is still sent,
 * with the attribution_window_passed warning, as POST /api/v1/conversions/whatsapp does. When its event is one of
 * the workspace's drip stop events, the subscriber's pending drip stops (lead.stopped). null: the stage sends nothing.
 */
export async function queueLifecycleEvent(
  tx: Db,
  { tenantId, subscriberId, stage, entered, now }: { tenantId: string; subscriberId: string; stage: string; entered?: LifecycleValue; now: Date },
): Promise<LifecycleEventOutcome | null> {
  if (!(LIFECYCLE_EVENT_STAGES as readonly string[]).includes(stage)) return null;
  const s = stage as LifecycleEventStage;
  const event = (await readLifecycleEvents(tx, { tenantId }))[s];
  if (!event) return null;
  const { eventName } = event;
  const click = await findLifecycleClickConversation(tx, { tenantId, subscriberId });
  if (!click) return { stage: s, eventName, skipped: "no ad click to attribute it to (they never wrote after clicking a Click-to-WhatsApp ad)" };
  if (!click.deliverable) return { stage: s, eventName, skipped: whyNotDeliverable(click) };

  const eventId = lifecycleEventId({ subscriberId, stage: s, conversationId: click.id });
  const money = entered ?? (event.value !== undefined && event.currency ? { value: event.value, currency: event.currency } : null);
  const eventTime = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const id = crypto.randomUUID();
  const warnings = eventTime.getTime() - click.startedAt.getTime() > ATTRIBUTION_WINDOW_MS ? [ATTRIBUTION_WINDOW_PASSED] : [];
  const row = {
    id,
    tenantId,
    numberId: click.numberId,
    eventId,
    eventName,
    eventTime,
    requestHash: sha256Hex(
      JSON.stringify({ lifecycle: s, eventName, conversationId: click.id, value: money?.value ?? null, currency: money?.currency ?? null }),
    ),
    conversationId: click.id,
    subscriberId,
    ctwaClid: click.ctwaClid,
    value: money ? money.value.toFixed(2) : null,
    currency: money?.currency ?? null,
    warnings,
    source: "lifecycle" as const,
    createdAt: now,
    updatedAt: now,
  };
  const inserted = await insertConversionsIfAbsent(tx, { rows: [row], job: { kind: CAPI_FORWARD_JOB, maxAttempts: CAPI_MAX_ATTEMPTS, runAt: now } });
  if (inserted === 0) {
    const first = await findConversionByEventId(tx, { tenantId, eventId });
    if (!first) throw new AppError("unavailable", "The lifecycle event could not be stored; please retry");
    return { stage: s, eventName: first.eventName, conversionId: first.id, status: first.status, duplicate: true, warnings: first.warnings };
  }
  // the workspace stops the drip on this event: the lead's pending rows end here, as for any recorded conversion
  const reason = convertedReason(eventName);
  const stop = await cancelPendingDripForConversions(tx, { tenantId, conversionIds: [id], now, reason });
  await emitDripStopped(tx, { tenantId, stop, reason, now });
  return { stage: s, eventName, conversionId: id, status: "queued", duplicate: false, warnings };
}

/** The outcome in one sentence for the console's toast. */
/** The conversion a stage change has just queued, to send right after the answer (as every new conversion is), or null. */
export function queuedLifecycleConversion(outcome: LifecycleEventOutcome | null): string | null {
  return outcome && !("skipped" in outcome) && !outcome.duplicate ? outcome.conversionId : null;
}

export function lifecycleEventMessage(outcome: LifecycleEventOutcome): string {
  const label = LIFECYCLE_STAGE_LABELS[outcome.stage];
  if ("skipped" in outcome) return `${outcome.eventName} not sent to Meta: ${outcome.skipped}`;
  if (outcome.duplicate) return `${outcome.eventName} was already sent to Meta for this ad conversation (${label}), so it is not sent again`;
  return outcome.warnings.includes(ATTRIBUTION_WINDOW_PASSED)
    ? `${outcome.eventName} sent to Meta (the ad click is more than 7 days old, so Meta may not attribute it)`
    : `${outcome.eventName} sent to Meta`;
}
