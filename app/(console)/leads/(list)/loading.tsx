import { PageSkeleton, SkeletonRow } from "@/components/console/page-skeleton";
import { Skeleton } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <PageSkeleton label="Loading leads">
      <SkeletonRow count={5} className="flex flex-wrap gap-3" itemClassName="h-8 w-40" />
      <Skeleton className="h-96" />
    </PageSkeleton>
  );
}
