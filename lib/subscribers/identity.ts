// Who wrote to us: the sender of an inbound message as a subscriber identity (E.164 phone, WhatsApp id,
// business-scoped user id, username) plus what the phone implies (CAPI phone hash, country, time zone).
import { parsePhoneNumberFromString } from "libphonenumber-js";
import { sha256Hex } from "@/lib/crypto";
import { phoneDigits, reportedPhoneE164 } from "@/lib/phone";
import type { InboundMessage } from "@/lib/whatsapp/normalised";

export type SenderIdentity = {
  waPhone: string | null; // E.164; null for users who hide their number
  waId: string | null;
  userId: string | null; // business-scoped user id (BSUID)
  username: string | null;
  profileName: string | null;
  phoneHash: string | null;
  country: string | null;
  timezone: string | null;
};

/**
 * E.164 from a WhatsApp id or provider phone field (digits, maybe `+`, maybe Gupshup's `@s.whatsapp.net`).
 * A wa_id is always the full international number, so digits libphonenumber does not know yet (new
 * ranges, Meta's test numbers) are kept as `+digits` rather than losing the sender.
 */
export function toWaPhone(raw: string | null | undefined): string | null {
  const value = raw?.trim().replace(/@.*$/, "");
  return value ? reportedPhoneE164(value) : null;
}

/** SHA-256 hex of the E.164 digits without '+' (Meta CAPI `ph` normalisation: country code, no symbols). */
export function hashPhone(e164: string): string {
  return sha256Hex(phoneDigits(e164));
}

// One representative IANA zone per ISO country: the only zone, or the most populous one for countries
// that span several (US → New York, RU → Moscow, BR → São Paulo). Grouped by region to stay compact.
const ZONES_BY_REGION: Record<string, string> = {
  Europe:
    "AD Andorra AL Tirane AT Vienna AX Mariehamn BA Sarajevo BE Brussels BG Sofia BY Minsk CH Zurich CZ Prague DE Berlin DK Copenhagen EE Tallinn ES Madrid FI Helsinki FR Paris GB London GG Guernsey GI Gibraltar GR Athens HR Zagreb HU Budapest IE Dublin IM Isle_of_Man IT Rome JE Jersey LI Vaduz LT Vilnius LU Luxembourg LV Riga MC Monaco MD Chisinau ME Podgorica MK Skopje MT Malta NL Amsterdam NO Oslo PL Warsaw PT Lisbon RO Bucharest RS Belgrade RU Moscow SE Stockholm SI Ljubljana SK Bratislava SM San_Marino TR Istanbul UA Kyiv VA Vatican",
  Asia: "AE Dubai AF Kabul AM Yerevan AZ Baku BD Dhaka BH Bahrain BN Brunei BT Thimphu CN Shanghai CY Nicosia GE Tbilisi HK Hong_Kong ID Jakarta IL Jerusalem IN Kolkata IQ Baghdad IR Tehran JO Amman JP Tokyo KG Bishkek KH Phnom_Penh KP Pyongyang KR Seoul KW Kuwait KZ Almaty LA Vientiane LB Beirut LK Colombo MM Yangon MN Ulaanbaatar MO Macau MY Kuala_Lumpur NP Kathmandu OM Muscat PH Manila PK Karachi PS Hebron QA Qatar SA Riyadh SG Singapore SY Damascus TH Bangkok TJ Dushanbe TL Dili TM Ashgabat TW Taipei UZ Tashkent VN Ho_Chi_Minh YE Aden",
  America:
    "AG Antigua AI Anguilla AR Argentina/Buenos_Aires AW Aruba BB Barbados BL St_Barthelemy BO La_Paz BQ Kralendijk BR Sao_Paulo BS Nassau BZ Belize CA Toronto CL Santiago CO Bogota CR Costa_Rica CU Havana CW Curacao DM Dominica DO Santo_Domingo EC Guayaquil GD Grenada GF Cayenne GL Nuuk GP Guadeloupe GT Guatemala GY Guyana HN Tegucigalpa HT Port-au-Prince JM Jamaica KN St_Kitts KY Cayman LC St_Lucia MF Marigot MQ Martinique MS Montserrat MX Mexico_City NI Managua PA Panama PE Lima PM Miquelon PR Puerto_Rico PY Asuncion SR Paramaribo SV El_Salvador SX Lower_Princes TC Grand_Turk TT Port_of_Spain US New_York UY Montevideo VC St_Vincent VE Caracas VG Tortola VI St_Thomas",
  Africa:
    "AO Luanda BF Ouagadougou BI Bujumbura BJ Porto-Novo BW Gaborone CD Kinshasa CF Bangui CG Brazzaville CI Abidjan CM Douala DJ Djibouti DZ Algiers EG Cairo EH El_Aaiun ER Asmara ET Addis_Ababa GA Libreville GH Accra GM Banjul GN Conakry GQ Malabo GW Bissau KE Nairobi LR Monrovia LS Maseru LY Tripoli MA Casablanca ML Bamako MR Nouakchott MW Blantyre MZ Maputo NA Windhoek NE Niamey NG Lagos RW Kigali SD Khartoum SL Freetown SN Dakar SO Mogadishu SS Juba ST Sao_Tome SZ Mbabane TD Ndjamena TG Lome TN Tunis TZ Dar_es_Salaam UG Kampala ZA Johannesburg ZM Lusaka ZW Harare",
  Pacific:
    "AS Pago_Pago CK Rarotonga FJ Fiji FM Chuuk GU Guam KI Tarawa MH Majuro MP Saipan NC Noumea NF Norfolk NR Nauru NU Niue NZ Auckland PF Tahiti PG Port_Moresby PN Pitcairn PW Palau SB Guadalcanal TK Fakaofo TO Tongatapu TV Funafuti VU Efate WF Wallis WS Apia",
  Australia: "AU Sydney",
  Atlantic: "BM Bermuda CV Cape_Verde FK Stanley FO Faroe GS South_Georgia IS Reykjavik SH St_Helena",
  Indian: "CC Cocos CX Christmas IO Chagos KM Comoro MG Antananarivo MU Mauritius MV Maldives RE Reunion SC Mahe TF Kerguelen YT Mayotte",
  Arctic: "SJ Longyearbyen",
};

let zoneByCountry: Map<string, string> | null = null;

function zoneTable(): Map<string, string> {
  if (zoneByCountry) return zoneByCountry;
  const table = new Map<string, string>();
  for (const [region, pairs] of Object.entries(ZONES_BY_REGION)) {
    const parts = pairs.split(" ");
    for (let i = 0; i + 1 < parts.length; i += 2) table.set(parts[i]!, `${region}/${parts[i + 1]}`);
  }
  zoneByCountry = table;
  return table;
}

const knownZones = new Map<string, boolean>();

function isKnownZone(zone: string): boolean {
  let known = knownZones.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat("en", { timeZone: zone });
      known = true;
    } catch {
      known = false; // an older ICU without a renamed zone (e.g. Europe/Kyiv): better no zone than a crash
    }
    knownZones.set(zone, known);
  }
  return known;
}

/** A representative IANA time zone for an ISO 3166 country, or null. */
export function countryTimezone(country: string | null | undefined): string | null {
  const zone = country ? zoneTable().get(country.toUpperCase()) : undefined;
  return zone && isKnownZone(zone) ? zone : null;
}

// The country is fixed by the calling code and the first few national digits (NANP area codes,
// +7 6/7 for Kazakhstan, +44 7781 for Guernsey…): cache by the first 7 digits, so a burst of new
// senders costs one libphonenumber parse per prefix instead of one per number.
const locationCache = new Map<string, { country: string | null; timezone: string | null }>();

/** Country (libphonenumber-js; the main country of the calling code when the number itself is unknown) and its zone. */
export function phoneLocation(e164: string): { country: string | null; timezone: string | null } {
  const key = e164.slice(0, 8);
  const hit = locationCache.get(key);
  if (hit) return hit;
  const parsed = parsePhoneNumberFromString(e164);
  const country = parsed?.country ?? parsed?.getPossibleCountries()[0] ?? null;
  const location = { country, timezone: countryTimezone(country) };
  if (locationCache.size >= 50_000) locationCache.clear();
  locationCache.set(key, location);
  return location;
}

type PhoneFacts = { waPhone: string; phoneHash: string; country: string | null; timezone: string | null };

// Parsing a number with libphonenumber costs tens of microseconds; the same senders come back constantly.
const phoneFactsCache = new Map<string, PhoneFacts | null>();
const PHONE_CACHE_SIZE = 20_000;

/** E.164, CAPI hash, country and zone of a provider phone field (memoised), or null when it is not a phone. */
export function phoneFacts(raw: string | null | undefined): PhoneFacts | null {
  if (!raw) return null;
  const cached = phoneFactsCache.get(raw);
  if (cached !== undefined) return cached;
  const waPhone = toWaPhone(raw);
  const facts = waPhone ? { waPhone, phoneHash: hashPhone(waPhone), ...phoneLocation(waPhone) } : null;
  if (phoneFactsCache.size >= PHONE_CACHE_SIZE) phoneFactsCache.clear();
  phoneFactsCache.set(raw, facts);
  return facts;
}

/** Identity fields from a phone alone (statuses' recipient_id, Gupshup user events). */
export function identityFromPhone(raw: string | null | undefined): SenderIdentity | null {
  const facts = phoneFacts(raw);
  return facts ? { ...facts, waId: phoneDigits(facts.waPhone), userId: null, username: null, profileName: null } : null;
}

/**
 * The customer behind an inbound message: its sender, or for the business's own messages in a history sync,
 * the thread's customer. Null when neither a phone nor a business-scoped user id identifies anyone.
 */
export function resolveSenderIdentity(message: InboundMessage): SenderIdentity | null {
  const history = message.history;
  if (history?.direction === "outbound") {
    const userId = history.threadUserId ?? null;
    const byPhone = identityFromPhone(history.threadId);
    if (byPhone) return { ...byPhone, userId };
    return userId ? { waPhone: null, waId: null, userId, username: null, profileName: null, phoneHash: null, country: null, timezone: null } : null;
  }
  const contact = message.contact;
  const phone = phoneFacts(message.from) ?? phoneFacts(contact?.waId);
  const userId = message.fromUserId ?? contact?.userId ?? null;
  if (!phone && !userId) return null;
  return {
    waPhone: null,
    phoneHash: null,
    country: null,
    timezone: null,
    ...phone,
    waId: contact?.waId ?? message.from ?? null,
    userId,
    username: contact?.username ?? null,
    profileName: contact?.profileName ?? null,
  };
}
