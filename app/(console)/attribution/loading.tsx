import { PageSkeleton, SkeletonRow } from "@/components/console/page-skeleton";
import { Skeleton } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <PageSkeleton label="Loading the attribution report">
      <SkeletonRow count={4} className="flex flex-wrap gap-3" itemClassName="h-8 w-40" />
      <SkeletonRow count={4} className="grid grid-cols-2 gap-4 lg:grid-cols-4" itemClassName="h-28" />
      <Skeleton className="h-80" />
      <Skeleton className="h-72" />
    </PageSkeleton>
  );
}
