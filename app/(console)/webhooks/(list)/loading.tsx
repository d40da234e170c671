import { PageSkeleton, SkeletonRow } from "@/components/console/page-skeleton";
import { Skeleton } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <PageSkeleton label="Loading webhook events">
      <SkeletonRow count={3} className="flex gap-3" itemClassName="h-8 w-44" />
      <Skeleton className="h-96" />
    </PageSkeleton>
  );
}
