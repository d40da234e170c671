// How the console names people and numbers (one wording everywhere).
import { formatPhone } from "@/lib/phone";

/** A subscriber: the WhatsApp profile name, else the username, the phone, or the business-scoped user id. */
export function subscriberName(
  s: { profileName: string | null; username?: string | null; waPhone: string | null; userId?: string | null },
  fallback = "Subscriber",
): string {
  return s.profileName ?? s.username ?? (s.waPhone ? formatPhone(s.waPhone) : null) ?? s.userId ?? fallback;
}

/** A connected number in options and links: its label and phone, and "demo" for a demo number. */
export function numberLabel(n: { label: string; phoneE164: string; demo?: boolean }): string {
  return `${n.label} (${formatPhone(n.phoneE164)})${n.demo ? " · demo" : ""}`;
}
