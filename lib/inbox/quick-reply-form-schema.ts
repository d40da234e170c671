// A quick reply as the Settings form edits it, client-safe: the same rules as the domain's
// quickReplyInputSchema (lib/inbox/quick-replies.ts, which the server actions parse with), worded for a form.
import { z } from "zod";

export const quickReplyFormSchema = z.object({
  shortcut: z
    .string()
    .trim()
    .min(1, "Enter a shortcut, e.g. hours")
    .max(32, "At most 32 characters")
    .regex(/^[A-Za-z0-9_-]+$/, "Only letters, digits, _ and - (no spaces or slash)"),
  text: z.string().trim().min(1, "Enter the text the shortcut inserts").max(4096, "At most 4,096 characters, WhatsApp's limit for one message"),
});
export type QuickReplyForm = z.output<typeof quickReplyFormSchema>;
