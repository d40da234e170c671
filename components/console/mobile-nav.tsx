"use client";

import { Menu } from "lucide-react";
import { usePathname } from "next/navigation";
import { useState } from "react";
import { Logo } from "@/components/console/logo";
import { MainNav } from "@/components/console/main-nav";
import { Button } from "@/components/ui/button";
import { Sheet, SheetContent, SheetTitle, SheetTrigger } from "@/components/ui/sheet";
import type { Role } from "@/lib/roles-types";

/**
 * The phone's navigation: a menu button in the top bar opens a drawer with the sections, the workspace
 * switcher and the account menu. It closes on a link's click, on Escape, on the overlay, and whenever the
 * page changes underneath it.
 */
export function MobileNav({ role, empty, switcher, userMenu }: { role: Role; empty?: boolean; switcher: React.ReactNode; userMenu: React.ReactNode }) {
  const pathname = usePathname();
  // open for the page it was opened on: a navigation landing elsewhere closes it, with no effect to sync
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === pathname;
  return (
    <Sheet open={open} onOpenChange={(next) => setOpenOn(next ? pathname : null)}>
      <SheetTrigger asChild>
        <Button variant="ghost" size="icon" aria-label="Open menu" className="-ml-2">
          <Menu aria-hidden />
        </Button>
      </SheetTrigger>
      <SheetContent side="left" aria-describedby={undefined} data-testid="mobile-menu">
        <div className="flex h-14 shrink-0 items-center border-b px-4">
          <SheetTitle asChild>
            <span>
              <Logo />
              <span className="sr-only"> menu</span>
            </span>
          </SheetTitle>
        </div>
        <div className="px-2 pt-2">{switcher}</div>
        <MainNav role={role} empty={empty} onNavigate={() => setOpenOn(null)} className="flex-1 px-2 py-2" />
        <div className="border-t p-2">{userMenu}</div>
      </SheetContent>
    </Sheet>
  );
}
