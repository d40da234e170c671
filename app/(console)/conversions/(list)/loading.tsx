import { PageSkeleton, SkeletonRow } from "@/components/console/page-skeleton";
import { Skeleton } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <PageSkeleton label="Loading conversions">
      <SkeletonRow count={4} className="grid grid-cols-2 gap-4 lg:grid-cols-4" itemClassName="h-24" />
      <SkeletonRow count={5} className="flex flex-wrap gap-3" itemClassName="h-8 w-40" />
      <Skeleton className="h-96" />
    </PageSkeleton>
  );
}
