"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db/client";
import { defineAction } from "@/lib/action";
import { replayTenantWebhookEvent } from "@/lib/webhook-events/list";

/** Reprocesses one of the tenant's stored events now (manager: the event holds customers' messages). */
export const replayWebhookEventAction = defineAction({ role: "manager", schema: z.object({ id: z.uuid() }) }, async ({ id }, user) => {
  const outcome = await replayTenantWebhookEvent(await getDb(), { tenantId: user.tenantId, id, now: new Date() });
  revalidatePath("/webhooks");
  revalidatePath(`/webhooks/${id}`);
  return { status: outcome.status, error: outcome.error };
});
