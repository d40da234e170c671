// A workspace's quiet hours (tenants.quiet_hours_start/end, minutes after midnight): the drip sends nothing
// to a subscriber while their own wall clock (their time zone, known from the phone; UTC when unknown) is
// inside the period. A period may run across midnight (22:00–08:00). A due row is moved to the period's end.

export type QuietHours = { start: number; end: number };

const MINUTES_PER_DAY = 1440;
const MINUTE_MS = 60_000;

/** The tenant's columns as a period: both set and different, else none. */
export function quietHoursOf(row: { quietHoursStart: number | null; quietHoursEnd: number | null }): QuietHours | null {
  const { quietHoursStart: start, quietHoursEnd: end } = row;
  return start === null || end === null || start === end ? null : { start, end };
}

/** "22:00" for 1320. */
export function formatMinutes(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

/** 1320 for "22:00"; null when it is not an HH:MM time of day. */
export function parseMinutes(text: string): number | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    formatters.set(zone, f);
  }
  return f;
}

/** Minutes after midnight on the wall clock of `zone` at `at` (UTC for an unknown or missing zone). */
export function localMinutes(at: Date, zone: string | null): number {
  let f: Intl.DateTimeFormat;
  try {
    f = formatterFor(zone ?? "UTC");
  } catch {
    f = formatterFor("UTC"); // a zone this runtime does not know
  }
  let hour = 0;
  let minute = 0;
  for (const p of f.formatToParts(at)) {
    if (p.type === "hour") hour = Number(p.value) % 24;
    else if (p.type === "minute") minute = Number(p.value);
  }
  return hour * 60 + minute;
}

const inside = (m: number, { start, end }: QuietHours) => (start < end ? m >= start && m < end : m >= start || m < end);

/**
 * When the quiet period that `now` falls in ends, in the subscriber's `zone`; null when `now` is outside it
 * (or there are no quiet hours). The end is the first instant the local clock shows `end` again, so a clock
 * change (DST) inside the period is followed.
 */
export function quietUntil(now: Date, zone: string | null, quiet: QuietHours | null): Date | null {
  if (!quiet) return null;
  const local = localMinutes(now, zone);
  if (!inside(local, quiet)) return null;
  const minuteStart = Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS;
  let end = minuteStart + ((quiet.end - local + MINUTES_PER_DAY) % MINUTES_PER_DAY) * MINUTE_MS;
  // a clock change in between: move by the difference the wall clock shows (at most a few hours)
  const drift = (quiet.end - localMinutes(new Date(end), zone) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
  if (drift !== 0) end += (drift > MINUTES_PER_DAY / 2 ? drift - MINUTES_PER_DAY : drift) * MINUTE_MS;
  return new Date(Math.max(end, minuteStart + MINUTE_MS)); // always later than now
}
