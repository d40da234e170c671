// Phone numbers → E.164. Two kinds: numbers people type (strict: libphonenumber must call them valid, and a
// refusal names the real problem) and numbers WhatsApp itself reported (any possible number: a wa_id is the
// full international number even in ranges libphonenumber does not know yet).
import { type CountryCode, type PhoneNumber, parsePhoneNumberFromString, validatePhoneNumberLength } from "libphonenumber-js";
import metadata from "libphonenumber-js/metadata.min.json";
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

/**
 * E.164 of a number WhatsApp (or a provider) reported, e.g. a wa_id: a valid number, or any 7–15 digits that
 * could be one (`+`, spaces, dashes, dots, brackets and a leading 00 allowed). Null when it cannot be a phone.
 */
export function reportedPhoneE164(input: string): string | null {
  const compact = input.trim().replace(/[\s().-]/g, "");
  // the common case, a bare wa_id: already the full international number, no parsing needed
  const digits = compact.replace(/^(\+|00)/, "");
  if (/^[1-9]\d{6,14}$/.test(digits) && /^(\+|00)?\d+$/.test(compact)) return `+${digits}`;
  return normalisePhone(input);
}

const INCLUDE_COUNTRY_CODE = "Not a valid phone number: include the country code, e.g. +7 900 123-45-67";
// English names that take "the": "not a valid number for the United Kingdom"
const WITH_THE = new Set(["AE", "BS", "CF", "CK", "DO", "FK", "FO", "GB", "GM", "KM", "KY", "MH", "MP", "MV", "NL", "PH", "SB", "TC", "US", "VG", "VI"]);
let regionNames: Intl.DisplayNames | null = null;

function countryName(country: string): string {
  let name = country;
  try {
    name = (regionNames ??= new Intl.DisplayNames(["en"], { type: "region" })).of(country) ?? country;
  } catch {
    // no ICU region names here: the ISO code still names the country
  }
  return WITH_THE.has(country) ? `the ${name}` : name;
}

/**
 * Why a typed phone is not a valid number, in words that name the problem (no country code, a calling code
 * nobody uses, too short or too long for its country, a number its country does not have); null when valid.
 */
export function phoneProblem(input: string): string | null {
  const raw = input.trim();
  if (!raw) return "Enter the phone number";
  if (normalisePhone(raw)) return null;
  const international = /^\+/.test(raw) || /^00\d/.test(raw);
  // without '+' or 00 the likeliest mistake is a national number: say so rather than guess its country
  if (!international) return INCLUDE_COUNTRY_CODE;
  const withPlus = raw.startsWith("+") ? raw : `+${raw.slice(2)}`;
  const length = validatePhoneNumberLength(withPlus);
  if (length === "NOT_A_NUMBER") return "Not a phone number: use digits with the country code, e.g. +7 900 123-45-67";
  const parsed = parsePhoneNumberFromString(withPlus);
  if (!parsed && length === "TOO_SHORT") return "Too short for a phone number: enter the country code and the whole number";
  if (!parsed || length === "INVALID_COUNTRY") return "No country uses the calling code this number starts with: check the country code, e.g. +7 900 123-45-67";
  const code = parsed.countryCallingCode;
  // a calling code's first country is its main one (+44 → GB, +7 → RU); +1 is shared by too many to name one
  const countries = metadata.country_calling_codes[code] ?? [];
  const country = parsed.country ?? countries[0];
  const where = !country ? `+${code}` : !parsed.country && countries.length > 4 ? `${countryName(country)} or another +${code} country` : countryName(country);
  const why = length === "TOO_SHORT" ? ": it is too short" : length === "TOO_LONG" ? ": it is too long" : "";
  return `Not a valid number for ${where}${why}`;
}

/** The digits of an E.164 number, without '+' (the form WhatsApp ids and Graph's display numbers use). */
export function phoneDigits(phone: string): string {
  return phone.replace(/\D/g, "");
}

/** A readable international form, e.g. `+7 900 123 45 67` (falls back to the input). */
export function formatPhone(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}

const typedPhone = z.string("Enter the phone number").trim().min(1, "Enter the phone number").max(32, "That is too long for a phone number");

/** A phone as a person types it, validated and normalised to E.164 (forms and query strings). */
export const phoneE164Schema = typedPhone.transform((value, ctx) => {
  const e164 = normalisePhone(value);
  if (!e164) {
    ctx.addIssue({ code: "custom", message: phoneProblem(value) ?? INCLUDE_COUNTRY_CODE });
    return z.NEVER;
  }
  return e164;
});

/**
 * A phone that may be one WhatsApp reported (a subscriber's wa_id, copied into a form or a filter): any possible
 * number passes as E.164. Where it must also be valid unless WhatsApp reported it, check `phoneProblem` against
 * the subscribers (lib/leads/create does). Refusals carry the strict message.
 */
export const reportedPhoneSchema = typedPhone.transform((value, ctx) => {
  const e164 = normalisePhone(value) ?? reportedPhoneE164(value);
  if (!e164) {
    ctx.addIssue({ code: "custom", message: phoneProblem(value) ?? INCLUDE_COUNTRY_CODE });
    return z.NEVER;
  }
  return e164;
});
