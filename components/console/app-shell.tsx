import { Suspense } from "react";
import { Logo } from "@/components/console/logo";
import { MainNav } from "@/components/console/main-nav";
import { MobileNav } from "@/components/console/mobile-nav";
import { NavigationProgress } from "@/components/console/navigation-progress";
import { UserMenu } from "@/components/console/user-menu";
import { WorkspaceSwitcher } from "@/components/console/workspace-switcher";
import type { Role } from "@/lib/roles-types";

type ShellUser = { name: string; email: string; role: Role; tenantId: string; tenantName: string; passwordChangeRequired?: boolean };
type SwitcherProps = Omit<React.ComponentProps<typeof WorkspaceSwitcher>, "activeTenantId">;

export function AppShell({
  user,
  workspaces,
  signOutAction,
  children,
}: {
  user: ShellUser;
  /** the user's workspaces and the switch/create actions */
  workspaces: SwitcherProps;
  signOutAction: () => Promise<void>;
  children: React.ReactNode;
}) {
  const switcher = <WorkspaceSwitcher {...workspaces} activeTenantId={user.tenantId} />;
  const userMenu = <UserMenu user={user} signOutAction={signOutAction} />;
  // while an admin-set password awaits its change, only the Account page opens: no navigation to offer
  const noNav = !!user.passwordChangeRequired;
  return (
    <div className="flex min-h-screen">
      <Suspense fallback={null}>
        <NavigationProgress />
      </Suspense>
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-background focus:px-3 focus:py-2"
      >
        Skip to content
      </a>
      <aside className="sticky top-0 hidden h-screen w-60 shrink-0 flex-col border-r bg-muted/30 md:flex">
        <div className="flex h-14 items-center border-b px-4">
          <Logo />
        </div>
        <div className="px-2 pt-2">{switcher}</div>
        <MainNav role={user.role} empty={noNav} className="flex-1 overflow-y-auto px-2 py-2" />
        <div className="border-t p-2">{userMenu}</div>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="sticky top-0 z-40 flex h-14 items-center gap-2 border-b bg-background/95 px-4 backdrop-blur md:hidden">
          <MobileNav role={user.role} empty={noNav} switcher={switcher} userMenu={userMenu} />
          <Logo />
          <span className="ml-auto min-w-0 truncate text-sm text-muted-foreground" data-testid="mobile-workspace-name">
            {user.tenantName}
          </span>
        </header>
        <main id="main" tabIndex={-1} className="mx-auto w-full max-w-6xl min-w-0 flex-1 px-4 py-6 outline-none md:px-8">
          {children}
        </main>
      </div>
    </div>
  );
}
