// The console's "New lead" form, on its own so the browser bundle gets zod and the phone check only
// (the API's schemas.ts pulls in the database schema). The server passes the values to createLead.
import { z } from "zod";
import { reportedPhoneSchema } from "@/lib/phone";

/** The console's "New lead" form: strings as typed, validated in the browser and again by the server action. */
export const leadFormSchema = z.object({
  name: z.string().trim().min(1, "Enter the person's name").max(200, "At most 200 characters"),
  phone: reportedPhoneSchema, // the server refuses one that is neither valid nor a subscriber's WhatsApp number
  segment: z.string().trim().max(64, "At most 64 characters"),
  numberId: z.union([z.literal(""), z.uuid("Choose a number")]), // "" = the default sending number
});
export type LeadFormInput = z.input<typeof leadFormSchema>;
