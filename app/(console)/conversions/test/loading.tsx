import { Skeleton } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <div className="grid max-w-2xl gap-6" aria-busy="true" aria-label="Loading the test event form">
      <Skeleton className="h-4 w-32" />
      <Skeleton className="h-8 w-56" />
      <Skeleton className="h-[32rem]" />
    </div>
  );
}
