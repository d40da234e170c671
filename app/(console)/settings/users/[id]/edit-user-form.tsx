"use client";

import { Save, Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { Controller } from "react-hook-form";
import { toast } from "sonner";
import { z } from "zod";
import { ConfirmButton } from "@/components/console/confirm-button";
import { FormError } from "@/components/console/form-error";
import { useActionForm } from "@/components/console/use-action-form";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardFooter } from "@/components/ui/card";
import { FormField, fieldDescribedBy } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Spinner } from "@/components/ui/spinner";
import { passwordSchema, personNameSchema, roleSchema } from "@/lib/accounts/schemas";
import type { Role } from "@/lib/roles-types";
import { removeUserAction, updateUserAction } from "../../actions";
import { RoleSelect } from "../../role-select";

const editSchema = z.object({ name: personNameSchema, role: roleSchema, password: z.union([z.literal(""), passwordSchema]) });

export function EditUserForm({
  user,
  isSelf,
  accountEditable,
}: {
  user: { id: string; name: string; email: string; role: Role };
  isSelf: boolean;
  /** false when the account also belongs to a workspace the admin does not administer */
  accountEditable: boolean;
}) {
  const router = useRouter();
  const [removing, startRemove] = useTransition();
  const { form, onSubmit, pending, formError } = useActionForm({
    schema: editSchema,
    defaultValues: { name: user.name, role: user.role, password: "" },
    action: ({ name, role, password }) =>
      updateUserAction({ id: user.id, input: { role, ...(accountEditable ? { name, ...(password ? { password } : {}) } : {}) } }),
    onSuccess: () => {
      toast.success("Saved");
      form.setValue("password", "");
      router.refresh();
    },
  });
  const { errors } = form.formState;
  const remove = () =>
    startRemove(async () => {
      const r = await removeUserAction({ id: user.id });
      if (!r.ok) {
        toast.error(r.error);
        return;
      }
      toast.success(`${user.name} was removed`);
      router.push("/settings");
    });

  return (
    <Card>
      <form onSubmit={onSubmit} noValidate>
        <CardContent className="grid gap-4">
          <FormError message={formError} />
          {accountEditable ? null : (
            <p className="text-sm text-muted-foreground">
              {user.name} also belongs to a workspace you are not an admin of: only they, or an admin of all their workspaces, can change their name or
              password. Their role here is yours to change.
            </p>
          )}
          <FormField id="edit-name" label="Name" error={errors.name?.message}>
            <Input
              id="edit-name"
              readOnly={!accountEditable}
              aria-invalid={!!errors.name}
              aria-describedby={fieldDescribedBy("edit-name", { error: errors.name })}
              {...form.register("name")}
            />
          </FormField>
          <FormField id="edit-role" label="Role" error={errors.role?.message} description={isSelf ? "You cannot remove your own admin role." : undefined}>
            <Controller
              control={form.control}
              name="role"
              render={({ field }) => <RoleSelect id="edit-role" value={field.value} onChange={field.onChange} />}
            />
          </FormField>
          <FormField id="edit-password" label="New password" description="Leave empty to keep the current password." error={errors.password?.message}>
            <Input
              id="edit-password"
              type="password"
              readOnly={!accountEditable}
              autoComplete="new-password"
              aria-invalid={!!errors.password}
              aria-describedby={fieldDescribedBy("edit-password", { description: true, error: errors.password })}
              {...form.register("password")}
            />
          </FormField>
        </CardContent>
        <CardFooter className="mt-6 flex justify-between gap-3">
          {isSelf ? (
            <span />
          ) : (
            <ConfirmButton
              title={`Remove ${user.name} from this workspace?`}
              description="They lose access to this workspace at once; their other workspaces stay theirs (an account left with none is deleted). Records they created stay."
              confirmLabel="Remove"
              onConfirm={remove}
            >
              <Button type="button" variant="ghost" className="text-destructive" disabled={removing}>
                <Trash2 aria-hidden />
                Remove from workspace
              </Button>
            </ConfirmButton>
          )}
          <Button type="submit" disabled={pending}>
            {pending ? <Spinner /> : <Save aria-hidden />}
            Save changes
          </Button>
        </CardFooter>
      </form>
    </Card>
  );
}
