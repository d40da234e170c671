// The workspace's drip listening settings as the console edits them (Settings → Organisation): quiet hours
// as two HH:MM times (off by default) and the conversion events that stop a lead's drip. Client-safe: the
// event names are checked against the conversions contract on the server (lib/drip/settings.ts).
import { z } from "zod";
import { formatMinutes, parseMinutes, quietHoursOf } from "./quiet-hours";

export const dripSettingsFormSchema = z
  .object({
    quietHours: z.boolean("quietHours is true or false"),
    quietStart: z.string("Enter a time, e.g. 22:00").max(5, "Enter a time, e.g. 22:00"),
    quietEnd: z.string("Enter a time, e.g. 08:00").max(5, "Enter a time, e.g. 08:00"),
    stopEvents: z.array(z.string("Choose conversion events").max(64)).max(20, "Choose at most 20 events"),
  })
  .superRefine((v, ctx) => {
    if (!v.quietHours) return;
    const start = parseMinutes(v.quietStart);
    const end = parseMinutes(v.quietEnd);
    if (start === null) ctx.addIssue({ code: "custom", path: ["quietStart"], message: "Enter the time quiet hours start, e.g. 22:00" });
    if (end === null) ctx.addIssue({ code: "custom", path: ["quietEnd"], message: "Enter the time quiet hours end, e.g. 08:00" });
    if (start !== null && start === end) ctx.addIssue({ code: "custom", path: ["quietEnd"], message: "Quiet hours must end at another time than they start" });
  });
export type DripSettingsForm = z.output<typeof dripSettingsFormSchema>;

/** The tenant's columns as the form shows them (quiet hours off: 22:00–08:00 offered). */
export function dripSettingsFormValues(row: { quietHoursStart: number | null; quietHoursEnd: number | null; dripStopEvents: string[] }): DripSettingsForm {
  const quiet = quietHoursOf(row);
  return {
    quietHours: quiet !== null,
    quietStart: formatMinutes(quiet?.start ?? 22 * 60),
    quietEnd: formatMinutes(quiet?.end ?? 8 * 60),
    stopEvents: row.dripStopEvents,
  };
}
