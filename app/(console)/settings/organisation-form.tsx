"use client";

import { Save } from "lucide-react";
import { toast } from "sonner";
import { useActionForm } from "@/components/console/use-action-form";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { FormField, fieldDescribedBy } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Spinner } from "@/components/ui/spinner";
import { organisationSettingsSchema, WEBHOOK_EVENT_RETENTION_DAYS } from "@/lib/accounts/schemas";
import { saveOrganisationAction } from "./actions";

const INACTIVE_HELP = "A subscriber who has not written for this many days is marked inactive; their next message makes them active again.";
const RETENTION_HELP = `Raw webhook bodies of processed events are deleted after this many days (at most ${WEBHOOK_EVENT_RETENTION_DAYS.max}); messages and subscribers are kept.`;

export function OrganisationForm({
  name,
  inactiveAfterDays,
  webhookEventRetentionDays,
}: {
  name: string;
  inactiveAfterDays: number;
  webhookEventRetentionDays: number;
}) {
  const { form, onSubmit, pending, formError } = useActionForm({
    schema: organisationSettingsSchema,
    defaultValues: { name, inactiveAfterDays, webhookEventRetentionDays },
    action: saveOrganisationAction,
    onSuccess: () => toast.success("Organisation saved"),
  });
  const nameError = form.formState.errors.name?.message;
  const daysError = form.formState.errors.inactiveAfterDays?.message;
  const retentionError = form.formState.errors.webhookEventRetentionDays?.message;
  const generalError = !nameError && !daysError && !retentionError ? formError : undefined;
  return (
    <Card>
      <CardHeader>
        <CardTitle>
          <h2>Organisation</h2>
        </CardTitle>
        <CardDescription>
          The name everyone in this workspace sees, when a silent subscriber counts as inactive, and how long the webhook log keeps processed events.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={onSubmit} noValidate className="flex flex-wrap items-start gap-3">
          <FormField id="org-name" label="Name" error={nameError ?? generalError} className="min-w-64 flex-1">
            <Input
              id="org-name"
              aria-invalid={!!nameError}
              aria-describedby={fieldDescribedBy("org-name", { error: nameError ?? generalError })}
              {...form.register("name")}
            />
          </FormField>
          <FormField id="org-inactive-days" label="Inactive after (days)" error={daysError} description={INACTIVE_HELP} className="w-72">
            <Input
              id="org-inactive-days"
              type="number"
              inputMode="numeric"
              min={1}
              max={3650}
              step={1}
              aria-invalid={!!daysError}
              aria-describedby={fieldDescribedBy("org-inactive-days", { description: INACTIVE_HELP, error: daysError })}
              {...form.register("inactiveAfterDays", { valueAsNumber: true })}
            />
          </FormField>
          <FormField id="org-webhook-retention" label="Keep webhook log (days)" error={retentionError} description={RETENTION_HELP} className="w-72">
            <Input
              id="org-webhook-retention"
              type="number"
              inputMode="numeric"
              min={WEBHOOK_EVENT_RETENTION_DAYS.min}
              max={WEBHOOK_EVENT_RETENTION_DAYS.max}
              step={1}
              aria-invalid={!!retentionError}
              aria-describedby={fieldDescribedBy("org-webhook-retention", { description: RETENTION_HELP, error: retentionError })}
              {...form.register("webhookEventRetentionDays", { valueAsNumber: true })}
            />
          </FormField>
          <Button type="submit" variant="outline" disabled={pending} className="mt-6">
            {pending ? <Spinner /> : <Save aria-hidden />}
            Save
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}
