import { PageSkeleton, SkeletonRow } from "@/components/console/page-skeleton";
import { Skeleton } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <PageSkeleton label="Loading ad details" back>
      <SkeletonRow count={4} className="flex flex-wrap gap-1" itemClassName="h-7 w-20" />
      <Skeleton className="h-96" />
    </PageSkeleton>
  );
}
