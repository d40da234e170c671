"use client";

import { Save } from "lucide-react";
import { Controller } from "react-hook-form";
import { toast } from "sonner";
import { FormError } from "@/components/console/form-error";
import { useActionForm } from "@/components/console/use-action-form";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { FormField, fieldDescribedBy } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { EventName } from "@/components/console/event-name";
import { eventLabel } from "@/lib/conversions/schema";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Spinner } from "@/components/ui/spinner";
import {
  EVENT_NEEDING_VALUE,
  LIFECYCLE_EVENT_STAGES,
  LIFECYCLE_STAGE_LABELS,
  type LifecycleEventStage,
  type LifecycleEventsForm as Values,
  lifecycleEventsFormSchema,
} from "@/lib/conversions/lifecycle-schema";
import { saveLifecycleEventsAction } from "./lifecycle-actions";

const NOTHING = "none"; // Radix Select items cannot have an empty value

/** Which Conversions API event each lifecycle stage sends to Meta when a subscriber moves to it (admins). */
export function LifecycleEventsForm({ values, eventNames }: { values: Values; eventNames: string[] }) {
  const { form, onSubmit, pending, formError } = useActionForm({
    schema: lifecycleEventsFormSchema,
    defaultValues: values,
    action: saveLifecycleEventsAction,
    onSuccess: (saved) => {
      form.reset(saved);
      toast.success("Lifecycle events saved");
    },
  });
  const errors = form.formState.errors;
  const stageRow = (stage: LifecycleEventStage) => {
    const eventName = form.watch(`${stage}.eventName`);
    const valueError = errors[stage]?.value?.message;
    const currencyError = errors[stage]?.currency?.message;
    const id = `lifecycle-${stage}`;
    return (
      <div key={stage} className="flex flex-wrap items-start gap-3" role="group" aria-label={LIFECYCLE_STAGE_LABELS[stage]}>
        <FormField id={`${id}-event`} label={LIFECYCLE_STAGE_LABELS[stage]} className="w-48">
          <Controller
            control={form.control}
            name={`${stage}.eventName`}
            render={({ field }) => (
              <Select value={field.value || NOTHING} onValueChange={(v) => field.onChange(v === NOTHING ? "" : v)}>
                <SelectTrigger id={`${id}-event`} className="w-48">
                  <SelectValue>{field.value ? eventLabel(field.value) : "Send nothing"}</SelectValue>
                </SelectTrigger>
                <SelectContent>
                  <SelectItem value={NOTHING}>Send nothing</SelectItem>
                  {eventNames.map((n) => (
                    <SelectItem key={n} value={n}>
                      <EventName name={n} />
                    </SelectItem>
                  ))}
                </SelectContent>
              </Select>
            )}
          />
        </FormField>
        {eventName ? (
          <>
            <FormField
              id={`${id}-value`}
              label={eventName === EVENT_NEEDING_VALUE ? "Default value" : "Default value (optional)"}
              error={valueError}
              className="w-40"
            >
              <Input
                id={`${id}-value`}
                inputMode="decimal"
                placeholder="100.00"
                aria-invalid={!!valueError}
                aria-describedby={fieldDescribedBy(`${id}-value`, { error: valueError })}
                {...form.register(`${stage}.value`)}
              />
            </FormField>
            <FormField id={`${id}-currency`} label="Currency" error={currencyError} className="w-28">
              <Input
                id={`${id}-currency`}
                placeholder="USD"
                maxLength={3}
                className="uppercase"
                aria-invalid={!!currencyError}
                aria-describedby={fieldDescribedBy(`${id}-currency`, { error: currencyError })}
                {...form.register(`${stage}.currency`)}
              />
            </FormField>
          </>
        ) : null}
      </div>
    );
  };
  // only the errors shown beside a field: anything else (a stage as a whole) shows as the form's message
  const fieldErrors = LIFECYCLE_EVENT_STAGES.some((s) => errors[s]?.value || errors[s]?.currency);
  return (
    <Card>
      <CardHeader>
        <CardTitle>
          <h2>Lifecycle events</h2>
        </CardTitle>
        <CardDescription>
          When someone moves a subscriber to a stage, Meta is told through the Conversions API, for the subscriber&rsquo;s latest ad conversation: once per
          stage and conversation. Everyone starts as a lead. A manager may enter another value when changing the stage.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={onSubmit} noValidate className="grid gap-4" aria-label="Lifecycle events">
          {LIFECYCLE_EVENT_STAGES.map(stageRow)}
          <FormError message={!fieldErrors ? formError : undefined} />
          <div>
            <Button type="submit" variant="outline" disabled={pending}>
              {pending ? <Spinner /> : <Save aria-hidden />}
              Save
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
