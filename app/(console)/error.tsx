"use client";

import { RotateCw, TriangleAlert } from "lucide-react";
import { Button } from "@/components/ui/button";

export default function ConsoleError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="flex min-h-[50vh] flex-col items-center justify-center gap-4 text-center">
      <TriangleAlert className="size-10 text-destructive" aria-hidden />
      <h1 className="text-xl font-semibold">This page could not be loaded</h1>
      <p className="max-w-md text-sm text-muted-foreground">
        Something went wrong on our side{error.digest ? ` (reference ${error.digest})` : ""}. Try again; if it keeps happening, check the server log.
      </p>
      <Button onClick={reset} variant="outline">
        <RotateCw aria-hidden />
        Try again
      </Button>
    </div>
  );
}
