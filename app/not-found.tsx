import { SearchX } from "lucide-react";
import Link from "next/link";
import { Button } from "@/components/ui/button";

export default function NotFound() {
  return (
    <main className="flex min-h-[60vh] flex-col items-center justify-center gap-4 px-4 text-center">
      <SearchX className="size-10 text-muted-foreground" aria-hidden />
      <h1 className="text-xl font-semibold">Not found</h1>
      <p className="max-w-md text-sm text-muted-foreground">This page does not exist, or it belongs to another workspace.</p>
      <Button asChild variant="outline">
        <Link href="/dashboard">Back to the dashboard</Link>
      </Button>
    </main>
  );
}
