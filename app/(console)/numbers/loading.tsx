import { PageSkeleton, SkeletonRow } from "@/components/console/page-skeleton";

export default function Loading() {
  return (
    <PageSkeleton label="Loading the numbers">
      <SkeletonRow count={3} className="grid gap-2" itemClassName="h-16" />
    </PageSkeleton>
  );
}
