"use client";

// The search box of a list's filter bar: applied with Enter (the form's submit), with its inline error.
import { Search } from "lucide-react";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { cn } from "@/lib/utils";

export function SearchFilter(props: { value: string; onChange: (v: string) => void; placeholder: string; error?: string; className?: string }) {
  return (
    <div className={cn("grid flex-1 gap-1.5", props.className)}>
      <Label htmlFor="filter-q" className="text-xs text-muted-foreground">
        Search
      </Label>
      <div className="relative">
        <Search className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden />
        <Input
          id="filter-q"
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
          placeholder={props.placeholder}
          className="h-8 pl-8"
          aria-invalid={props.error ? true : undefined}
          aria-describedby={props.error ? "filter-q-error" : undefined}
        />
      </div>
      {props.error ? (
        <p id="filter-q-error" className="text-xs text-destructive">
          {props.error}
        </p>
      ) : null}
    </div>
  );
}
