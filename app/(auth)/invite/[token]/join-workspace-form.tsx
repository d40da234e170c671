"use client";

import { LogIn } from "lucide-react";
import { useTransition } from "react";
import { toast } from "sonner";
import { FormError } from "@/components/console/form-error";
import { TextFields } from "@/components/console/text-fields";
import { useActionForm } from "@/components/console/use-action-form";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";
import { joinInviteSchema } from "@/lib/accounts/schemas";
import { joinInviteAction, joinInviteWithPasswordAction } from "./actions";

// a full load: the console opens in the workspace just joined
const enterConsole = () => window.location.assign("/dashboard");

/** The invited email's account is the one signed in: one click joins. */
export function JoinAsSignedInButton({ token }: { token: string }) {
  const [pending, start] = useTransition();
  const join = () =>
    start(async () => {
      const r = await joinInviteAction(token);
      if (r.ok) enterConsole();
      else toast.error(r.error);
    });
  return (
    <Button onClick={join} disabled={pending} className="w-full">
      {pending ? <Spinner /> : <LogIn aria-hidden />}
      Join workspace
    </Button>
  );
}

/** The invited email already has an account: its password (not a new one) proves it is theirs. */
export function JoinWithPasswordForm({ token }: { token: string }) {
  const { form, onSubmit, pending, formError } = useActionForm({
    schema: joinInviteSchema,
    defaultValues: { password: "" },
    action: (values) => joinInviteWithPasswordAction(token, values),
    onSuccess: enterConsole,
  });
  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-4">
      <FormError message={formError} />
      <TextFields form={form} fields={[{ name: "password", label: "Your password", type: "password", autoComplete: "current-password" }]} autoFocusFirst />
      <Button type="submit" disabled={pending} className="w-full">
        {pending ? <Spinner /> : <LogIn aria-hidden />}
        Sign in and join
      </Button>
    </form>
  );
}
