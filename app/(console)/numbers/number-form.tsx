"use client";

import { KeyRound, Save, Zap } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Controller, type Path, type UseFormReturn } from "react-hook-form";
import { toast } from "sonner";
import type { z } from "zod";
import { FormError } from "@/components/console/form-error";
import { useActionForm } from "@/components/console/use-action-form";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { FormField, fieldDescribedBy } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Spinner } from "@/components/ui/spinner";
import { Switch } from "@/components/ui/switch";
import type { ActionResult } from "@/lib/action";
import { normalisePhone } from "@/lib/phone";
import { MAX_SEND_RATE, type Provider, PROVIDER_LABELS, numberEditFormSchema, numberFormSchema } from "@/lib/numbers/schemas";
import { cn } from "@/lib/utils";
import { createNumberAction, updateNumberAction } from "./actions";

/** Every provider's fields in one flat object; the schema keeps only the chosen provider's. */
export type NumberFormValues = {
  provider: Provider;
  label: string;
  phoneE164: string;
  active: boolean;
  sendRatePerSecond: number | string;
  phoneNumberId: string;
  wabaId: string;
  accessToken: string;
  appSecret: string;
  datasetId: string;
  greenApiUrl: string;
  greenInstanceId: string;
  greenApiToken: string;
  gupshupAppName: string;
  gupshupApiKey: string;
  gupshupSourceNumber: string;
};

type SecretName = "accessToken" | "appSecret" | "greenApiToken" | "gupshupApiKey";

/** What the edit form knows about a stored number (never the secrets themselves). */
export type EditableNumber = Omit<NumberFormValues, SecretName | "sendRatePerSecond"> & {
  id: string;
  sendRatePerSecond: number;
  secretHints: Partial<Record<SecretName, string | null>>;
};

type Saved = { id: string; check: { status: "connected" | "error" | "unverified"; message: string } | null };
type Form = UseFormReturn<NumberFormValues, unknown, NumberFormValues>;

const PROVIDER_HINTS: Record<Provider, string> = {
  cloud: "Meta's official API: templates, ad attribution and conversions",
  green: "A regular WhatsApp account linked by QR code; sends drip messages",
  gupshup: "A Meta partner (BSP); its callbacks carry your customers' messages",
};

type FieldSpec = {
  name: Path<NumberFormValues>;
  label: string;
  description?: React.ReactNode;
  placeholder?: string;
  inputMode?: "numeric" | "tel" | "url";
  secret?: SecretName;
  optional?: boolean;
};

const FIELDS: Record<Provider, FieldSpec[]> = {
  cloud: [
    {
      name: "phoneNumberId",
      label: "Phone Number ID",
      inputMode: "numeric",
      placeholder: "123456789012345",
      description: "WhatsApp → API Setup in your Meta app, next to the number.",
    },
    {
      name: "wabaId",
      label: "WhatsApp Business Account ID",
      inputMode: "numeric",
      placeholder: "987654321098765",
      description: "Shown on the same page, above the numbers.",
    },
    {
      name: "accessToken",
      label: "Access token",
      secret: "accessToken",
      placeholder: "EAA…",
      description: "A permanent System User token with whatsapp_business_messaging and whatsapp_business_management.",
    },
    { name: "appSecret", label: "App secret", secret: "appSecret", description: "App settings → Basic. Used to verify that webhooks really come from Meta." },
    {
      name: "datasetId",
      label: "Dataset ID (optional)",
      inputMode: "numeric",
      optional: true,
      description: "Events Manager dataset for conversions (CAPI). Leave empty if you don't report conversions yet.",
    },
  ],
  green: [
    {
      name: "greenApiUrl",
      label: "API URL",
      inputMode: "url",
      placeholder: "https://7103.api.greenapi.com",
      description: "apiUrl from the instance page in the Green API console.",
    },
    { name: "greenInstanceId", label: "Instance ID", inputMode: "numeric", placeholder: "7103000001" },
    { name: "greenApiToken", label: "Instance token", secret: "greenApiToken", description: "apiTokenInstance from the same page." },
  ],
  gupshup: [
    { name: "gupshupAppName", label: "App name", placeholder: "MyShopApp" },
    { name: "gupshupApiKey", label: "API key", secret: "gupshupApiKey" },
    {
      name: "gupshupSourceNumber",
      label: "Source number (optional)",
      inputMode: "tel",
      optional: true,
      description: "The number Gupshup sends from; defaults to the phone number above.",
    },
  ],
};

function SecretInput({ form, spec, hint, editing }: { form: Form; spec: FieldSpec; hint: string | null | undefined; editing: boolean }) {
  const [replacing, setReplacing] = useState(!editing);
  const id = `number-${spec.name}`;
  const error = form.getFieldState(spec.name, form.formState).error?.message;
  if (!replacing) {
    return (
      <FormField id={id} label={spec.label} description={spec.description}>
        <div className="flex items-center gap-2">
          <div
            id={id}
            className="flex h-9 min-w-0 flex-1 items-center gap-2 rounded-md border bg-muted/50 px-3 font-mono text-sm"
            aria-describedby={fieldDescribedBy(id, spec)}
          >
            <KeyRound className="size-4 text-muted-foreground" aria-hidden />
            <span data-testid={`${spec.name}-hint`}>{hint ?? "unreadable: replace it"}</span>
          </div>
          <Button type="button" variant="outline" onClick={() => setReplacing(true)} aria-label={`Replace ${spec.label.toLowerCase()}`}>
            Replace
          </Button>
        </div>
      </FormField>
    );
  }
  return (
    <FormField id={id} label={spec.label} description={spec.description} error={error} required={!editing}>
      <div className="flex items-center gap-2">
        <Input
          id={id}
          type="password"
          autoComplete="off"
          spellCheck={false}
          autoFocus={editing}
          placeholder={editing ? "Paste the new value" : spec.placeholder}
          aria-invalid={!!error}
          aria-describedby={fieldDescribedBy(id, { description: spec.description, error })}
          className="font-mono"
          {...form.register(spec.name)}
        />
        {editing ? (
          <Button
            type="button"
            variant="ghost"
            onClick={() => {
              form.setValue(spec.name, "", { shouldValidate: false });
              form.clearErrors(spec.name);
              setReplacing(false);
            }}
          >
            Keep current
          </Button>
        ) : null}
      </div>
    </FormField>
  );
}

function TextInput({ form, spec, required }: { form: Form; spec: FieldSpec; required?: boolean }) {
  const id = `number-${spec.name}`;
  const error = form.getFieldState(spec.name, form.formState).error?.message;
  return (
    <FormField id={id} label={spec.label} description={spec.description} error={error} required={required}>
      <Input
        id={id}
        inputMode={spec.inputMode}
        type={spec.inputMode === "url" ? "url" : "text"}
        placeholder={spec.placeholder}
        autoComplete="off"
        spellCheck={false}
        aria-invalid={!!error}
        aria-describedby={fieldDescribedBy(id, { description: spec.description, error })}
        {...form.register(spec.name)}
      />
    </FormField>
  );
}

function ProviderChoice({ form, disabled }: { form: Form; disabled: boolean }) {
  const current = form.watch("provider");
  return (
    <fieldset className="grid gap-2" disabled={disabled}>
      <legend className="mb-1.5 text-sm font-medium">Provider</legend>
      <div className="grid gap-2 sm:grid-cols-3">
        {(Object.keys(PROVIDER_LABELS) as Provider[]).map((p) => (
          <label
            key={p}
            className={cn(
              "flex cursor-pointer flex-col gap-1 rounded-lg border p-3 text-sm transition-colors has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-ring",
              current === p ? "border-primary bg-primary/5" : "hover:bg-accent",
              disabled && "cursor-not-allowed opacity-70",
            )}
          >
            <span className="flex items-center gap-2 font-medium">
              <input type="radio" value={p} className="accent-primary" {...form.register("provider")} />
              {PROVIDER_LABELS[p]}
            </span>
            <span className="text-xs text-muted-foreground">{PROVIDER_HINTS[p]}</span>
          </label>
        ))}
      </div>
      {disabled ? <p className="text-xs text-muted-foreground">The provider of a connected number cannot change; connect a new number instead.</p> : null}
    </fieldset>
  );
}

const EMPTY: NumberFormValues = {
  provider: "cloud",
  label: "",
  phoneE164: "",
  active: true,
  sendRatePerSecond: 20,
  phoneNumberId: "",
  wabaId: "",
  accessToken: "",
  appSecret: "",
  datasetId: "",
  greenApiUrl: "",
  greenInstanceId: "",
  greenApiToken: "",
  gupshupAppName: "",
  gupshupApiKey: "",
  gupshupSourceNumber: "",
};

export function NumberForm({ number }: { number?: EditableNumber }) {
  const router = useRouter();
  const editing = !!number;
  const { id: numberId, secretHints, ...stored } = number ?? { id: "", secretHints: {} };
  const action = (values: NumberFormValues): Promise<ActionResult<Saved>> =>
    editing ? updateNumberAction(numberId, values as z.input<typeof numberEditFormSchema>) : createNumberAction(values as z.input<typeof numberFormSchema>);
  const { form, onSubmit, pending, formError } = useActionForm({
    schema: (editing ? numberEditFormSchema : numberFormSchema) as unknown as z.ZodType<NumberFormValues, NumberFormValues>,
    defaultValues: { ...EMPTY, ...stored },
    action,
    onSuccess: ({ id, check }) => {
      if (!check) toast.success("Number saved");
      else if (check.status === "connected") toast.success(check.message);
      else if (check.status === "error") toast.warning(`Saved, but the connection test failed: ${check.message}`);
      else toast.info(check.message);
      router.push(`/numbers/${id}`);
      router.refresh();
    },
  });
  const provider = form.watch("provider");
  const phone = form.watch("phoneE164");
  const normalised = typeof phone === "string" && phone.trim() ? normalisePhone(phone) : null;
  const rateError = form.formState.errors.sendRatePerSecond?.message;

  return (
    <form onSubmit={onSubmit} noValidate className="grid max-w-3xl gap-6" aria-label={editing ? "Edit number" : "Connect a number"}>
      <Card>
        <CardHeader>
          <CardTitle>
            <h2>The number</h2>
          </CardTitle>
          <CardDescription>How it appears in Clicktrail, and which service it runs on.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-5">
          <div className="grid items-start gap-4 sm:grid-cols-2">
            <TextInput form={form} spec={{ name: "label", label: "Label", placeholder: "Sales (Moscow)" }} required />
            <TextInput
              form={form}
              required
              spec={{
                name: "phoneE164",
                label: "Phone number",
                inputMode: "tel",
                placeholder: "+7 900 123-45-67",
                description: normalised ? `Saved as ${normalised}` : "With the country code, as you'd dial it from abroad.",
              }}
            />
          </div>
          <ProviderChoice form={form} disabled={editing} />
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>
            <h2>{PROVIDER_LABELS[provider]} credentials</h2>
          </CardTitle>
          <CardDescription>
            {editing
              ? "Secrets are stored encrypted and never shown again; replace one to change it."
              : "Secrets are encrypted before they are stored and never shown again."}
          </CardDescription>
        </CardHeader>
        <CardContent className="grid items-start gap-4 sm:grid-cols-2">
          {FIELDS[provider].map((spec) =>
            spec.secret ? (
              <SecretInput key={`${provider}-${spec.name}`} form={form} spec={spec} editing={editing} hint={secretHints[spec.secret]} />
            ) : (
              <TextInput key={`${provider}-${spec.name}`} form={form} spec={spec} required={!spec.optional} />
            ),
          )}
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>
            <h2>Sending</h2>
          </CardTitle>
        </CardHeader>
        <CardContent className="grid items-start gap-4 sm:grid-cols-2">
          <FormField
            id="number-sendRatePerSecond"
            label="Send rate (messages per second)"
            description="Drip sends stay under this rate. Meta allows 80 per second per number, up to 1,000 once it raised the number's throughput; Green API accounts are safer at 1."
            error={rateError}
          >
            <Input
              id="number-sendRatePerSecond"
              type="number"
              min={1}
              max={MAX_SEND_RATE[provider]}
              inputMode="numeric"
              aria-invalid={!!rateError}
              aria-describedby={fieldDescribedBy("number-sendRatePerSecond", { description: true, error: rateError })}
              className="w-32"
              {...form.register("sendRatePerSecond")}
            />
          </FormField>
          <div className="flex items-start gap-3 pt-6">
            <Controller
              control={form.control}
              name="active"
              render={({ field }) => (
                <Switch id="number-active" checked={field.value} onCheckedChange={field.onChange} aria-describedby="number-active-description" />
              )}
            />
            <div className="grid gap-1">
              <label htmlFor="number-active" className="text-sm font-medium">
                Active
              </label>
              <p id="number-active-description" className="text-xs text-muted-foreground">
                Inactive numbers send nothing. Their webhooks are still received and stored.
              </p>
            </div>
          </div>
        </CardContent>
      </Card>

      <FormError message={formError} />
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" disabled={pending}>
          {pending ? <Spinner /> : editing ? <Save aria-hidden /> : <Zap aria-hidden />}
          {pending ? "Saving and testing…" : editing ? "Save changes" : "Connect and test"}
        </Button>
        <Button asChild variant="ghost">
          <Link href={editing ? `/numbers/${numberId}` : "/numbers"}>Cancel</Link>
        </Button>
      </div>
    </form>
  );
}
