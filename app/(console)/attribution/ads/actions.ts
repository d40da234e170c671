"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db/client";
import { defineAction } from "@/lib/action";
import { retryAdEnrichment } from "@/lib/subscribers/enrichment";

/** Fetch an ad's names from Meta again (after fixing the number's token, say). */
export const retryAdAction = defineAction({ role: "marketer", schema: z.object({ adId: z.string().min(1).max(64) }) }, async ({ adId }, user) => {
  const { queued } = await retryAdEnrichment(await getDb(), { tenantId: user.tenantId, adId, now: new Date() });
  revalidatePath("/attribution/ads");
  return { queued };
});
