"use client";

import { useRouter } from "next/navigation";
import { useEffect, useTransition } from "react";

/**
 * Re-renders the current server page in place every `intervalMs` while `active` (e.g. while something on
 * it is still being processed), and only while the tab is visible; shows a small live note when given one.
 */
export function AutoRefresh({ active, intervalMs, note }: { active: boolean; intervalMs: number; note?: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") startTransition(() => router.refresh());
    }, intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs, router]);
  if (!active || !note) return null;
  return (
    <p className="inline-flex items-center gap-2 text-xs text-muted-foreground" role="status" aria-live="polite" data-testid="auto-refresh">
      <span className="relative flex size-2" aria-hidden>
        <span className={pending ? "absolute inline-flex size-full animate-ping rounded-full bg-primary opacity-60" : "hidden"} />
        <span className="relative inline-flex size-2 rounded-full bg-primary" />
      </span>
      {note}
    </p>
  );
}
