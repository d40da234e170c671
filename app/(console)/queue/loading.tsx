import { PageSkeleton, SkeletonRow } from "@/components/console/page-skeleton";
import { Skeleton } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <PageSkeleton label="Loading the queue">
      <SkeletonRow count={6} className="grid grid-cols-3 gap-3 lg:grid-cols-6" itemClassName="h-20" />
      <Skeleton className="h-48" />
      <SkeletonRow count={2} className="flex flex-wrap gap-3" itemClassName="h-8 w-52" />
      <Skeleton className="h-9 w-80" />
      <Skeleton className="h-80" />
    </PageSkeleton>
  );
}
