"use client";

import { AlertTriangle, Download, Link2, Unlink } from "lucide-react";
import Link from "next/link";
import { useState, useTransition } from "react";
import { Controller } from "react-hook-form";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { FormField } from "@/components/ui/form-field";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Spinner } from "@/components/ui/spinner";
import { numberLabel } from "@/components/console/names";
import type { BindableNumber } from "@/lib/templates/editor";
import type { ApprovedMetaTemplate } from "@/lib/templates/meta-templates";
import { loadMetaTemplatesAction } from "./actions";
import type { TemplateForm } from "./template-form";

const keyOf = (t: { name: string; language: string }) => `${t.name}\u0000${t.language}`;
const placeholder = (key: string) => `{{${key}}}`;

/** The Meta template's body with each parameter shown as the variable that fills it. */
function boundBody(body: string, parameters: { key: string; variable: string }[]): string {
  return body.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (whole, key: string) => {
    const variable = parameters.find((p) => p.key === key)?.variable;
    return variable ? `{{${variable}}}` : whole;
  });
}

function ParameterRows({ form, variables, disabled }: { form: TemplateForm; variables: string[]; disabled: boolean }) {
  const parameters = form.watch("metaTemplate")?.parameters ?? [];
  if (parameters.length === 0) return <p className="text-sm text-muted-foreground">This Meta template has no parameters to fill.</p>;
  return (
    <div className="grid gap-3 sm:grid-cols-2">
      {parameters.map((p, i) => {
        const id = `meta-param-${i}`;
        const name = `metaTemplate.parameters.${i}.variable` as const;
        const error = form.getFieldState(name, form.formState).error?.message;
        return (
          <FormField
            key={p.key}
            id={id}
            label={
              <>
                Parameter <code>{placeholder(p.key)}</code>
              </>
            }
            error={error}
          >
            <Controller
              control={form.control}
              name={name}
              render={({ field }) => (
                <Select value={field.value || undefined} onValueChange={field.onChange} disabled={disabled}>
                  <SelectTrigger id={id} className="w-full" aria-invalid={!!error} aria-describedby={error ? `${id}-error` : undefined}>
                    <SelectValue placeholder="Choose a variable" />
                  </SelectTrigger>
                  <SelectContent>
                    {[...new Set([...variables, field.value].filter(Boolean))].map((v) => (
                      <SelectItem key={v} value={v}>
                        {placeholder(v)}
                      </SelectItem>
                    ))}
                  </SelectContent>
                </Select>
              )}
            />
          </FormField>
        );
      })}
    </div>
  );
}

/**
 * The optional binding to an approved Meta template: what the drip sends instead of the text once the
 * customer's 24-hour window has closed. Pick a Cloud API number, load its approved templates, pick one,
 * then map each of its parameters to one of our variables.
 */
export function MetaBinding({
  form,
  numbers,
  variables,
  status,
  disabled,
}: {
  form: TemplateForm;
  numbers: BindableNumber[];
  variables: string[];
  status: string | null;
  disabled: boolean;
}) {
  const binding = form.watch("metaTemplate");
  const [numberId, setNumberId] = useState(numbers[0]?.id ?? "");
  const [loaded, setLoaded] = useState<ApprovedMetaTemplate[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const chosen = binding && loaded?.find((t) => keyOf(t) === keyOf(binding));
  const bindingError = form.formState.errors.metaTemplate;
  const bindingMessage = bindingError?.message ?? bindingError?.parameters?.message ?? bindingError?.parameters?.root?.message;

  const load = () =>
    startTransition(async () => {
      setError(null);
      const result = await loadMetaTemplatesAction({ numberId });
      if (!result.ok) return void setError(result.error);
      setLoaded(result.data.templates);
    });

  const choose = (key: string) => {
    const t = loaded?.find((x) => keyOf(x) === key);
    if (!t) return;
    const parameters = t.parameters.map((k) => ({
      key: k,
      variable: variables.includes(k) ? k : (binding?.parameters.find((p) => p.key === k)?.variable ?? ""),
    }));
    form.setValue("metaTemplate", { name: t.name, language: t.language, parameters }, { shouldDirty: true });
    form.clearErrors("metaTemplate");
  };

  return (
    <Card data-testid="meta-binding">
      <CardHeader>
        <CardTitle>
          <h2>Approved Meta template (optional)</h2>
        </CardTitle>
        <CardDescription>
          Used outside the 24-hour window. Within 24 hours of the customer&apos;s last message the text above is sent; after that WhatsApp accepts only a
          template Meta has approved, so this one is sent instead, with its parameters filled from the lead. Without one, such messages are skipped.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        {binding ? (
          <div className="flex flex-wrap items-center gap-2 text-sm" data-testid="meta-binding-current">
            <Link2 className="size-4 text-muted-foreground" aria-hidden />
            Bound to <code className="font-medium">{binding.name}</code>
            <Badge variant="outline">{binding.language}</Badge>
            {status && status !== "APPROVED" ? <Badge variant="warning">Meta: {status.toLowerCase()}</Badge> : null}
            {!disabled ? (
              <Button type="button" variant="ghost" size="sm" onClick={() => form.setValue("metaTemplate", null, { shouldDirty: true })}>
                <Unlink aria-hidden />
                Remove binding
              </Button>
            ) : null}
          </div>
        ) : (
          <p className="text-sm text-muted-foreground">Not bound: outside the 24-hour window this message is skipped.</p>
        )}

        {!disabled && numbers.length === 0 ? (
          <p className="text-sm text-muted-foreground">
            Connect a Meta Cloud API number on the{" "}
            <Link href="/numbers" className="underline underline-offset-2">
              Numbers
            </Link>{" "}
            page to choose one of its approved templates.
          </p>
        ) : null}
        {!disabled && numbers.length > 0 ? (
          <div className="flex flex-wrap items-end gap-3">
            <div className="grid gap-1.5">
              <Label htmlFor="meta-number">Cloud API number</Label>
              <Select
                value={numberId}
                onValueChange={(v) => {
                  setNumberId(v);
                  setLoaded(null);
                }}
              >
                <SelectTrigger id="meta-number" className="w-64">
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  {numbers.map((n) => (
                    <SelectItem key={n.id} value={n.id}>
                      {numberLabel(n)}
                    </SelectItem>
                  ))}
                </SelectContent>
              </Select>
            </div>
            <Button type="button" variant="outline" onClick={load} disabled={pending || !numberId}>
              {pending ? <Spinner /> : <Download aria-hidden />}
              {pending ? "Loading approved templates…" : "Load approved templates"}
            </Button>
          </div>
        ) : null}
        {error ? (
          <Alert variant="destructive" data-testid="meta-binding-error">
            <AlertTriangle aria-hidden />
            <AlertDescription>{error}</AlertDescription>
          </Alert>
        ) : null}
        {loaded && loaded.length === 0 ? (
          <p className="text-sm text-muted-foreground">This number&apos;s WhatsApp Business Account has no approved templates yet.</p>
        ) : null}
        {loaded && loaded.length > 0 ? (
          <div className="grid gap-1.5">
            <Label htmlFor="meta-template">Approved template</Label>
            <Select value={chosen ? keyOf(chosen) : undefined} onValueChange={choose}>
              <SelectTrigger id="meta-template" className="w-full">
                <SelectValue placeholder={`Choose one of ${loaded.length} approved templates`} />
              </SelectTrigger>
              <SelectContent>
                {loaded.map((t) => (
                  <SelectItem key={keyOf(t)} value={keyOf(t)} disabled={t.unsupported !== null}>
                    {t.name} · {t.language}
                    {t.unsupported ? ` (cannot be used: ${t.unsupported})` : ""}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
          </div>
        ) : null}
        {binding && chosen?.body ? (
          <div className="grid gap-1">
            <span className="text-xs text-muted-foreground">Outside the window the lead gets Meta&apos;s text:</span>
            <p className="rounded-md border bg-muted/40 px-3 py-2 text-sm whitespace-pre-wrap" data-testid="meta-binding-body">
              {boundBody(chosen.body, binding.parameters)}
            </p>
          </div>
        ) : null}
        {binding ? <ParameterRows form={form} variables={variables} disabled={disabled} /> : null}
        {bindingMessage ? <p className="text-sm text-destructive">{bindingMessage}</p> : null}
      </CardContent>
    </Card>
  );
}
