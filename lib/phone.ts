// Phone numbers as people type them → E.164, with the country and time zone they imply.
import { type CountryCode, type PhoneNumber, parsePhoneNumberFromString } from "libphonenumber-js";
import { z } from "zod";

/** E.164 (`+79001234567`) from what a person or a provider wrote, or null when it is not a valid number. */
export function normalisePhone(input: string, defaultCountry?: CountryCode): string | null {
  const raw = input.trim();
  if (!raw) return null;
  // WhatsApp ids and provider fields carry the digits without '+'; a leading 00 is the international prefix.
  const withPlus = /^\+/.test(raw) ? raw : /^00\d/.test(raw) ? `+${raw.slice(2)}` : defaultCountry ? raw : `+${raw}`;
  const parsed = parsePhoneNumberFromString(withPlus, defaultCountry);
  if (!parsed) return null;
  return parsed.isValid() || isMetaTestNumber(parsed) ? parsed.number : null;
}

/** Meta's test business numbers live in the fictional +1 555 area, which libphonenumber calls invalid. */
function isMetaTestNumber(parsed: PhoneNumber): boolean {
  return parsed.countryCallingCode === "1" && parsed.nationalNumber.startsWith("555") && parsed.isPossible();
}

/** The digits of an E.164 number, without '+' (the form WhatsApp ids and Graph's display numbers use). */
export function phoneDigits(phone: string): string {
  return phone.replace(/\D/g, "");
}

/** A readable international form, e.g. `+7 900 123 45 67` (falls back to the input). */
export function formatPhone(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}

/** A phone as a person types it, validated and normalised to E.164 (forms and query strings). */
export const phoneE164Schema = z
  .string("Enter the phone number")
  .trim()
  .min(1, "Enter the phone number")
  .max(32, "That is too long for a phone number")
  .transform((value, ctx) => {
    const e164 = normalisePhone(value);
    if (!e164) {
      ctx.addIssue({ code: "custom", message: "Not a valid phone number: include the country code, e.g. +7 900 123-45-67" });
      return z.NEVER;
    }
    return e164;
  });
