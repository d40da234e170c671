import { PageSkeleton, SkeletonRow } from "@/components/console/page-skeleton";
import { Skeleton } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <PageSkeleton label="Loading the audiences" back>
      <SkeletonRow count={3} className="grid gap-3" itemClassName="h-28" />
      <Skeleton className="h-9 w-48" />
    </PageSkeleton>
  );
}
