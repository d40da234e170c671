// What people change on a subscriber (console actions and PATCH /api/v1/subscribers/{id}): lifecycle
// stage, tags, and status — block / unblock, or opt out on their behalf (which cancels pending drips).
// Opting back in is the subscriber's own choice (START), never ours.
import { z } from "zod";
import type { Db } from "@/db/client";
import { cancelPendingOutboundForOptOut, lockSubscriberById, type SubscriberProfileUpdate, updateSubscriberProfile } from "@/db/queries/subscribers";
import { LIFECYCLE_STATES } from "@/db/schema";
import { queueLifecycleEvent } from "@/lib/conversions/lifecycle";
import { lifecycleValueSchema } from "@/lib/conversions/lifecycle-schema";
import { AppError, notFound } from "@/lib/errors";
import { noteNewSubscribers, noteSegmentChange } from "@/lib/audiences/sync";

const tag = z
  .string()
  .trim()
  .min(1, "A tag cannot be empty")
  .max(40, "Tags are at most 40 characters")
  .regex(/^[^,\n]+$/, "A tag cannot contain commas or line breaks");

export const subscriberPatchSchema = z
  .strictObject({
    lifecycleState: z.enum(LIFECYCLE_STATES).optional(),
    tags: z.array(tag).max(30, "At most 30 tags").optional(),
    status: z.enum(["active", "blocked", "opted_out"]).optional(),
    lifecycleValue: lifecycleValueSchema.optional(),
  })
  .refine((p) => Object.values(p).some((v) => v !== undefined), { message: "Send at least one of lifecycleState, tags, status" })
  .refine((p) => !p.lifecycleValue || p.lifecycleState, {
    message: "lifecycleValue goes with the lifecycleState it is the value of",
    path: ["lifecycleValue"],
  });
export type SubscriberPatch = z.output<typeof subscriberPatchSchema>;

/** Tags trimmed and deduplicated case-insensitively, first spelling and order kept. */
export function uniqueTags(tags: string[]): string[] {
  const seen = new Set<string>();
  return tags.map((t) => t.trim()).filter((t) => t !== "" && !seen.has(t.toLowerCase()) && seen.add(t.toLowerCase()));
}

export async function updateSubscriber(db: Db, { tenantId, id, patch, now }: { tenantId: string; id: string; patch: SubscriberPatch; now: Date }) {
  const updated = await db.transaction(async (tx) => {
    const current = await lockSubscriberById(tx, { tenantId, id });
    if (!current) throw notFound("Subscriber");
    const values: SubscriberProfileUpdate = {};
    if (patch.lifecycleState && patch.lifecycleState !== current.lifecycleState)
      Object.assign(values, { lifecycleState: patch.lifecycleState, lifecycleChangedAt: now });
    if (patch.tags) values.tags = uniqueTags(patch.tags);
    if (patch.status && patch.status !== current.status) {
      if (patch.status === "active" && current.status === "opted_out") {
        throw new AppError("conflict", "This subscriber opted out. Only they can opt back in, by sending START to your number.");
      }
      values.status = patch.status;
      if (patch.status === "opted_out") Object.assign(values, { optOutAt: now, optInStatus: false });
    }
    const row = await updateSubscriberProfile(tx, { tenantId, id }, { ...values, updatedAt: now });
    // a stage the workspace maps to a CAPI event reports itself to Meta (once per stage and ad conversation)
    const lifecycleEvent = values.lifecycleState
      ? await queueLifecycleEvent(tx, { tenantId, subscriberId: id, stage: values.lifecycleState, entered: patch.lifecycleValue, now })
      : null;
    if (values.status === "opted_out" || values.status === "blocked") {
      const reason =
        values.status === "blocked" ? { code: "blocked", message: "The subscriber was blocked" } : { code: "opted_out", message: "Opted out by your team" };
      await cancelPendingOutboundForOptOut(tx, { tenantId, subscriberIds: [id], waPhones: current.waPhone ? [current.waPhone] : [], now, reason });
    }
    return { ...row!, lifecycleEvent };
  });
  // blocked, opted out or unblocked: the workspace's Custom Audiences catch up a few seconds later (lib/audiences/sync.ts)
  if (patch.status) await noteNewSubscribers(db, [tenantId], { now });
  // a new stage moves them into or out of the audiences segmented by stage (or score, which a status changes)
  if (patch.lifecycleState || patch.status) {
    await noteSegmentChange(db, { tenantId, keys: patch.status ? ["lifecycle", "score", "status"] : ["lifecycle"], now });
  }
  return updated;
}
