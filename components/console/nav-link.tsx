"use client";

import Link from "next/link";
import { cn } from "@/lib/utils";

export function NavLink({
  href,
  active,
  onNavigate,
  children,
}: {
  href: string;
  /** this link's section is the current page's (one link of a navigation at most) */
  active: boolean;
  /** called when a click starts a navigation (the mobile menu closes itself) */
  onNavigate?: () => void;
  children: React.ReactNode;
}) {
  return (
    <Link
      href={href}
      aria-current={active ? "page" : undefined}
      onNavigate={onNavigate}
      className={cn(
        "flex items-center gap-2.5 rounded-md px-2.5 py-2 text-sm font-medium text-muted-foreground transition-colors md:py-1.5",
        "hover:bg-accent hover:text-accent-foreground focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none",
        "[&_svg]:size-4 [&_svg]:shrink-0",
        active && "bg-accent text-foreground",
      )}
    >
      {children}
    </Link>
  );
}
