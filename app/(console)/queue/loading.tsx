import { Skeleton } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <div className="grid gap-6" aria-busy="true" aria-label="Loading the queue">
      <div className="grid gap-2">
        <Skeleton className="h-8 w-40" />
        <Skeleton className="h-4 w-full max-w-2xl" />
      </div>
      <div className="grid grid-cols-3 gap-3 lg:grid-cols-6">
        {Array.from({ length: 6 }, (_, i) => (
          <Skeleton key={i} className="h-20" />
        ))}
      </div>
      <Skeleton className="h-48" />
      <div className="flex flex-wrap gap-3">
        {Array.from({ length: 2 }, (_, i) => (
          <Skeleton key={i} className="h-8 w-52" />
        ))}
      </div>
      <Skeleton className="h-9 w-80" />
      <Skeleton className="h-80" />
    </div>
  );
}
