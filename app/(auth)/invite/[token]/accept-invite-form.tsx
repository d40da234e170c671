"use client";

import { UserPlus } from "lucide-react";
import { FormError } from "@/components/console/form-error";
import { TextFields } from "@/components/console/text-fields";
import { useActionForm } from "@/components/console/use-action-form";
import { Button } from "@/components/ui/button";
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
  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-4">
      <FormError message={formError} />
      <TextFields form={form} fields={fields} autoFocusFirst />
      <Button type="submit" disabled={pending} className="w-full">
        {pending ? <Spinner /> : <UserPlus aria-hidden />}
        Join workspace
      </Button>
    </form>
  );
}
