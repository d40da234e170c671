"use client";

import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Spinner } from "@/components/ui/spinner";

/** A range of days inside a report's form: From and To date inputs (re-seeded when the URL's range changes) and Show. */
export function DayRangeFields({ idPrefix, from, to, invalid, pending }: { idPrefix: string; from: string; to: string; invalid: boolean; pending: boolean }) {
  const field = (name: "from" | "to", label: string, value: string) => (
    <div className="grid gap-1.5">
      <Label htmlFor={`${idPrefix}-${name}`} className="text-xs text-muted-foreground">
        {label}
      </Label>
      <Input
        id={`${idPrefix}-${name}`}
        name={name}
        type="date"
        defaultValue={value}
        key={`${name}-${value}`}
        className="h-8 w-40"
        required
        aria-invalid={invalid ? true : undefined}
      />
    </div>
  );
  return (
    <>
      {field("from", "From", from)}
      {field("to", "To", to)}
      <Button type="submit" size="sm" variant="outline" disabled={pending}>
        {pending ? <Spinner /> : null}
        Show
      </Button>
    </>
  );
}
