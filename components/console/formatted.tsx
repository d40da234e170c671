"use client";

// Values shown in the reader's own locale and time zone, without a hydration mismatch (React error #418).
//
// How: the server cannot know the browser's locale or time zone, so every component here renders the STABLE
// string of ./format.ts (en-GB, UTC) on the server AND in the browser's hydration pass, which therefore match
// exactly; useSyncExternalStore then reports "hydrated" and the same element re-renders in the browser's locale and
// time zone. After a client-side navigation there is no hydration pass, so the browser's format shows from the first
// paint. Dates sit in <time dateTime="ISO"> with the full date-time as their tooltip. The change of text is a few
// characters at most ("7 Dec 2026, 14:05" → "Dec 7, 2026, 2:05 PM"), inside inline elements with tabular digits.
//
// <RelativeTime> also depends on the clock, which differs between server and browser by the time the page takes to
// arrive: its element carries suppressHydrationWarning (React then keeps the server's text without complaint) and
// takes a new key once hydrated, so the browser's text always replaces it; it refreshes every 30 seconds.
import { useSyncExternalStore } from "react";
import {
  type FormatContext,
  formatCount,
  formatDate,
  formatDateTime,
  formatDay,
  formatMoney,
  formatPercent,
  formatRelative,
  formatTime,
  type Instant,
  STABLE,
  toMs,
} from "./format";

const noop = () => () => {};

/** False on the server and during hydration, true afterwards (and on every client-side render after it). */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noop,
    () => true,
    () => false,
  );
}

let browser: FormatContext | null = null;
/** The browser's own locale and time zone, named explicitly (an undefined locale would mean STABLE to ./format.ts). */
function browserContext(): FormatContext {
  const { locale, timeZone } = Intl.DateTimeFormat().resolvedOptions();
  return (browser ??= { locale, timeZone });
}

/** The locale and time zone to format in: STABLE until hydrated, then the browser's. */
export function useFormatContext(): FormatContext {
  return useHydrated() ? browserContext() : STABLE;
}

// One clock for every <RelativeTime> on the page, ticking every 30 s while any is mounted.
let now = Date.now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | null = null;
function subscribeClock(listener: () => void) {
  listeners.add(listener);
  timer ??= setInterval(() => {
    now = Date.now();
    listeners.forEach((l) => l());
  }, 30_000);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}
function readClock() {
  // a stale clock (no <RelativeTime> mounted for a while, or the server, where nothing ticks) catches up on the next read
  if (!timer && Date.now() - now > 1000) now = Date.now();
  return now;
}

const isoOf = (value: Instant) => {
  const ms = toMs(value);
  return ms == null ? undefined : new Date(ms).toISOString();
};

type TimeProps = { value: Instant; empty?: string; className?: string };

/** "7 Dec 2026, 14:05" in the reader's locale and time zone. */
export function DateTime({ value, empty = "—", className }: TimeProps) {
  const ctx = useFormatContext();
  const iso = isoOf(value);
  if (!iso) return <span className={className}>{empty}</span>;
  return (
    <time dateTime={iso} className={className}>
      {formatDateTime(value, empty, ctx)}
    </time>
  );
}

/** "7 Dec 2026": the day in the reader's time zone, the full date-time on hover. */
export function FormattedDate({ value, empty = "—", className }: TimeProps) {
  const ctx = useFormatContext();
  const iso = isoOf(value);
  if (!iso) return <span className={className}>{empty}</span>;
  return (
    <time dateTime={iso} title={formatDateTime(value, empty, ctx)} className={className}>
      {formatDate(value, empty, ctx)}
    </time>
  );
}

/** "14:05:09": a time of day in the reader's time zone, the full date-time on hover. */
export function FormattedTime({ value, seconds = false, className }: TimeProps & { seconds?: boolean }) {
  const ctx = useFormatContext();
  const iso = isoOf(value);
  if (!iso) return <span className={className}>—</span>;
  return (
    <time dateTime={iso} title={formatDateTime(value, "—", ctx)} className={className}>
      {formatTime(value, ctx, { seconds })}
    </time>
  );
}

/** A calendar day as the URL and date inputs carry it ("2026-12-07") in the reader's words: "7 Dec 2026". */
export function FormattedDay({ day, empty = "—", className }: { day: string | null | undefined; empty?: string; className?: string }) {
  const ctx = useFormatContext();
  if (!day) return <span className={className}>{empty}</span>;
  return (
    <time dateTime={day} className={className}>
      {formatDay(day, empty, ctx.locale)}
    </time>
  );
}

/** "3 minutes ago" (kept current), the full date-time on hover; `empty` ("never") for no value. */
export function RelativeTime({ value, empty = "never", className }: TimeProps) {
  const hydrated = useHydrated();
  const clock = useSyncExternalStore(subscribeClock, readClock, readClock);
  const ctx = hydrated ? browserContext() : STABLE;
  const iso = isoOf(value);
  if (!iso) return <span className={className}>{empty}</span>;
  return (
    <time key={hydrated ? "browser" : "server"} dateTime={iso} title={formatDateTime(value, "—", ctx)} className={className} suppressHydrationWarning>
      {formatRelative(value, clock, empty, hydrated ? ctx.locale : "en")}
    </time>
  );
}

/** "₽268,000" / "$1,234.50" in the reader's locale. */
export function Money({
  value,
  currency,
  empty = "—",
  className,
}: {
  value: number | string | null | undefined;
  currency: string | null | undefined;
  empty?: string;
  className?: string;
}) {
  const { locale } = useFormatContext();
  return <span className={className}>{formatMoney(value, currency, { empty, locale })}</span>;
}

/** A ratio (0–1) as "17.3%" in the reader's locale. */
export function Percent({ value, digits, empty = "—", className }: { value: number | null | undefined; digits?: number; empty?: string; className?: string }) {
  const { locale } = useFormatContext();
  return <span className={className}>{formatPercent(value, { empty, digits, locale })}</span>;
}

/** A count with the reader's digit grouping: "1,234" / "1 234". */
export function Count({ value, empty = "—", className }: { value: number | string | null | undefined; empty?: string; className?: string }) {
  const { locale } = useFormatContext();
  return <span className={className}>{formatCount(value, empty, locale)}</span>;
}

/** "14:05:09" when the moment falls on the reader's today, "7 Dec 2026, 14:05" otherwise; the full date-time on hover. */
export function TimeOrDate({ value, empty = "—", className }: TimeProps) {
  const hydrated = useHydrated();
  const clock = useSyncExternalStore(subscribeClock, readClock, readClock);
  const ctx = hydrated ? browserContext() : STABLE;
  const iso = isoOf(value);
  if (!iso) return <span className={className}>{empty}</span>;
  const today = formatDate(value, empty, ctx) === formatDate(clock, empty, ctx);
  // which day it is depends on the clock, as for <RelativeTime>: the browser's text replaces the server's once hydrated
  return (
    <time key={hydrated ? "browser" : "server"} dateTime={iso} title={formatDateTime(value, empty, ctx)} className={className} suppressHydrationWarning>
      {today ? formatTime(value, ctx, { seconds: true }) : formatDateTime(value, empty, ctx)}
    </time>
  );
}

/** Any text whose tooltip names a moment ("Free replies until 7 Dec 2026, 14:05") in the reader's locale and time zone. */
export function DateTitle({ value, prefix = "", className, children }: { value: Instant; prefix?: string; className?: string; children: React.ReactNode }) {
  const ctx = useFormatContext();
  return (
    <span className={className} title={`${prefix}${formatDateTime(value, "—", ctx)}`}>
      {children}
    </span>
  );
}
