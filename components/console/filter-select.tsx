"use client";

import { X } from "lucide-react";
import { LoadingNote } from "@/components/console/list-parts";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";

const ANY = "any"; // Radix Select items cannot have an empty value

export type FilterOption = { value: string; label: string };

/** One labelled filter of a list: "any" plus the options; undefined means "any". */
export function FilterSelect(props: {
  id: string;
  label: string;
  anyLabel: string;
  value: string | undefined;
  options: FilterOption[];
  onChange: (v: string | undefined) => void;
  disabled: boolean;
  className?: string;
}) {
  return (
    <div className="grid gap-1.5">
      <Label htmlFor={props.id} className="text-xs text-muted-foreground">
        {props.label}
      </Label>
      <Select value={props.value ?? ANY} onValueChange={(v) => props.onChange(v === ANY ? undefined : v)} disabled={props.disabled}>
        <SelectTrigger id={props.id} size="sm" className={props.className ?? "w-44"}>
          <SelectValue />
        </SelectTrigger>
        <SelectContent>
          <SelectItem value={ANY}>{props.anyLabel}</SelectItem>
          {props.options.map((o) => (
            <SelectItem key={o.value} value={o.value}>
              {o.label}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
    </div>
  );
}

/** The end of a filter bar: "Clear filters" while any is set, and a loading note while the list reloads. */
export function FilterBarEnd({ active, pending, onClear }: { active: boolean; pending: boolean; onClear: () => void }) {
  return (
    <>
      {active ? (
        <Button type="button" variant="ghost" size="sm" onClick={onClear} disabled={pending}>
          <X aria-hidden />
          Clear filters
        </Button>
      ) : null}
      {pending ? <LoadingNote /> : null}
    </>
  );
}
