import { Logo } from "@/components/console/logo";
import { NAV_ITEMS } from "@/components/console/nav-items";
import { NavLink } from "@/components/console/nav-link";
import { UserMenu } from "@/components/console/user-menu";
import { WorkspaceSwitcher } from "@/components/console/workspace-switcher";
import { InboxUnreadBadge } from "@/components/inbox/unread-badge";
import { hasRole } from "@/lib/roles";
import type { Role } from "@/lib/roles-types";

function NavLinks({ items }: { items: typeof NAV_ITEMS }) {
  return items.map(({ href, label, icon: Icon }) => (
    <NavLink key={href} href={href}>
      <Icon aria-hidden />
      {label}
      {href === "/inbox" ? <InboxUnreadBadge /> : null}
    </NavLink>
  ));
}

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
  // while an admin-set password awaits its change, only the Account page opens: no navigation to offer
  const items = user.passwordChangeRequired ? [] : NAV_ITEMS.filter((item) => hasRole(user.role, item.role));
  return (
    <div className="flex min-h-screen">
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
        <nav aria-label="Main" className="flex flex-1 flex-col gap-0.5 px-2 py-2">
          <NavLinks items={items} />
        </nav>
        <div className="border-t p-2">
          <UserMenu user={user} signOutAction={signOutAction} />
        </div>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex h-14 items-center justify-between gap-3 border-b px-4 md:hidden">
          <Logo />
          <div className="flex min-w-0 items-center gap-2">
            <div className="w-40 min-w-0">{switcher}</div>
            <div className="w-44">
              <UserMenu user={user} signOutAction={signOutAction} />
            </div>
          </div>
        </header>
        <nav aria-label="Main (mobile)" className="flex gap-1 overflow-x-auto border-b px-2 py-1.5 md:hidden">
          <NavLinks items={items} />
        </nav>
        <main id="main" className="mx-auto w-full max-w-6xl flex-1 px-4 py-6 md:px-8">
          {children}
        </main>
      </div>
    </div>
  );
}
