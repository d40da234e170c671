"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db/client";
import { defineAction } from "@/lib/action";
import { loadDemoData } from "@/lib/demo/demo-data";
import { removeDemoData } from "@/lib/demo/remove-demo-data";
import { getEnv } from "@/lib/env";

export const loadDemoDataAction = defineAction({ role: "admin", schema: z.object({}) }, async (_input, user) => {
  const summary = await loadDemoData(await getDb(), { tenantId: user.tenantId, now: new Date(), encryptionKey: getEnv().ENCRYPTION_KEY });
  revalidatePath("/", "layout"); // every page shows demo rows now
  return summary;
});

/** Settings' "Remove demo data": the demo rows only (see removeDemoData). */
export const removeDemoDataAction = defineAction({ role: "admin", schema: z.object({}) }, async (_input, user) => {
  const removal = await removeDemoData(await getDb(), { tenantId: user.tenantId, now: new Date() });
  revalidatePath("/", "layout");
  return removal;
});
