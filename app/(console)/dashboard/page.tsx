import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/page-header";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth";
import { getDashboard } from "@/lib/dashboard";
import { hasRole } from "@/lib/roles";
import { DashboardLive } from "./dashboard-live";
import { GettingStarted } from "./getting-started";

// reads the database on every request: never prerendered at build time
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const user = await requireUser({ role: "marketer" });
  const dashboard = await getDashboard(await getDb(), { tenantId: user.tenantId, now: new Date() });
  const empty = dashboard.counts.numbers === 0 && dashboard.counts.subscribers === 0;
  return (
    <div className="grid gap-6">
      <PageHeader title="Dashboard" description={`${user.tenantName} at a glance. Counts refresh on their own.`} />
      {empty ? <GettingStarted canLoadDemo={hasRole(user.role, "admin")} canConnect={hasRole(user.role, "manager")} /> : null}
      <DashboardLive initial={dashboard} />
    </div>
  );
}
