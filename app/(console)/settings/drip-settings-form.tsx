"use client";

import { Save } from "lucide-react";
import { Controller } from "react-hook-form";
import { toast } from "sonner";
import { FormError } from "@/components/console/form-error";
import { useActionForm } from "@/components/console/use-action-form";
import { EventName } from "@/components/console/event-name";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { FormField, fieldDescribedBy } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Spinner } from "@/components/ui/spinner";
import { Switch } from "@/components/ui/switch";
import { type DripSettingsForm as Values, dripSettingsFormSchema } from "@/lib/drip/settings-schema";
import { saveDripSettingsAction } from "./actions";

const QUIET_HELP = "In each subscriber's own time zone (from their phone number; UTC when unknown). A message due meanwhile waits until the end.";

/** Quiet hours and the conversion events that stop a lead's drip (admins). */
export function DripSettingsForm({ values, eventNames }: { values: Values; eventNames: string[] }) {
  const { form, onSubmit, pending, formError } = useActionForm({
    schema: dripSettingsFormSchema,
    defaultValues: values,
    action: saveDripSettingsAction,
    onSuccess: (saved) => {
      form.reset(saved);
      toast.success("Drip settings saved");
    },
  });
  const quiet = form.watch("quietHours");
  const startError = form.formState.errors.quietStart?.message;
  const endError = form.formState.errors.quietEnd?.message;
  const eventsError = form.formState.errors.stopEvents?.message;
  const time = (name: "quietStart" | "quietEnd", label: string, error: string | undefined) => (
    <FormField id={`drip-${name}`} label={label} error={error} className="w-40">
      <Input
        id={`drip-${name}`}
        type="time"
        step={60}
        aria-invalid={!!error}
        aria-describedby={fieldDescribedBy(`drip-${name}`, { error })}
        {...form.register(name)}
      />
    </FormField>
  );
  return (
    <Card>
      <CardHeader>
        <CardTitle>
          <h2>Drip messages</h2>
        </CardTitle>
        <CardDescription>
          When the drip holds its messages, and which conversions end a lead&rsquo;s drip. A reply from the lead ends the series whose template says so.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={onSubmit} noValidate className="grid gap-6" aria-label="Drip messages">
          <div className="grid gap-3">
            <div className="flex items-start gap-3">
              <Controller
                control={form.control}
                name="quietHours"
                render={({ field }) => (
                  <Switch id="drip-quiet-hours" checked={field.value} onCheckedChange={field.onChange} aria-describedby="drip-quiet-hours-description" />
                )}
              />
              <div className="grid gap-1">
                <label htmlFor="drip-quiet-hours" className="text-sm font-medium">
                  Quiet hours
                </label>
                <p id="drip-quiet-hours-description" className="text-xs text-muted-foreground">
                  {QUIET_HELP}
                </p>
              </div>
            </div>
            {quiet ? (
              <div className="flex flex-wrap items-start gap-3 pl-12">
                {time("quietStart", "From", startError)}
                {time("quietEnd", "Until", endError)}
              </div>
            ) : null}
          </div>
          <fieldset className="grid gap-2" aria-describedby={eventsError ? "drip-stop-events-error" : "drip-stop-events-description"}>
            <legend className="text-sm font-medium">Stop a lead&rsquo;s drip when one of these conversions is recorded for them</legend>
            <p id="drip-stop-events-description" className="text-xs text-muted-foreground">
              Their waiting messages are cancelled, with the conversion named as the reason.
            </p>
            <Controller
              control={form.control}
              name="stopEvents"
              render={({ field }) => (
                <div className="flex flex-wrap gap-x-6 gap-y-2">
                  {eventNames.map((name) => (
                    <label key={name} className="flex items-center gap-2 text-sm" htmlFor={`drip-stop-${name}`}>
                      <Checkbox
                        id={`drip-stop-${name}`}
                        checked={field.value.includes(name)}
                        onCheckedChange={(on) => field.onChange(on === true ? [...field.value, name] : field.value.filter((v) => v !== name))}
                        aria-invalid={!!eventsError}
                      />
                      <EventName name={name} />
                    </label>
                  ))}
                </div>
              )}
            />
            {eventsError ? (
              <p id="drip-stop-events-error" className="text-xs text-destructive">
                {eventsError}
              </p>
            ) : null}
          </fieldset>
          <FormError message={!startError && !endError && !eventsError ? formError : undefined} />
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
