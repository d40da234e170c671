import { PageSkeleton, SkeletonRow } from "@/components/console/page-skeleton";
import { Skeleton } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <PageSkeleton label="Loading the inbox">
      <div className="grid gap-4 md:grid-cols-[22rem_1fr]">
        <SkeletonRow count={8} className="grid content-start gap-2" itemClassName="h-16" />
        <Skeleton className="hidden h-[60dvh] md:block" />
      </div>
    </PageSkeleton>
  );
}
