"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db/client";
import { defineAction } from "@/lib/action";
import { deliverConversionNow } from "@/lib/conversions/deliver";
import { conversionDepsFromEnv } from "@/lib/conversions/deps";
import { lifecycleEventMessage, queuedLifecycleConversion } from "@/lib/conversions/lifecycle";
import { afterResponse } from "@/lib/http";
import { subscriberPatchSchema, updateSubscriber } from "@/lib/subscribers/manage";

const schema = z.object({ id: z.uuid(), patch: subscriberPatchSchema });

/** Lifecycle, tags, block/unblock, opt out: what marketers and managers change on a subscriber (a stage change says what it sent to Meta). */
export const updateSubscriberAction = defineAction({ role: "marketer", schema }, async ({ id, patch }, user) => {
  const db = await getDb();
  const row = await updateSubscriber(db, { tenantId: user.tenantId, id, patch, now: new Date() });
  const conversionId = queuedLifecycleConversion(row.lifecycleEvent);
  if (conversionId) afterResponse(() => deliverConversionNow(db, conversionDepsFromEnv(), { conversionId }));
  revalidatePath(`/subscribers/${id}`);
  revalidatePath("/subscribers");
  const meta = row.lifecycleEvent ? { sent: !("skipped" in row.lifecycleEvent), message: lifecycleEventMessage(row.lifecycleEvent) } : null;
  return { status: row.status, lifecycleState: row.lifecycleState, tags: row.tags, meta };
});
