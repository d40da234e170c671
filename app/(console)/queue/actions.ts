"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db/client";
import { defineAction } from "@/lib/action";
import { cancelLeadQueue, cancelQueueRow, retryQueueRow } from "@/lib/drip/queue";
import { runScheduledWork } from "@/lib/scheduler";

const rowSchema = z.object({ id: z.uuid() });

/** A failed, skipped or cancelled message back in the queue, due now (manager+). */
export const retryQueueRowAction = defineAction({ role: "manager", schema: rowSchema }, async ({ id }, user) => {
  const row = await retryQueueRow(await getDb(), { tenantId: user.tenantId, id, now: new Date() });
  revalidatePath("/queue");
  return { status: row.status };
});

/** Cancels one pending message (manager+). */
export const cancelQueueRowAction = defineAction({ role: "manager", schema: rowSchema }, async ({ id }, user) => {
  const row = await cancelQueueRow(await getDb(), { tenantId: user.tenantId, id, now: new Date() });
  revalidatePath("/queue");
  return { status: row.status };
});

/** Cancels every pending message of one lead; its campaign flag stays as it is (manager+). */
export const cancelLeadQueueAction = defineAction({ role: "manager", schema: z.object({ leadId: z.uuid() }) }, async ({ leadId }, user) => {
  const cancelled = await cancelLeadQueue(await getDb(), { tenantId: user.tenantId, leadId, now: new Date() });
  revalidatePath("/queue");
  return { cancelled };
});

/**
 * The scheduled run right now, as the ticker or GET /api/cron/drip would do it (admin: it drains every
 * workspace's due work, not only this one's). Answers the drip run's counts.
 */
export const runNowAction = defineAction({ role: "admin", schema: z.object({}) }, async () => {
  const { claimed, sent, skipped, failed, retried, cancelled, deferred, tookMs } = await runScheduledWork(await getDb());
  revalidatePath("/queue");
  return { claimed, sent, skipped, failed, retried, cancelled, deferred, tookMs };
});
