import { PageSkeleton } from "@/components/console/page-skeleton";
import { Skeleton } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <PageSkeleton label="Loading templates">
      <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(18rem,24rem)]">
        <Skeleton className="h-96" />
        <Skeleton className="h-64" />
      </div>
    </PageSkeleton>
  );
}
