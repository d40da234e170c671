// What any console page shows while its server render is on the way, unless its folder has a skeleton of its own.
import { PageSkeleton } from "@/components/console/page-skeleton";
import { Skeleton } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <PageSkeleton label="Loading the page">
      <Skeleton className="h-40" />
      <Skeleton className="h-72" />
    </PageSkeleton>
  );
}
