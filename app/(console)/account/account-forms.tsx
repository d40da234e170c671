"use client";

import { KeyRound, LogOut, Save } from "lucide-react";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { toast } from "sonner";
import { ConfirmButton } from "@/components/console/confirm-button";
import { FormError } from "@/components/console/form-error";
import { useActionForm } from "@/components/console/use-action-form";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { FormField, fieldDescribedBy } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Spinner } from "@/components/ui/spinner";
import { accountNameSchema, changePasswordSchema } from "@/lib/accounts/schemas";
import { changePasswordAction, renameAccountAction, signOutOtherSessionsAction } from "./actions";

const PASSWORD_HELP = "At least 10 characters. Your other sessions are signed out; this one stays signed in.";

export function ChangePasswordForm({ required }: { required: boolean }) {
  const router = useRouter();
  const { form, onSubmit, pending, formError } = useActionForm({
    schema: changePasswordSchema,
    defaultValues: { currentPassword: "", newPassword: "", confirmPassword: "" },
    action: changePasswordAction,
    onSuccess: ({ wasRequired }) => {
      toast.success("Password changed");
      form.reset();
      if (wasRequired) router.replace("/dashboard");
      else router.refresh();
    },
  });
  const { errors } = form.formState;
  const fieldFailed = !!(errors.currentPassword || errors.newPassword || errors.confirmPassword);
  return (
    <Card>
      <form onSubmit={onSubmit} noValidate>
        <CardHeader>
          <CardTitle>
            <h2>Password</h2>
          </CardTitle>
          <CardDescription>{required ? "Choose a new password to continue." : "Change the password you sign in with, in every workspace."}</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-4">
          <FormError message={fieldFailed ? undefined : formError} />
          <FormField id="current-password" label="Current password" error={errors.currentPassword?.message}>
            <Input
              id="current-password"
              type="password"
              autoComplete="current-password"
              autoFocus={required}
              aria-invalid={!!errors.currentPassword}
              aria-describedby={fieldDescribedBy("current-password", { error: errors.currentPassword })}
              {...form.register("currentPassword")}
            />
          </FormField>
          <FormField id="new-password" label="New password" description={PASSWORD_HELP} error={errors.newPassword?.message}>
            <Input
              id="new-password"
              type="password"
              autoComplete="new-password"
              aria-invalid={!!errors.newPassword}
              aria-describedby={fieldDescribedBy("new-password", { description: true, error: errors.newPassword })}
              {...form.register("newPassword")}
            />
          </FormField>
          <FormField id="confirm-password" label="Confirm new password" error={errors.confirmPassword?.message}>
            <Input
              id="confirm-password"
              type="password"
              autoComplete="new-password"
              aria-invalid={!!errors.confirmPassword}
              aria-describedby={fieldDescribedBy("confirm-password", { error: errors.confirmPassword })}
              {...form.register("confirmPassword")}
            />
          </FormField>
        </CardContent>
        <CardFooter className="mt-6 justify-end">
          <Button type="submit" disabled={pending}>
            {pending ? <Spinner /> : <KeyRound aria-hidden />}
            Change password
          </Button>
        </CardFooter>
      </form>
    </Card>
  );
}

export function NameForm({ name }: { name: string }) {
  const router = useRouter();
  const { form, onSubmit, pending, formError } = useActionForm({
    schema: accountNameSchema,
    defaultValues: { name },
    action: renameAccountAction,
    onSuccess: () => {
      toast.success("Name saved");
      router.refresh();
    },
  });
  const nameError = form.formState.errors.name?.message;
  const error = nameError ?? formError;
  return (
    <Card>
      <CardHeader>
        <CardTitle>
          <h2>Name</h2>
        </CardTitle>
        <CardDescription>How you appear to everyone in your workspaces.</CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={onSubmit} noValidate className="flex flex-wrap items-start gap-3">
          <FormField id="account-name" label="Name" error={error} className="min-w-64 flex-1">
            <Input
              id="account-name"
              autoComplete="name"
              aria-invalid={!!nameError}
              aria-describedby={fieldDescribedBy("account-name", { error })}
              {...form.register("name")}
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

export function SignOutOthersCard() {
  const [pending, start] = useTransition();
  const signOutOthers = () =>
    start(async () => {
      const r = await signOutOtherSessionsAction({});
      if (r.ok) toast.success("Your other sessions are signed out");
      else toast.error(r.error);
    });
  return (
    <Card>
      <CardHeader>
        <CardTitle>
          <h2>Sessions</h2>
        </CardTitle>
        <CardDescription>Signs you out on every other browser and device. This one stays signed in.</CardDescription>
      </CardHeader>
      <CardFooter className="justify-end">
        <ConfirmButton
          title="Sign out your other sessions?"
          description="Every other browser and device signed in to your account is signed out at its next click."
          confirmLabel="Sign out others"
          onConfirm={signOutOthers}
        >
          <Button type="button" variant="outline" disabled={pending}>
            {pending ? <Spinner /> : <LogOut aria-hidden />}
            Sign out other sessions
          </Button>
        </ConfirmButton>
      </CardFooter>
    </Card>
  );
}
