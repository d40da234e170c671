"use client";

import { Save } from "lucide-react";
import { Controller } from "react-hook-form";
import { FormError } from "@/components/console/form-error";
import { useActionForm } from "@/components/console/use-action-form";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { FormField, fieldDescribedBy } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Spinner } from "@/components/ui/spinner";
import { Switch } from "@/components/ui/switch";
import type { ActionResult } from "@/lib/action";
import { ALL_EVENTS, type EndpointFormValues, endpointFormSchema } from "./form-schema";
import type { EventTypeOption } from "./view";

/** The event types by their first word (subscriber, lead, conversion, …), in the order the list gives them. */
function groupTypes(options: EventTypeOption[]): [string, EventTypeOption[]][] {
  const groups = new Map<string, EventTypeOption[]>();
  for (const o of options) {
    const group = o.type.split(".")[0]!;
    groups.set(group, [...(groups.get(group) ?? []), o]);
  }
  return [...groups];
}

function EventTypesField({
  value,
  onChange,
  options,
  error,
  idPrefix,
}: {
  value: string[];
  onChange: (next: string[]) => void;
  options: EventTypeOption[];
  error?: string;
  idPrefix: string;
}) {
  const all = value.includes(ALL_EVENTS);
  const toggle = (type: string, on: boolean) => onChange(on ? [...value.filter((t) => t !== type), type] : value.filter((t) => t !== type));
  const errorId = `${idPrefix}-events-error`;
  return (
    <fieldset className="grid gap-2" aria-describedby={error ? errorId : undefined} aria-invalid={!!error}>
      <legend className="mb-1 text-sm font-medium">Events</legend>
      <div className="flex items-start gap-2">
        <Checkbox id={`${idPrefix}-all`} checked={all} onCheckedChange={(on) => onChange(on === true ? [ALL_EVENTS] : [])} />
        <div className="grid gap-0.5">
          <Label htmlFor={`${idPrefix}-all`}>All events</Label>
          <p className="text-xs text-muted-foreground">Every event type, including ones added later.</p>
        </div>
      </div>
      <div className="grid max-h-64 gap-3 overflow-y-auto rounded-md border p-3 sm:grid-cols-2">
        {groupTypes(options).map(([group, types]) => (
          <div key={group} className="grid content-start gap-1.5">
            <p className="text-xs font-semibold tracking-wide text-muted-foreground uppercase">{group}</p>
            {types.map((o) => {
              const id = `${idPrefix}-${o.type.replace(/\W/g, "-")}`;
              return (
                <div key={o.type} className="flex items-start gap-2">
                  <Checkbox id={id} disabled={all} checked={all || value.includes(o.type)} onCheckedChange={(on) => toggle(o.type, on === true)} />
                  <Label htmlFor={id} className="grid gap-0.5 font-normal" title={o.description}>
                    <span className="font-mono text-xs">{o.type}</span>
                    <span className="text-xs text-muted-foreground">{o.description}</span>
                  </Label>
                </div>
              );
            })}
          </div>
        ))}
      </div>
      {error ? (
        <p id={errorId} className="text-sm text-destructive">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

/** Add or edit an endpoint: URL, description, event types (grouped, or All events), on/off; errors inline. */
export function EndpointForm<T>({
  defaultValues,
  eventTypes,
  action,
  onSuccess,
  submitLabel,
  idPrefix,
}: {
  defaultValues: EndpointFormValues;
  eventTypes: EventTypeOption[];
  action: (input: EndpointFormValues) => Promise<ActionResult<T>>;
  onSuccess: (data: T) => void;
  submitLabel: string;
  idPrefix: string;
}) {
  const { form, onSubmit, pending, formError } = useActionForm({ schema: endpointFormSchema, defaultValues, action, onSuccess });
  const { errors } = form.formState;
  const urlId = `${idPrefix}-url`;
  const descriptionId = `${idPrefix}-description`;
  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-4" data-testid="webhook-endpoint-form">
      <FormField
        id={urlId}
        label="URL"
        required
        description="Where events are POSTed: https on a public host (no private or loopback addresses, no redirects)."
        error={errors.url?.message}
      >
        <Input
          id={urlId}
          type="url"
          inputMode="url"
          placeholder="https://crm.example.com/hooks/clicktrail"
          autoComplete="off"
          aria-invalid={!!errors.url}
          aria-describedby={fieldDescribedBy(urlId, { description: true, error: errors.url })}
          {...form.register("url")}
        />
      </FormField>
      <FormField id={descriptionId} label="Description" description="Optional: what receives them, e.g. “CRM”." error={errors.description?.message}>
        <Input
          id={descriptionId}
          maxLength={200}
          aria-invalid={!!errors.description}
          aria-describedby={fieldDescribedBy(descriptionId, { description: true, error: errors.description })}
          {...form.register("description")}
        />
      </FormField>
      <Controller
        control={form.control}
        name="eventTypes"
        render={({ field }) => (
          <EventTypesField value={field.value} onChange={field.onChange} options={eventTypes} error={errors.eventTypes?.message} idPrefix={idPrefix} />
        )}
      />
      <Controller
        control={form.control}
        name="enabled"
        render={({ field }) => (
          <div className="flex items-center gap-2">
            <Switch id={`${idPrefix}-enabled`} checked={field.value} onCheckedChange={field.onChange} />
            <Label htmlFor={`${idPrefix}-enabled`}>Enabled</Label>
          </div>
        )}
      />
      <FormError message={formError} />
      <div className="flex justify-end">
        <Button type="submit" disabled={pending}>
          {pending ? <Spinner /> : <Save aria-hidden />}
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
