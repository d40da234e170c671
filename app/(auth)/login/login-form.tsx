"use client";

import { LogIn } from "lucide-react";
import { FormError } from "@/components/console/form-error";
import { useActionForm } from "@/components/console/use-action-form";
import { Button } from "@/components/ui/button";
import { FormField, fieldDescribedBy } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Spinner } from "@/components/ui/spinner";
import { signInSchema } from "@/lib/accounts/schemas";
import { signInAction } from "./actions";

export function LoginForm({ callbackUrl }: { callbackUrl?: string }) {
  const { form, onSubmit, pending, formError } = useActionForm({
    schema: signInSchema,
    defaultValues: { email: "", password: "" },
    action: (values) => signInAction({ ...values, callbackUrl }),
  });
  const { errors } = form.formState;

  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-4">
      <FormError message={formError} />
      <FormField id="email" label="Email" error={errors.email?.message}>
        <Input
          id="email"
          type="email"
          autoComplete="email"
          autoFocus
          aria-invalid={!!errors.email}
          aria-describedby={fieldDescribedBy("email", { error: errors.email })}
          {...form.register("email")}
        />
      </FormField>
      <FormField id="password" label="Password" error={errors.password?.message}>
        <Input
          id="password"
          type="password"
          autoComplete="current-password"
          aria-invalid={!!errors.password}
          aria-describedby={fieldDescribedBy("password", { error: errors.password })}
          {...form.register("password")}
        />
      </FormField>
      <Button type="submit" disabled={pending} className="w-full">
        {pending ? <Spinner /> : <LogIn aria-hidden />}
        Sign in
      </Button>
    </form>
  );
}
