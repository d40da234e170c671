// Display formatting shared by console pages: money, percentages, counts, dates, date-times and relative times.
//
// These are pure functions: every one takes the locale (and, for instants, the time zone) it formats in. Their
// defaults are STABLE (en-GB, UTC), the same on the server and in every browser, so a string formatted with the
// defaults never differs between the server's HTML and React's hydration (error #418). Pages show values in the
// reader's own locale and time zone through the client components in ./formatted.tsx (<DateTime>, <FormattedDate>,
// <RelativeTime>, <Money>, <Percent>, <Count>): they render the STABLE string first, then the browser's after
// hydration. Call these functions directly only where a plain string is needed (an aria-label, a CSV, a test).

/** What a string is formatted for: a BCP 47 locale and an IANA time zone (name both; the defaults are STABLE). */
export type FormatContext = { locale?: string; timeZone?: string };

/** The same on every machine: what servers render and what the browser shows until it has hydrated. */
export const STABLE: FormatContext = { locale: "en-GB", timeZone: "UTC" };

/** A moment as the database and JSON carry it: epoch milliseconds, an ISO string or a Date. */
export type Instant = number | string | Date | null | undefined;

/** Epoch milliseconds of an instant, or null for nothing or an unreadable value. */
export function toMs(value: Instant): number | null {
  if (value == null || value === "") return null;
  const ms = typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : value.getTime();
  return Number.isFinite(ms) ? ms : null;
}

// Intl formatters are costly to build; a console page formats hundreds of values with a handful of them.
const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat | Intl.RelativeTimeFormat>();
function cached<T extends Intl.DateTimeFormat | Intl.NumberFormat | Intl.RelativeTimeFormat>(key: string, make: () => T): T {
  let f = cache.get(key) as T | undefined;
  if (!f) {
    f = make();
    cache.set(key, f);
  }
  return f;
}

function dateFormat(ctx: FormatContext, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `d|${ctx.locale ?? ""}|${ctx.timeZone ?? ""}|${JSON.stringify(options)}`;
  return cached(key, () => new Intl.DateTimeFormat(ctx.locale, { ...options, timeZone: ctx.timeZone }));
}

const DATE_TIME: Intl.DateTimeFormatOptions = { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" };
const DATE: Intl.DateTimeFormatOptions = { day: "numeric", month: "short", year: "numeric" };

/** "7 Dec 2026, 14:05" (en-GB) / "Dec 7, 2026, 2:05 PM" (en-US); `empty` for no value. */
export function formatDateTime(value: Instant, empty = "—", ctx: FormatContext = STABLE): string {
  const ms = toMs(value);
  return ms == null ? empty : dateFormat(ctx, DATE_TIME).format(ms);
}

/** "7 Dec 2026" (en-GB) / "Dec 7, 2026" (en-US): the day the instant falls on in the context's time zone. */
export function formatDate(value: Instant, empty = "—", ctx: FormatContext = STABLE): string {
  const ms = toMs(value);
  return ms == null ? empty : dateFormat(ctx, DATE).format(ms);
}

/** "3 Dec" (en-GB) / "Dec 3" (en-US): a recent day without its year, for tight places such as a chat list. */
export function formatDayMonth(value: Instant, empty = "—", ctx: FormatContext = STABLE): string {
  const ms = toMs(value);
  return ms == null ? empty : dateFormat(ctx, { day: "numeric", month: "short" }).format(ms);
}

/** "14:05" or, with seconds, "14:05:09" (en-GB) / "2:05:09 PM" (en-US). */
export function formatTime(value: Instant, ctx: FormatContext = STABLE, { seconds = false } = {}): string {
  const ms = toMs(value);
  if (ms == null) return "—";
  return dateFormat(ctx, { hour: "2-digit", minute: "2-digit", ...(seconds ? { second: "2-digit" } : {}) }).format(ms);
}

/** A calendar day ("2026-12-07", as a date input and the URL carry it) in words: "7 Dec 2026". Never shifts a day. */
export function formatDay(day: string | null | undefined, empty = "—", locale: string | undefined = STABLE.locale): string {
  if (!day || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return day || empty;
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isFinite(ms) ? dateFormat({ locale, timeZone: "UTC" }, DATE).format(ms) : day;
}

const RELATIVE_STEPS: [limitSeconds: number, unit: Intl.RelativeTimeFormatUnit, seconds: number][] = [
  [60, "second", 1],
  [3600, "minute", 60],
  [86_400, "hour", 3600],
  [86_400 * 30, "day", 86_400],
  [86_400 * 365, "month", 86_400 * 30],
  [Infinity, "year", 86_400 * 365],
];

/** "3 minutes ago", "in 2 hours", "yesterday": coarse, one unit. `now` is injectable for stable rendering. */
export function formatRelative(value: Instant, now = Date.now(), empty = "never", locale: string | undefined = "en"): string {
  const ms = toMs(value);
  if (ms == null) return empty;
  const diff = Math.round((ms - now) / 1000);
  const rtf = cached(`r|${locale ?? ""}`, () => new Intl.RelativeTimeFormat(locale, { numeric: "auto" }));
  const [, unit, seconds] = RELATIVE_STEPS.find(([limit]) => Math.abs(diff) < limit)!;
  return rtf.format(Math.round(diff / seconds), unit);
}

function numberFormat(locale: string | undefined, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  return cached(`n|${locale ?? ""}|${JSON.stringify(options)}`, () => new Intl.NumberFormat(locale, options));
}

function toNumber(value: number | string | null | undefined): number | null {
  if (value == null || value === "") return null;
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

/** A count with the locale's grouping: "1,234" (en) / "1 234" (ru). */
export function formatCount(value: number | string | null | undefined, empty = "—", locale: string | undefined = STABLE.locale): string {
  const n = toNumber(value);
  return n == null ? empty : numberFormat(locale, { maximumFractionDigits: 2 }).format(n);
}

/**
 * Money in its currency: "₽268,000", "$1,234.50" (en-US) / "268 000 ₽" (ru-RU); no decimals when the amount is
 * whole. Where the locale has no symbol of its own for the currency ("RUB 268,000" in English) the narrow one is
 * used ("₽268,000"); an unknown currency code follows the number ("1,234.50 XYZ"); no currency gives the number.
 */
export function formatMoney(
  value: number | string | null | undefined,
  currency: string | null | undefined,
  { empty = "—", locale = STABLE.locale }: { empty?: string; locale?: string } = {},
): string {
  const n = toNumber(value);
  if (n == null) return empty;
  const whole = Number.isInteger(n) ? { minimumFractionDigits: 0, maximumFractionDigits: 0 } : {};
  const code = currency?.trim().toUpperCase();
  if (!code) return numberFormat(locale, { maximumFractionDigits: 2, ...whole }).format(n);
  try {
    const symbol = numberFormat(locale, { style: "currency", currency: code, ...whole }).format(n);
    if (!symbol.includes(code)) return symbol;
    return numberFormat(locale, { style: "currency", currency: code, currencyDisplay: "narrowSymbol", ...whole }).format(n);
  } catch {
    return `${numberFormat(locale, { maximumFractionDigits: 2, ...whole }).format(n)} ${code}`;
  }
}

/** A share as a percentage: 0.1734 → "17.3%" (en) / "17,3 %" (ru). Takes a ratio (0–1), not a percentage. */
export function formatPercent(
  ratio: number | null | undefined,
  { empty = "—", digits = 1, locale = STABLE.locale }: { empty?: string; digits?: number; locale?: string } = {},
): string {
  if (ratio == null || !Number.isFinite(ratio)) return empty;
  return numberFormat(locale, { style: "percent", maximumFractionDigits: digits }).format(ratio);
}
