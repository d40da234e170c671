"use client";

import { Rocket } from "lucide-react";
import { Controller } from "react-hook-form";
import { FormError } from "@/components/console/form-error";
import { type TextFieldSpec, TextFields } from "@/components/console/text-fields";
import { useActionForm } from "@/components/console/use-action-form";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { Label } from "@/components/ui/label";
import { Spinner } from "@/components/ui/spinner";
import { setupSchema } from "@/lib/accounts/schemas";
import { setupAction } from "./actions";

const fields = [
  { name: "organisation", label: "Organisation", type: "text", autoComplete: "organization", description: "Shown in the console header." },
  { name: "name", label: "Your name", type: "text", autoComplete: "name" },
  { name: "email", label: "Email", type: "email", autoComplete: "email" },
  { name: "password", label: "Password", type: "password", autoComplete: "new-password", description: "At least 10 characters." },
  { name: "confirmPassword", label: "Confirm password", type: "password", autoComplete: "new-password" },
] as const satisfies TextFieldSpec<string>[];

export function SetupForm() {
  const { form, onSubmit, pending, formError } = useActionForm({
    schema: setupSchema,
    defaultValues: { organisation: "", name: "", email: "", password: "", confirmPassword: "", loadDemo: false },
    action: setupAction,
  });

  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-4">
      <FormError message={formError} />
      <TextFields form={form} fields={fields} autoFocusFirst />
      <div className="flex items-start gap-3 rounded-md border p-3">
        <Controller
          control={form.control}
          name="loadDemo"
          render={({ field }) => <Checkbox id="loadDemo" checked={!!field.value} onCheckedChange={(v) => field.onChange(v === true)} className="mt-0.5" />}
        />
        <div className="grid gap-1">
          <Label htmlFor="loadDemo">Load demo data</Label>
          <p className="text-sm text-muted-foreground">
            Numbers, a few hundred subscribers with ad-attributed chats, drip templates, leads, a queue and conversions, so you can explore before connecting
            WhatsApp.
          </p>
        </div>
      </div>
      <Button type="submit" disabled={pending} className="w-full">
        {pending ? <Spinner /> : <Rocket aria-hidden />}
        Create workspace
      </Button>
    </form>
  );
}
