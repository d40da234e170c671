"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useTransition } from "react";

/**
 * Keeps the first page of the current view live: polls its top row, and when a subscriber appears (or
 * writes again) above it, re-renders the list in place (no reload; filters and scroll position stay).
 */
export function NewArrivals({ query, sort, topId, topAt }: { query: string; sort: "last_inbound" | "first_seen"; topId: string | null; topAt: number | null }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const { data } = useQuery({
    queryKey: ["subscribers-top", query],
    queryFn: async () => {
      const res = await fetch(`/api/v1/subscribers?${query}${query ? "&" : ""}limit=1`, { cache: "no-store" });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return (await res.json()) as { rows: { id: string; lastInboundAt: number | null; firstSeenAt: number }[] };
    },
    refetchInterval: 5_000,
  });
  const top = data?.rows[0];
  const at = top ? (sort === "first_seen" ? top.firstSeenAt : (top.lastInboundAt ?? 0)) : 0;
  const changed = Boolean(top && (top.id !== topId || at > (topAt ?? 0)));
  useEffect(() => {
    if (changed && !pending) startTransition(() => router.refresh());
  }, [changed, pending, router]);
  return (
    <p className="sr-only" role="status" aria-live="polite">
      {pending ? "Loading new messages…" : ""}
    </p>
  );
}
