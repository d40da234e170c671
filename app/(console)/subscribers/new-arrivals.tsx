"use client";

import { useQuery } from "@tanstack/react-query";
import { RefreshCw } from "lucide-react";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { Button } from "@/components/ui/button";

/**
 * Watches the first page of the current view: when a subscriber appears (or writes again) above the
 * top row, offers to show them without a full reload. The rows never move under the reader on their own.
 */
export function NewArrivals({ query, topId, topAt }: { query: string; topId: string | null; topAt: number | null }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const { data } = useQuery({
    queryKey: ["subscribers-top", query],
    queryFn: async () => {
      const res = await fetch(`/api/v1/subscribers?${query}${query ? "&" : ""}limit=1`, { cache: "no-store" });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return (await res.json()) as { rows: { id: string; lastInboundAt: number | null; firstSeenAt: number }[] };
    },
    refetchInterval: 10_000,
  });
  const top = data?.rows[0];
  const changed = top && (top.id !== topId || (top.lastInboundAt ?? 0) > (topAt ?? 0));
  if (!changed) return null;
  return (
    <div role="status" className="flex items-center justify-between gap-3 rounded-md border border-primary/30 bg-primary/5 px-4 py-2 text-sm">
      <span>New messages arrived since this page loaded.</span>
      <Button size="sm" variant="outline" disabled={pending} onClick={() => startTransition(() => router.refresh())}>
        <RefreshCw aria-hidden className={pending ? "animate-spin" : undefined} />
        Show them
      </Button>
    </div>
  );
}
