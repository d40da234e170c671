// Display formatting shared by console pages (client and server).
const dateTime = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });

export function formatDateTime(ms: number | null | undefined, empty = "—"): string {
  return ms == null ? empty : dateTime.format(new Date(ms));
}

/** "3 minutes ago" style, coarse; `now` is injectable for stable rendering. */
export function formatRelative(ms: number | null | undefined, now = Date.now(), empty = "never"): string {
  if (ms == null) return empty;
  const diff = Math.round((ms - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
  const abs = Math.abs(diff);
  if (abs < 60) return rtf.format(diff, "second");
  if (abs < 3600) return rtf.format(Math.round(diff / 60), "minute");
  if (abs < 86_400) return rtf.format(Math.round(diff / 3600), "hour");
  return rtf.format(Math.round(diff / 86_400), "day");
}
