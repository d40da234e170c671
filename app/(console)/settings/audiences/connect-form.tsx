"use client";

import { AlertTriangle, CloudDownload, Link2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Controller } from "react-hook-form";
import { toast } from "sonner";
import { FormError } from "@/components/console/form-error";
import { useActionForm } from "@/components/console/use-action-form";
import { formatCount } from "@/components/console/format";
import { useFormatContext } from "@/components/console/formatted";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { FormField, fieldDescribedBy } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Spinner } from "@/components/ui/spinner";
import type { AdAccountAudience } from "@/lib/audiences/manage";
import { connectAudienceAction, loadAudiencesAction } from "./actions";
import { type ConnectFormValues, connectFormSchema, loadFormSchema, setFilters } from "./form-schema";
import { SegmentFields } from "./segment-fields";
import type { SegmentOptions } from "./view";

const NEW = "new";

function sizeOf(a: AdAccountAudience, locale: string | undefined): string {
  if (!a.approximateCount) return "size unknown";
  const { lower, upper } = a.approximateCount;
  const n = (v: number) => formatCount(v, "0", locale);
  return lower === upper ? `about ${n(lower)} people` : `${n(lower)}–${n(upper)} people`;
}

/** One radio of the audience choice: a native input, so arrows and space work as a radio group should. */
function Choice({ id, checked, onSelect, children }: { id: string; checked: boolean; onSelect: () => void; children: React.ReactNode }) {
  return (
    <div className="flex items-start gap-2 rounded-md border p-3 has-[:checked]:border-primary">
      <input id={id} type="radio" name="audience-choice" className="mt-0.5 size-4 accent-primary" checked={checked} onChange={onSelect} />
      <Label htmlFor={id} className="grid min-w-0 gap-0.5 font-normal">
        {children}
      </Label>
    </div>
  );
}

/** Connect a Custom Audience: the token (a Cloud number's or a pasted one), the ad account, pick or create, the segment. */
export function ConnectAudienceForm({ cloudNumbers, options }: { cloudNumbers: { value: string; label: string }[]; options: SegmentOptions }) {
  const router = useRouter();
  const { locale } = useFormatContext();
  const defaultValues: ConnectFormValues = {
    tokenSource: cloudNumbers.length > 0 ? "number" : "token",
    numberId: cloudNumbers.length === 1 ? cloudNumbers[0]!.value : "",
    accessToken: "",
    adAccountId: "",
    audience: NEW,
    audienceId: "",
    name: "",
    description: "",
    segment: {},
  };
  const { form, onSubmit, pending, formError } = useActionForm({
    schema: connectFormSchema,
    defaultValues,
    action: (values: ConnectFormValues) => connectAudienceAction({ ...values, segment: setFilters(values.segment) }),
    onSuccess: (audience) => {
      toast.success(`${audience.name} connected: its first sync is queued`);
      router.push("/settings/audiences");
    },
  });
  const { errors } = form.formState;
  const [loading, startLoading] = useTransition();
  const [loaded, setLoaded] = useState<{ adAccountId: string; audiences: AdAccountAudience[] } | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const tokenSource = form.watch("tokenSource");
  const audience = form.watch("audience");
  const audienceId = form.watch("audienceId");

  // a different token or ad account: what was loaded no longer applies
  const forget = () => {
    setLoaded(null);
    setLoadError(null);
    if (form.getValues("audience") === "existing") form.setValue("audience", NEW);
    form.setValue("audienceId", "");
  };

  const load = async () => {
    const ok = await form.trigger(["adAccountId", "tokenSource", "numberId", "accessToken"]);
    if (!ok) return;
    const parsed = loadFormSchema.safeParse(form.getValues());
    if (!parsed.success) return;
    startLoading(async () => {
      setLoadError(null);
      const r = await loadAudiencesAction(parsed.data);
      if (r.ok) {
        setLoaded(r.data);
        return;
      }
      setLoaded(null);
      for (const [field, messages] of Object.entries(r.fieldErrors ?? {})) {
        if (messages?.[0]) form.setError(field as keyof ConnectFormValues, { type: "server", message: messages[0] });
      }
      setLoadError(r.error);
    });
  };

  const choose = (value: string) => {
    form.setValue("audience", value === NEW ? "new" : "existing");
    form.setValue("audienceId", value === NEW ? "" : value);
    form.clearErrors(["audienceId", "name"]);
  };

  const busy = pending || loading;
  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-6" data-testid="audience-connect-form">
      <fieldset className="grid gap-4" disabled={busy}>
        <legend className="mb-1 text-base font-semibold">Meta access</legend>
        <div className="grid gap-2" role="radiogroup" aria-label="Access token">
          <div className="flex items-center gap-2">
            <input
              id="token-source-number"
              type="radio"
              className="size-4 accent-primary"
              value="number"
              disabled={cloudNumbers.length === 0}
              {...form.register("tokenSource", { onChange: forget })}
            />
            <Label htmlFor="token-source-number" className="font-normal">
              Use a Cloud API number&apos;s token{cloudNumbers.length === 0 ? " (no Cloud API number is connected)" : ""}
            </Label>
          </div>
          <div className="flex items-center gap-2">
            <input
              id="token-source-token"
              type="radio"
              className="size-4 accent-primary"
              value="token"
              {...form.register("tokenSource", { onChange: forget })}
            />
            <Label htmlFor="token-source-token" className="font-normal">
              Paste a system user token
            </Label>
          </div>
        </div>
        {tokenSource === "number" ? (
          <FormField
            id="audience-number"
            label="Number"
            required
            description="Its access token must also carry ads_management on the ad account."
            error={errors.numberId?.message}
          >
            <Controller
              control={form.control}
              name="numberId"
              render={({ field }) => (
                <Select
                  value={field.value || undefined}
                  onValueChange={(v) => {
                    field.onChange(v);
                    forget();
                  }}
                >
                  <SelectTrigger
                    id="audience-number"
                    className="w-full sm:w-80"
                    aria-invalid={!!errors.numberId}
                    aria-describedby={fieldDescribedBy("audience-number", { description: true, error: errors.numberId })}
                  >
                    <SelectValue placeholder="Choose a number" />
                  </SelectTrigger>
                  <SelectContent>
                    {cloudNumbers.map((n) => (
                      <SelectItem key={n.value} value={n.value}>
                        {n.label}
                      </SelectItem>
                    ))}
                  </SelectContent>
                </Select>
              )}
            />
          </FormField>
        ) : (
          <FormField
            id="audience-token"
            label="System user access token"
            required
            description="From Business Settings → Users → System users → Generate new token, with ads_management. Stored encrypted and never shown again."
            error={errors.accessToken?.message}
          >
            <Input
              id="audience-token"
              type="password"
              autoComplete="off"
              spellCheck={false}
              aria-invalid={!!errors.accessToken}
              aria-describedby={fieldDescribedBy("audience-token", { description: true, error: errors.accessToken })}
              {...form.register("accessToken", { onChange: forget })}
            />
          </FormField>
        )}
        <FormField
          id="audience-ad-account"
          label="Ad account id"
          required
          description="As Ads Manager shows it, e.g. act_1234567890."
          error={errors.adAccountId?.message}
        >
          <div className="flex flex-wrap gap-2">
            <Input
              id="audience-ad-account"
              className="w-full font-mono sm:w-64"
              inputMode="text"
              autoComplete="off"
              spellCheck={false}
              placeholder="act_1234567890"
              aria-invalid={!!errors.adAccountId}
              aria-describedby={fieldDescribedBy("audience-ad-account", { description: true, error: errors.adAccountId })}
              {...form.register("adAccountId", { onChange: forget })}
            />
            <Button type="button" variant="outline" onClick={load} disabled={busy}>
              {loading ? <Spinner /> : <CloudDownload aria-hidden />}
              Load audiences
            </Button>
          </div>
        </FormField>
        {loadError ? (
          <Alert variant="destructive" data-testid="audience-load-error">
            <AlertTriangle aria-hidden />
            <AlertTitle>Meta refused to list this ad account&apos;s audiences</AlertTitle>
            <AlertDescription>{loadError}</AlertDescription>
          </Alert>
        ) : null}
      </fieldset>

      <fieldset className="grid gap-3" disabled={busy} data-testid="audience-choice">
        <legend className="mb-1 text-base font-semibold">Audience</legend>
        {loaded ? (
          <p className="text-sm text-muted-foreground" role="status">
            {loaded.audiences.length === 0
              ? `Ad account act_${loaded.adAccountId} has no Custom Audiences yet: create one.`
              : `Ad account act_${loaded.adAccountId} has ${loaded.audiences.length} Custom ${loaded.audiences.length === 1 ? "Audience" : "Audiences"}: pick one, or create a new one.`}
          </p>
        ) : (
          <p className="text-sm text-muted-foreground">Load the ad account&apos;s audiences to pick an existing one, or create a new one here.</p>
        )}
        <div className="grid gap-2">
          {loaded && loaded.audiences.length > 0 ? (
            <div className="grid max-h-96 gap-2 overflow-y-auto pr-1" data-testid="audience-options">
              {loaded.audiences.map((a) => (
                <Choice key={a.id} id={`audience-${a.id}`} checked={audience === "existing" && audienceId === a.id} onSelect={() => choose(a.id)}>
                  <span className="font-medium break-words">{a.name}</span>
                  <span className="text-xs text-muted-foreground">
                    {a.id} · {a.subtype ?? "audience"} · {sizeOf(a, locale)}
                    {a.status ? ` · ${a.status}` : ""}
                  </span>
                </Choice>
              ))}
            </div>
          ) : null}
          <Choice id="audience-new" checked={audience === "new"} onSelect={() => choose(NEW)}>
            <span className="font-medium">Create a new audience</span>
            <span className="text-xs text-muted-foreground">
              A customer list audience of people who wrote to you (customer_file_source USER_PROVIDED_ONLY).
            </span>
          </Choice>
        </div>
        {errors.audienceId?.message ? (
          <p className="text-sm text-destructive" role="alert">
            {errors.audienceId.message}
          </p>
        ) : null}
        {audience === "new" ? (
          <div className="grid gap-4 sm:grid-cols-2">
            <FormField id="audience-name" label="Audience name" required error={errors.name?.message}>
              <Input
                id="audience-name"
                maxLength={200}
                placeholder="All WhatsApp Users"
                aria-invalid={!!errors.name}
                aria-describedby={fieldDescribedBy("audience-name", { error: errors.name })}
                {...form.register("name")}
              />
            </FormField>
            <FormField id="audience-description" label="Description" description="Optional, shown in Ads Manager." error={errors.description?.message}>
              <Input
                id="audience-description"
                maxLength={500}
                aria-invalid={!!errors.description}
                aria-describedby={fieldDescribedBy("audience-description", { description: true, error: errors.description })}
                {...form.register("description")}
              />
            </FormField>
          </div>
        ) : null}
      </fieldset>

      <Controller
        control={form.control}
        name="segment"
        render={({ field }) => (
          <SegmentFields
            idPrefix="connect"
            value={field.value}
            onChange={field.onChange}
            options={options}
            disabled={busy}
            error={(errors.segment as { message?: string } | undefined)?.message}
          />
        )}
      />
      <FormError message={formError} />
      <div className="flex justify-end">
        <Button type="submit" disabled={busy}>
          {pending ? <Spinner /> : <Link2 aria-hidden />}
          Connect audience
        </Button>
      </div>
    </form>
  );
}
