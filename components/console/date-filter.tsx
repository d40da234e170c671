"use client";

// A date filter of a list bar: a native date input that reports YYYY-MM-DD (or nothing), with its inline error.
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

export function DateFilter(props: {
  id: string;
  label: string;
  value: string | undefined;
  error?: string;
  disabled: boolean;
  onChange: (v: string | undefined) => void;
}) {
  return (
    <div className="grid gap-1.5">
      <Label htmlFor={props.id} className="text-xs text-muted-foreground">
        {props.label}
      </Label>
      <Input
        key={props.value ?? ""} // "Clear filters" empties it
        id={props.id}
        type="date"
        className="h-8 w-36"
        defaultValue={props.value ?? ""}
        disabled={props.disabled}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? `${props.id}-error` : undefined}
        onChange={(e) => props.onChange(e.target.value || undefined)}
      />
      {props.error ? (
        <p id={`${props.id}-error`} className="text-xs text-destructive">
          {props.error}
        </p>
      ) : null}
    </div>
  );
}
