// Saving the workspace's drip listening settings: quiet hours (minutes after midnight, both or neither)
// and the conversion events that stop a lead's drip (names Meta accepts for business messaging).
import type { Db } from "@/db/client";
import { updateTenantDripSettings } from "@/db/queries";
import { CONVERSION_EVENT_NAMES } from "@/lib/conversions/schema";
import { notFound } from "@/lib/errors";
import { parseMinutes } from "./quiet-hours";
import { type DripSettingsForm, dripSettingsFormSchema, dripSettingsFormValues } from "./settings-schema";

const known = new Set<string>(CONVERSION_EVENT_NAMES);

/** The form's schema plus the event names checked against the conversions contract. */
export const dripSettingsSchema = dripSettingsFormSchema.superRefine((v, ctx) => {
  const unknown = v.stopEvents.filter((e) => !known.has(e));
  if (unknown.length > 0)
    ctx.addIssue({ code: "custom", path: ["stopEvents"], message: `Not a conversion event: ${unknown.join(", ")} (use ${CONVERSION_EVENT_NAMES.join(", ")})` });
});

export async function saveDripSettings(db: Db, { tenantId, input }: { tenantId: string; input: DripSettingsForm }): Promise<DripSettingsForm> {
  const on = input.quietHours;
  const row = await updateTenantDripSettings(db, tenantId, {
    quietHoursStart: on ? parseMinutes(input.quietStart) : null,
    quietHoursEnd: on ? parseMinutes(input.quietEnd) : null,
    dripStopEvents: CONVERSION_EVENT_NAMES.filter((e) => input.stopEvents.includes(e)), // each once, in a fixed order
  });
  if (!row) throw notFound("Workspace");
  return dripSettingsFormValues(row);
}
