"use client";

import { Plus, Save, Trash2 } from "lucide-react";
import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { type Path, useFieldArray, useForm } from "react-hook-form";
import { toast } from "sonner";
import type { z } from "zod";
import { FormError } from "@/components/console/form-error";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Spinner } from "@/components/ui/spinner";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { segmentVariableRowsSchema } from "@/lib/templates/schemas";
import { saveSegmentVariablesAction } from "../actions";

type Row = { segment: string; variable: string; value: string };
type Values = { rows: Row[] };
const FIELDS = [
  { key: "segment", label: "Segment", placeholder: "acting", mono: false },
  { key: "variable", label: "Variable", placeholder: "instructor_name", mono: true },
  { key: "value", label: "Value", placeholder: "Kazbek Meretukov", mono: false },
] as const;

/** One row per (segment, variable): the value `{{variable}}` takes for leads of that segment. */
export function VariablesForm({ rows, segments, canEdit }: { rows: Row[]; segments: string[]; canEdit: boolean }) {
  const router = useRouter();
  // validated on submit, then as the user corrects (a row just added is not shown in red at once)
  const form = useForm<Values>({
    resolver: zodResolver(segmentVariableRowsSchema as unknown as z.ZodType<Values, Values>),
    defaultValues: { rows },
    mode: "onSubmit",
    reValidateMode: "onChange",
  });
  const [pending, startTransition] = useTransition();
  const onSubmit = form.handleSubmit((values) => {
    form.clearErrors("root");
    startTransition(async () => {
      const result = await saveSegmentVariablesAction(values);
      if (result.ok) {
        toast.success("Variables saved");
        return void router.refresh();
      }
      for (const [field, messages] of Object.entries(result.fieldErrors ?? {})) {
        if (messages?.[0]) form.setError(field as Path<Values>, { type: "server", message: messages[0] });
      }
      form.setError("root", { type: "server", message: result.error });
    });
  });
  const formError = form.formState.errors.root?.message;
  const { fields, append, remove } = useFieldArray({ control: form.control, name: "rows" });
  const rowError = (i: number, key: keyof Row) => form.formState.errors.rows?.[i]?.[key]?.message;
  const add = () =>
    append(
      { segment: fields.at(-1) ? form.getValues(`rows.${fields.length - 1}.segment`) : "", variable: "", value: "" },
      { focusName: `rows.${fields.length}.segment` },
    );

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Per-segment values">
      <Card>
        <CardHeader>
          <CardTitle>
            <h2>Per segment</h2>
          </CardTitle>
          <CardDescription>
            A lead of segment &ldquo;acting&rdquo; gets the values set for acting. A template that uses a variable with no value for a lead&apos;s segment is
            not sent to that lead.
          </CardDescription>
        </CardHeader>
        <CardContent className="grid gap-4">
          <datalist id="variable-segments">
            {segments.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
          {fields.length === 0 ? (
            <p className="text-sm text-muted-foreground" data-testid="no-variables">
              No values yet. {canEdit ? "Add one, e.g. segment acting, variable instructor_name." : "Managers and admins set them."}
            </p>
          ) : (
            <Table>
              <TableHeader>
                <TableRow>
                  {FIELDS.map((f) => (
                    <TableHead key={f.key}>{f.label}</TableHead>
                  ))}
                  <TableHead className="w-12">
                    <span className="sr-only">Remove</span>
                  </TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {fields.map((field, i) => (
                  <TableRow key={field.id} data-testid="variable-row">
                    {FIELDS.map((f) => {
                      const error = rowError(i, f.key);
                      const id = `rows-${i}-${f.key}`;
                      return (
                        <TableCell key={f.key} className="align-top">
                          <Input
                            id={id}
                            aria-label={`${f.label}, row ${i + 1}`}
                            placeholder={f.placeholder}
                            list={f.key === "segment" ? "variable-segments" : undefined}
                            autoComplete="off"
                            spellCheck={false}
                            disabled={!canEdit}
                            className={f.mono ? "font-mono" : undefined}
                            aria-invalid={!!error}
                            aria-describedby={error ? `${id}-error` : undefined}
                            {...form.register(`rows.${i}.${f.key}`)}
                          />
                          {error ? (
                            <p id={`${id}-error`} className="mt-1 text-sm text-destructive">
                              {error}
                            </p>
                          ) : null}
                        </TableCell>
                      );
                    })}
                    <TableCell className="align-top">
                      {canEdit ? (
                        <Button type="button" variant="ghost" size="icon" onClick={() => remove(i)} aria-label={`Remove row ${i + 1}`}>
                          <Trash2 aria-hidden />
                        </Button>
                      ) : null}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
          <FormError message={formError} />
          {canEdit ? (
            <div className="flex flex-wrap gap-3">
              <Button type="button" variant="outline" onClick={add}>
                <Plus aria-hidden />
                Add a value
              </Button>
              <Button type="submit" disabled={pending}>
                {pending ? <Spinner /> : <Save aria-hidden />}
                {pending ? "Saving…" : "Save variables"}
              </Button>
            </div>
          ) : null}
        </CardContent>
      </Card>
    </form>
  );
}
