"use client";

import { usePathname } from "next/navigation";
import { activeNavHref, NAV_ITEMS } from "@/components/console/nav-items";
import { NavLink } from "@/components/console/nav-link";
import { InboxUnreadBadge } from "@/components/inbox/unread-badge";
import { hasRole } from "@/lib/roles";
import type { Role } from "@/lib/roles-types";
import { cn } from "@/lib/utils";

/** The console's sections the role may open, with the current one (and only it) marked as the page. */
export function MainNav({
  role,
  empty = false,
  onNavigate,
  className,
}: {
  role: Role;
  /** no sections at all (while an admin-set password awaits its change, only the Account page opens) */
  empty?: boolean;
  onNavigate?: () => void;
  className?: string;
}) {
  const pathname = usePathname();
  const items = empty ? [] : NAV_ITEMS.filter((item) => hasRole(role, item.role));
  const active = activeNavHref(
    pathname,
    items.map((i) => i.href),
  );
  return (
    <nav aria-label="Main" className={cn("flex flex-col gap-0.5", className)}>
      {items.map(({ href, label, icon: Icon }) => (
        <NavLink key={href} href={href} active={href === active} onNavigate={onNavigate}>
          <Icon aria-hidden />
          {label}
          {href === "/inbox" ? <InboxUnreadBadge /> : null}
        </NavLink>
      ))}
    </nav>
  );
}
