"use client";

import type { FieldValues, Path, UseFormReturn } from "react-hook-form";
import { FormField, fieldDescribedBy } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";

export type TextFieldSpec<N extends string> = {
  name: N;
  label: string;
  type: "text" | "email" | "password";
  autoComplete?: string;
  description?: string;
};

/** Labelled inputs for a react-hook-form form, each with its inline error and aria wiring. */
export function TextFields<T extends FieldValues, TOut extends FieldValues>({
  form,
  fields,
  idPrefix = "",
  autoFocusFirst = false,
}: {
  form: UseFormReturn<T, unknown, TOut>;
  fields: readonly TextFieldSpec<Path<T>>[];
  idPrefix?: string;
  autoFocusFirst?: boolean;
}) {
  return fields.map((f, i) => {
    const id = `${idPrefix}${f.name}`;
    const error = form.getFieldState(f.name, form.formState).error?.message;
    return (
      <FormField key={f.name} id={id} label={f.label} description={f.description} error={error}>
        <Input
          id={id}
          type={f.type}
          autoComplete={f.autoComplete}
          autoFocus={autoFocusFirst && i === 0}
          aria-invalid={!!error}
          aria-describedby={fieldDescribedBy(id, { description: f.description, error })}
          {...form.register(f.name)}
        />
      </FormField>
    );
  });
}
