"use client";

// A date filter of a list bar: a native date input that reports YYYY-MM-DD (or nothing), with its inline error.
// The input itself shows the day in the browser's locale; its tooltip says it in words the same way.
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { formatDay } from "./format";
import { useFormatContext } from "./formatted";

export function DateFilter(props: {
  id: string;
  label: string;
  value: string | undefined;
  error?: string;
  disabled: boolean;
  onChange: (v: string | undefined) => void;
}) {
  const { locale } = useFormatContext();
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
        title={props.value ? `${props.label}: ${formatDay(props.value, "", locale)}` : undefined}
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
