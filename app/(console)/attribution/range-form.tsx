"use client";

import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Spinner } from "@/components/ui/spinner";

/** The report's date range (whole UTC days), kept in the URL. */
export function RangeForm({ from, to, error }: { from: string; to: string; error?: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <form
      className="flex flex-wrap items-end gap-3"
      onSubmit={(e) => {
        e.preventDefault();
        const data = new FormData(e.currentTarget);
        startTransition(() => router.push(`/attribution?from=${data.get("from")}&to=${data.get("to")}`));
      }}
    >
      <div className="grid gap-1.5">
        <Label htmlFor="from" className="text-xs text-muted-foreground">From</Label>
        <Input id="from" name="from" type="date" defaultValue={from} className="h-8 w-40" required aria-invalid={error ? true : undefined} />
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="to" className="text-xs text-muted-foreground">To</Label>
        <Input id="to" name="to" type="date" defaultValue={to} className="h-8 w-40" required aria-invalid={error ? true : undefined} />
      </div>
      <Button type="submit" size="sm" variant="outline" disabled={pending}>
        {pending ? <Spinner /> : null}
        Show
      </Button>
      {error ? <p className="w-full text-xs text-destructive">{error}</p> : null}
    </form>
  );
}
