import Link from "next/link";
import { cn } from "@/lib/utils";

const OPTIONS = [
  { value: undefined, label: "All" },
  { value: "failed", label: "Failed" },
  { value: "pending", label: "Pending" },
  { value: "enriched", label: "Fetched" },
];

/** Status filter as links (the view stays in the URL). */
export function FilterLinks({ current }: { current?: string }) {
  return (
    <nav aria-label="Filter by status" className="flex gap-1">
      {OPTIONS.map((o) => (
        <Link
          key={o.label}
          href={o.value ? `/attribution/ads?status=${o.value}` : "/attribution/ads"}
          aria-current={current === o.value ? "page" : undefined}
          className={cn("rounded-md px-3 py-1 text-sm", current === o.value ? "bg-muted font-medium" : "text-muted-foreground hover:bg-muted/60")}
        >
          {o.label}
        </Link>
      ))}
    </nav>
  );
}
