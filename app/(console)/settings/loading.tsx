import { PageSkeleton, SkeletonRow } from "@/components/console/page-skeleton";

export default function Loading() {
  return (
    <PageSkeleton label="Loading the settings">
      <SkeletonRow count={4} className="grid gap-6" itemClassName="h-48" />
    </PageSkeleton>
  );
}
