// The "Send test event" form: one schema for the inline errors in the browser and the server action.
// The event names are listed here (a type check keeps them equal to the API's) so the browser bundle
// does not pull in the API's request schema.
import { z } from "zod";
import type { ConversionEventName } from "@/lib/conversions/schema";

const everyName = <T extends readonly ConversionEventName[]>(names: T & ([ConversionEventName] extends [T[number]] ? unknown : "list every event name")) =>
  names;
export const TEST_EVENT_NAMES = everyName(["LeadSubmitted", "Purchase", "AddToCart", "InitiateCheckout", "ViewContent"] as const);

export const MATCH_BY = ["phone", "conversation"] as const;

const phoneDigits = (raw: string) => raw.replace(/[\s().-]/g, "").replace(/^\+/, "");

export const testEventFormSchema = z
  .object({
    numberId: z.string().min(1, "Choose the number the customer wrote to").pipe(z.uuid("Choose the number the customer wrote to")),
    eventName: z.enum(TEST_EVENT_NAMES, "Choose an event"),
    matchBy: z.enum(MATCH_BY),
    phone: z.string().trim().max(32, "That is too long for a phone number"),
    conversationId: z.string().trim(),
    value: z.string().trim(),
    currency: z.string().trim().toUpperCase(),
    testCode: z.string().trim().min(1, "Paste the test event code from Events Manager → Test events").max(64, "A test event code is at most 64 characters"),
  })
  .superRefine((f, ctx) => {
    const add = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if (f.matchBy === "phone") {
      if (!f.phone) add("phone", "Enter the phone the customer wrote from");
      else if (!/^[1-9]\d{6,14}$/.test(phoneDigits(f.phone))) add("phone", "Enter the phone with its country code, e.g. +1 650 555 0101");
    } else if (!z.uuid().safeParse(f.conversationId).success) {
      add("conversationId", f.conversationId ? "A conversation id looks like 1b4e28ba-2fa1-11d2-883f-0016d3cca427" : "Enter the conversation id");
    }
    if (f.value && !/^\d+(\.\d{1,2})?$/.test(f.value)) add("value", "Enter an amount like 149.90");
    if (!f.value && f.eventName === "Purchase") add("value", "A Purchase needs its value");
    if ((f.value || f.eventName === "Purchase") && !/^[A-Z]{3}$/.test(f.currency)) {
      add("currency", f.currency ? "Use a three-letter ISO 4217 code such as USD" : "Enter the currency, e.g. USD");
    }
  });

export type TestEventInput = z.input<typeof testEventFormSchema>;
export type TestEventValues = z.output<typeof testEventFormSchema>;

/** The body of POST /api/v1/conversions/whatsapp for these values (the API's own schema validates it again). */
export function testEventRequest(v: TestEventValues, eventId: string): Record<string, unknown> {
  return {
    accountId: v.numberId,
    eventName: v.eventName,
    eventId,
    ...(v.matchBy === "phone" ? { phoneE164: phoneDigits(v.phone) } : { conversationId: v.conversationId }),
    ...(v.value ? { value: v.value } : {}),
    ...(v.value || v.currency ? { currency: v.currency } : {}),
    testCode: v.testCode,
  };
}
