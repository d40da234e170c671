import {
  BarChart3,
  BookOpen,
  FileText,
  LayoutDashboard,
  ListChecks,
  MessagesSquare,
  Phone,
  Send,
  Settings,
  Target,
  Users,
  Webhook,
  type LucideIcon,
} from "lucide-react";
import type { Role } from "@/lib/roles-types";

export type NavItem = { href: string; label: string; icon: LucideIcon; role: Role };

// Only sections that work appear here; each is checked again on the server by its page.
export const NAV_ITEMS: NavItem[] = [
  { href: "/inbox", label: "Inbox", icon: MessagesSquare, role: "marketer" },
  { href: "/dashboard", label: "Dashboard", icon: LayoutDashboard, role: "marketer" },
  { href: "/subscribers", label: "Subscribers", icon: Users, role: "marketer" },
  { href: "/attribution", label: "Attribution", icon: BarChart3, role: "marketer" },
  { href: "/conversions", label: "Conversions", icon: Target, role: "marketer" },
  { href: "/leads", label: "Leads", icon: ListChecks, role: "marketer" },
  { href: "/templates", label: "Templates", icon: FileText, role: "marketer" },
  { href: "/queue", label: "Queue", icon: Send, role: "marketer" },
  { href: "/numbers", label: "Numbers", icon: Phone, role: "marketer" },
  { href: "/webhooks", label: "Webhooks", icon: Webhook, role: "marketer" },
  { href: "/api-docs", label: "API", icon: BookOpen, role: "marketer" },
  { href: "/settings", label: "Settings", icon: Settings, role: "admin" },
];

/**
 * The one section a path belongs to: the item whose href is the longest whole-segment prefix of the
 * path (so /settings/webhooks is Settings, never Webhooks too), or null when none is.
 */
export function activeNavHref(pathname: string, hrefs: readonly string[]): string | null {
  let best: string | null = null;
  for (const href of hrefs) {
    const within = pathname === href || pathname.startsWith(href.endsWith("/") ? href : `${href}/`);
    if (within && (best === null || href.length > best.length)) best = href;
  }
  return best;
}
