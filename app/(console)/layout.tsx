import { redirect } from "next/navigation";
import { AppShell } from "@/components/console/app-shell";
import { currentUser } from "@/lib/auth";
import { signOutAction } from "./actions";

// Shell and navigation only: NOT an auth boundary. Every page checks its own role.
export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const user = await currentUser();
  if (!user) redirect("/login");
  return (
    <AppShell user={user} signOutAction={signOutAction}>
      {children}
    </AppShell>
  );
}
