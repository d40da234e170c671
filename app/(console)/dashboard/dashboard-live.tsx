"use client";

import { useQuery } from "@tanstack/react-query";
import { AlertTriangle, CheckCircle2, Clock, Megaphone, MessagesSquare, Users } from "lucide-react";
import { StatCard } from "@/components/ui/stat-card";
import type { Dashboard } from "@/lib/dashboard";
import { ConversationsChart } from "./conversations-chart";

const fmt = new Intl.NumberFormat("en");
const pct = new Intl.NumberFormat("en", { style: "percent", maximumFractionDigits: 0 });

async function fetchDashboard(): Promise<Dashboard> {
  const res = await fetch("/api/v1/dashboard", { cache: "no-store" });
  if (!res.ok) throw new Error(`dashboard: HTTP ${res.status}`);
  return (await res.json()) as Dashboard;
}

export function DashboardLive({ initial }: { initial: Dashboard }) {
  const { data, isError, dataUpdatedAt } = useQuery({
    queryKey: ["dashboard"],
    queryFn: fetchDashboard,
    initialData: initial,
    initialDataUpdatedAt: Date.parse(initial.generatedAt),
    refetchInterval: 15_000,
  });
  const c = data.counts;
  return (
    <section aria-label="Key figures" className="grid gap-6" data-updated={dataUpdatedAt}>
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3">
        <StatCard label="Subscribers" value={fmt.format(c.subscribers)} icon={Users} hint="Everyone who has written to you" />
        <StatCard
          label="Conversations, last 7 days"
          value={fmt.format(c.conversations7d)}
          icon={MessagesSquare}
          hint="A new ad click or a new 24 h window starts one"
        />
        <StatCard
          label="Ad-attributed share, last 7 days"
          value={data.adShare === null ? "—" : pct.format(data.adShare)}
          icon={Megaphone}
          hint={`${fmt.format(c.adConversations7d)} of ${fmt.format(c.conversations7d)} conversations came from an ad click`}
        />
        <StatCard label="Drip queue pending" value={fmt.format(c.queuePending)} icon={Clock} hint="Scheduled follow-ups not sent yet" />
        <StatCard
          label="Drip queue failed"
          value={fmt.format(c.queueFailed)}
          icon={AlertTriangle}
          tone={c.queueFailed > 0 ? "destructive" : "default"}
          hint={c.queueFailed > 0 ? "Messages the provider refused" : "No failed sends"}
        />
        <StatCard
          label="Conversions sent to Meta"
          value={fmt.format(c.conversionsSent)}
          icon={CheckCircle2}
          tone="success"
          hint={c.conversionsFailed > 0 ? `${fmt.format(c.conversionsFailed)} failed or rejected` : "None failed"}
        />
      </div>
      <ConversationsChart series={data.series} />
      {isError ? <p className="text-sm text-warning">Could not refresh the figures; showing the last ones loaded.</p> : null}
    </section>
  );
}
