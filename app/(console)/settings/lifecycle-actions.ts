"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db/client";
import { defineAction } from "@/lib/action";
import { saveLifecycleEvents } from "@/lib/conversions/lifecycle";
import { lifecycleEventsFormSchema, lifecycleEventsFormValues } from "@/lib/conversions/lifecycle-schema";

/** The lifecycle stage → Conversions API event map (admins); answers the saved map as the form shows it. */
export const saveLifecycleEventsAction = defineAction({ role: "admin", schema: lifecycleEventsFormSchema }, async (map, user) => {
  const saved = await saveLifecycleEvents(await getDb(), { tenantId: user.tenantId, input: map });
  revalidatePath("/settings");
  return lifecycleEventsFormValues(saved);
});
