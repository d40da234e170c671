"use client";

import { UserPlus } from "lucide-react";
import { FormError } from "@/components/console/form-error";
import { useActionForm } from "@/components/console/use-action-form";
import { Button } from "@/components/ui/button";
import { FormField, fieldDescribedBy } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Spinner } from "@/components/ui/spinner";
import { acceptInviteSchema } from "@/lib/accounts/schemas";
import { acceptInviteAction } from "./actions";

const fields = [
  { name: "name", label: "Your name", type: "text", autoComplete: "name" },
  { name: "password", label: "Password", type: "password", autoComplete: "new-password" },
  { name: "confirmPassword", label: "Confirm password", type: "password", autoComplete: "new-password" },
] as const;

export function AcceptInviteForm({ token }: { token: string }) {
  const { form, onSubmit, pending, formError } = useActionForm({
    schema: acceptInviteSchema,
    defaultValues: { name: "", password: "", confirmPassword: "" },
    action: (values) => acceptInviteAction(token, values),
  });
  const { errors } = form.formState;
  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-4">
      <FormError message={formError} />
      {fields.map((f, i) => (
        <FormField key={f.name} id={f.name} label={f.label} error={errors[f.name]?.message}>
          <Input
            id={f.name}
            type={f.type}
            autoComplete={f.autoComplete}
            autoFocus={i === 0}
            aria-invalid={!!errors[f.name]}
            aria-describedby={fieldDescribedBy(f.name, { error: errors[f.name] })}
            {...form.register(f.name)}
          />
        </FormField>
      ))}
      <Button type="submit" disabled={pending} className="w-full">
        {pending ? <Spinner /> : <UserPlus aria-hidden />}
        Join workspace
      </Button>
    </form>
  );
}
