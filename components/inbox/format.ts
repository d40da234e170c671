// Pure helpers of the inbox: the window's time left, day groups of a transcript, text split into plain
// runs and links (never HTML), and the URL of a filtered inbox view.

/** "23 h 5 min left", "12 min left", "closed": the 24-hour window of a chat at `now`. */
export function formatTimeLeft(expiresAt: string | null, now: number): string {
  if (!expiresAt) return "never opened";
  const ms = Date.parse(expiresAt) - now;
  if (!(ms > 0)) return "closed";
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return "under 1 min left";
  if (minutes < 60) return `${minutes} min left`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours} h ${minutes % 60} min left` : `${hours} h left`;
}

/** The local calendar day of a time, as a key ("2026-12-07"). */
export function dayKey(at: string | number | Date): string {
  const d = new Date(at);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** "Today", "Yesterday" or "Monday, 7 December 2026" (in the reader's locale: "Monday, December 7, 2026") for a day separator. */
export function dayLabel(at: string | number | Date, now: number, locale = "en-GB"): string {
  const key = dayKey(at);
  if (key === dayKey(now)) return "Today";
  const yesterday = new Date(now);
  yesterday.setDate(yesterday.getDate() - 1);
  if (key === dayKey(yesterday)) return "Yesterday";
  let format = dayFormats.get(locale);
  if (!format) dayFormats.set(locale, (format = new Intl.DateTimeFormat(locale, { weekday: "long", day: "numeric", month: "long", year: "numeric" })));
  return format.format(new Date(at));
}

/** Items (oldest first) in groups of one local day each, in the same order. */
export function groupByDay<T extends { at: string }>(items: T[]): { day: string; items: T[] }[] {
  const groups: { day: string; items: T[] }[] = [];
  for (const item of items) {
    const day = dayKey(item.at);
    const last = groups[groups.length - 1];
    if (last && last.day === day) last.items.push(item);
    else groups.push({ day, items: [item] });
  }
  return groups;
}

export type TextPart = { kind: "text"; text: string } | { kind: "link"; text: string; href: string };

const URL_PATTERN = /\b(?:https?:\/\/|www\.)[^\s<>"']+/gi;
const TRAILING = /[.,;:!?)\]}'"»]+$/;

/**
 * A message's text as plain runs and links, for React to render as text nodes and <a> elements: nothing is
 * ever HTML. Only http(s) links are made (www. gets https://); trailing punctuation stays text.
 */
export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    let url = match[0];
    const trail = url.match(TRAILING)?.[0] ?? "";
    if (trail) url = url.slice(0, -trail.length);
    const start = match.index;
    const href = url.toLowerCase().startsWith("www.") ? `https://${url}` : url;
    let valid = false;
    try {
      const parsed = new URL(href);
      valid = (parsed.protocol === "http:" || parsed.protocol === "https:") && parsed.hostname.includes(".");
    } catch {
      valid = false;
    }
    if (!valid) continue;
    if (start > last) parts.push({ kind: "text", text: text.slice(last, start) });
    parts.push({ kind: "link", text: url, href });
    last = start + url.length;
  }
  if (last < text.length) parts.push({ kind: "text", text: text.slice(last) });
  return parts;
}

export const INBOX_FILTER_KEYS = ["numberId", "assigned", "unread", "windowOpen", "adId", "q"] as const;
export type InboxFilterKey = (typeof INBOX_FILTER_KEYS)[number];
export type InboxFilterValues = Partial<Record<InboxFilterKey, string>>;

/** The filters as a query string, in the API's names (the page's URL uses the same ones). */
export function filterQuery(values: InboxFilterValues): string {
  const q = new URLSearchParams();
  for (const key of INBOX_FILTER_KEYS) {
    const v = values[key];
    if (v && !(key === "assigned" && v === "anyone")) q.set(key, v);
  }
  return q.toString();
}

/**
 * The inbox URL for these filters, with a chat open or not. "All chats" stays in the URL: without `assigned` the
 * inbox opens on the viewer's own chats when they have some.
 */
export function inboxHref(values: InboxFilterValues, chatId?: string | null): string {
  const q = new URLSearchParams(filterQuery(values));
  if (values.assigned === "anyone") q.set("assigned", "anyone");
  if (chatId) q.set("chat", chatId);
  const s = q.toString();
  return s ? `/inbox?${s}` : "/inbox";
}

/** A map link for a shared location (OpenStreetMap, no key needed). */
export function mapLink(latitude: number, longitude: number): string {
  return `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=16/${latitude}/${longitude}`;
}
