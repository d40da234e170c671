"use client";

import { MailPlus, UserPlus } from "lucide-react";
import { useState } from "react";
import { Controller } from "react-hook-form";
import { toast } from "sonner";
import { SecretValue } from "@/components/console/copy-button";
import { FormError } from "@/components/console/form-error";
import { TextFields } from "@/components/console/text-fields";
import { useActionForm } from "@/components/console/use-action-form";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { FormField, fieldDescribedBy } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Spinner } from "@/components/ui/spinner";
import { createUserSchema, inviteUserSchema } from "@/lib/accounts/schemas";
import { createUserAction, inviteUserAction } from "./actions";
import { RoleSelect } from "./role-select";

export function AddUserDialog() {
  const [open, setOpen] = useState(false);
  const { form, onSubmit, pending, formError } = useActionForm({
    schema: createUserSchema,
    defaultValues: { name: "", email: "", role: "marketer", password: "" },
    action: createUserAction,
    onSuccess: (user) => {
      toast.success(`${user.name} can now sign in as ${user.email}`);
      form.reset();
      setOpen(false);
    },
  });
  const { errors } = form.formState;
  const text = [
    { name: "name", label: "Name", type: "text", autoComplete: "off" },
    { name: "email", label: "Email", type: "email", autoComplete: "off" },
    { name: "password", label: "Initial password", type: "password", autoComplete: "new-password" },
  ] as const;
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button size="sm">
          <UserPlus aria-hidden />
          Add user
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Add a user</DialogTitle>
          <DialogDescription>They sign in with this email and password; share the password with them privately.</DialogDescription>
        </DialogHeader>
        <form onSubmit={onSubmit} noValidate className="grid gap-4">
          <FormError message={formError} />
          <TextFields form={form} fields={text} idPrefix="new-" />
          <FormField id="new-role" label="Role" error={errors.role?.message}>
            <Controller
              control={form.control}
              name="role"
              render={({ field }) => <RoleSelect id="new-role" value={field.value} onChange={field.onChange} invalid={!!errors.role} />}
            />
          </FormField>
          <DialogFooter>
            <Button type="submit" disabled={pending}>
              {pending ? <Spinner /> : null}
              Add user
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

export function InviteUserDialog() {
  const [open, setOpen] = useState(false);
  const [link, setLink] = useState<{ url: string; email: string } | null>(null);
  const { form, onSubmit, pending, formError } = useActionForm({
    schema: inviteUserSchema,
    defaultValues: { email: "", role: "manager" },
    action: inviteUserAction,
    onSuccess: (invite) => setLink({ url: invite.url, email: invite.email }),
  });
  const { errors } = form.formState;
  const onOpenChange = (next: boolean) => {
    setOpen(next);
    if (!next) {
      setLink(null);
      form.reset();
    }
  };
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogTrigger asChild>
        <Button size="sm" variant="outline">
          <MailPlus aria-hidden />
          Invite
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Invite someone</DialogTitle>
          <DialogDescription>
            They open the link, choose their name and password, and join with the role you pick. Someone who already has an account (in another workspace) joins
            with that account instead, signed in or with its password.
          </DialogDescription>
        </DialogHeader>
        {link ? (
          <div className="grid gap-3">
            <p className="text-sm">
              Send this link to <strong>{link.email}</strong>. It works once and expires in 7 days; it is not shown again.
            </p>
            <SecretValue value={link.url} testId="invite-link" />
            <DialogFooter>
              <Button onClick={() => onOpenChange(false)}>Done</Button>
            </DialogFooter>
          </div>
        ) : (
          <form onSubmit={onSubmit} noValidate className="grid gap-4">
            <FormError message={formError} />
            <FormField id="invite-email" label="Email" error={errors.email?.message}>
              <Input
                id="invite-email"
                type="email"
                aria-invalid={!!errors.email}
                aria-describedby={fieldDescribedBy("invite-email", { error: errors.email })}
                {...form.register("email")}
              />
            </FormField>
            <FormField id="invite-role" label="Role" error={errors.role?.message}>
              <Controller
                control={form.control}
                name="role"
                render={({ field }) => <RoleSelect id="invite-role" value={field.value} onChange={field.onChange} />}
              />
            </FormField>
            <DialogFooter>
              <Button type="submit" disabled={pending}>
                {pending ? <Spinner /> : null}
                Create invite link
              </Button>
            </DialogFooter>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}
