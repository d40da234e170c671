"use client";

import { Save } from "lucide-react";
import { toast } from "sonner";
import { useActionForm } from "@/components/console/use-action-form";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { FormField, fieldDescribedBy } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Spinner } from "@/components/ui/spinner";
import { organisationSchema } from "@/lib/accounts/schemas";
import { renameOrganisationAction } from "./actions";

export function OrganisationForm({ name }: { name: string }) {
  const { form, onSubmit, pending, formError } = useActionForm({
    schema: organisationSchema,
    defaultValues: { name },
    action: renameOrganisationAction,
    onSuccess: () => toast.success("Organisation renamed"),
  });
  const error = form.formState.errors.name?.message ?? formError;
  return (
    <Card>
      <CardHeader>
        <CardTitle>
          <h2>Organisation</h2>
        </CardTitle>
        <CardDescription>The name everyone in this workspace sees.</CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={onSubmit} noValidate className="flex flex-wrap items-start gap-3">
          <FormField id="org-name" label="Name" error={error} className="min-w-64 flex-1">
            <Input id="org-name" aria-invalid={!!error} aria-describedby={fieldDescribedBy("org-name", { error })} {...form.register("name")} />
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
