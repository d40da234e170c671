import { redirect } from "next/navigation";
import { AppShell } from "@/components/console/app-shell";
import { getDb } from "@/db/client";
import { listWorkspaces } from "@/lib/accounts/workspaces";
import { currentUser } from "@/lib/auth";
import { createWorkspaceAction, signOutAction, switchWorkspaceAction } from "./actions";

// Shell and navigation only: NOT an auth boundary. Every page checks its own role.
export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const user = await currentUser();
  if (!user) redirect("/login");
  const workspaces = await listWorkspaces(await getDb(), user.id);
  return (
    <AppShell
      user={user}
      workspaces={{
        workspaces,
        canCreate: workspaces.some((w) => w.role === "admin"),
        switchAction: switchWorkspaceAction,
        createAction: createWorkspaceAction,
      }}
      signOutAction={signOutAction}
    >
      {children}
    </AppShell>
  );
}
