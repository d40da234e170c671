// What a console page shows while it loads: its back link, title and description as placeholders,
// then the page's own blocks.
import { Skeleton } from "@/components/ui/skeleton";

export function PageSkeleton({ label, back = false, children }: { label: string; back?: boolean; children: React.ReactNode }) {
  return (
    <div role="status" className="grid gap-6" aria-busy="true" aria-label={label}>
      {back ? <Skeleton className="h-4 w-32" /> : null}
      <div className="grid gap-2">
        <Skeleton className="h-8 w-56" />
        <Skeleton className="h-4 w-full max-w-2xl" />
      </div>
      {children}
    </div>
  );
}

/** `count` placeholders of one size in a row or grid (counters, filters). */
export function SkeletonRow({ count, className, itemClassName }: { count: number; className: string; itemClassName: string }) {
  return (
    <div className={className}>
      {Array.from({ length: count }, (_, i) => (
        <Skeleton key={i} className={itemClassName} />
      ))}
    </div>
  );
}
