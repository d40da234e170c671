import * as React from "react";

import { Label } from "@/components/ui/label";
import { cn } from "@/lib/utils";

type FormFieldProps = {
  /** id of the child control; also used to derive `${id}-description` and `${id}-error`. */
  id: string;
  label: React.ReactNode;
  error?: React.ReactNode;
  description?: React.ReactNode;
  /** Visually marks the label as required (the control itself should set `required`). */
  required?: boolean;
  className?: string;
  children: React.ReactNode;
};

/**
 * Build the `aria-describedby` value for a FormField child control: the message the field shows, which is
 * its error when it has one, its description otherwise.
 */
function fieldDescribedBy(id: string, { description, error }: { description?: unknown; error?: unknown }): string | undefined {
  if (error) return `${id}-error`;
  return description ? `${id}-description` : undefined;
}

// The child control must set id={id}, aria-invalid={!!error} and aria-describedby={fieldDescribedBy(id, { description, error })}.
// One message under a field at a time: its error while it has one (which says what to fix), else its description.
function FormField({ id, label, error, description, required, className, children }: FormFieldProps) {
  return (
    <div data-slot="form-field" data-invalid={error ? "true" : undefined} className={cn("group/field grid min-w-0 gap-1.5", className)}>
      <Label htmlFor={id} className="group-data-[invalid=true]/field:text-destructive">
        {label}
        {required ? (
          <span aria-hidden="true" className="text-destructive">
            *
          </span>
        ) : null}
      </Label>
      {children}
      {description && !error ? (
        <p id={`${id}-description`} className="text-xs text-muted-foreground">
          {description}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="text-sm text-destructive">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export { FormField, fieldDescribedBy, type FormFieldProps };
