import { PageSkeleton } from "@/components/console/page-skeleton";
import { Skeleton } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <PageSkeleton label="Loading the lead" back>
      <Skeleton className="h-48" />
      <Skeleton className="h-64" />
    </PageSkeleton>
  );
}
