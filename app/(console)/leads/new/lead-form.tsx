"use client";

import { UserPlus } from "lucide-react";
import { useRouter } from "next/navigation";
import { Controller } from "react-hook-form";
import { toast } from "sonner";
import { FormError } from "@/components/console/form-error";
import { useActionForm } from "@/components/console/use-action-form";
import { Button } from "@/components/ui/button";
import { FormField, fieldDescribedBy } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Spinner } from "@/components/ui/spinner";
import { type LeadFormInput, leadFormSchema } from "@/lib/leads/form-schema";
import { createLeadAction } from "../actions";

const DEFAULT = "default"; // Radix Select items cannot have an empty value

export function LeadForm({ numbers, defaultNumber, segments }: { numbers: { id: string; label: string }[]; defaultNumber: string | null; segments: string[] }) {
  const router = useRouter();
  const { form, onSubmit, pending, formError } = useActionForm({
    schema: leadFormSchema,
    defaultValues: { name: "", phone: "", segment: "", numberId: "" } satisfies LeadFormInput,
    action: createLeadAction,
    onSuccess: ({ id }) => {
      toast.success("Lead saved. Call them and record the outcome here.");
      router.push(`/leads/${id}`);
    },
  });
  const error = (name: keyof LeadFormInput) => form.getFieldState(name, form.formState).error?.message;
  const nameError = error("name");
  const phoneError = error("phone");
  const segmentError = error("segment");
  const numberError = error("numberId");
  const numberHint = defaultNumber
    ? `Default: ${defaultNumber}, your oldest active Cloud API or Green API number.`
    : "No Cloud API or Green API number is connected yet: the drip waits until the lead has one.";

  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-5" aria-label="New lead">
      <FormField id="name" label="Name" required error={nameError}>
        <Input
          id="name"
          autoComplete="off"
          aria-invalid={!!nameError}
          aria-describedby={fieldDescribedBy("name", { error: nameError })}
          {...form.register("name")}
        />
      </FormField>
      <FormField id="phone" label="Phone" required description="With the country code; the drip is sent to this WhatsApp number." error={phoneError}>
        <Input
          id="phone"
          type="tel"
          inputMode="tel"
          autoComplete="off"
          placeholder="+7 900 123-45-67"
          aria-invalid={!!phoneError}
          aria-describedby={fieldDescribedBy("phone", { description: true, error: phoneError })}
          {...form.register("phone")}
        />
      </FormField>
      <FormField
        id="segment"
        label="Segment"
        description="The course or segment, e.g. acting: the drip uses its templates and those for every segment."
        error={segmentError}
      >
        <Input
          id="segment"
          list="segment-options"
          autoComplete="off"
          aria-invalid={!!segmentError}
          aria-describedby={fieldDescribedBy("segment", { description: true, error: segmentError })}
          {...form.register("segment")}
        />
        <datalist id="segment-options">
          {segments.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
      </FormField>
      <FormField id="numberId" label="Send from" description={numberHint} error={numberError}>
        <Controller
          control={form.control}
          name="numberId"
          render={({ field }) => (
            <Select value={field.value || DEFAULT} onValueChange={(v) => field.onChange(v === DEFAULT ? "" : v)} disabled={pending}>
              <SelectTrigger
                id="numberId"
                className="w-full"
                onBlur={field.onBlur}
                aria-invalid={!!numberError}
                aria-describedby={fieldDescribedBy("numberId", { description: true, error: numberError })}
              >
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                <SelectItem value={DEFAULT}>{defaultNumber ? `Default number (${defaultNumber})` : "Default number (none yet)"}</SelectItem>
                {numbers.map((n) => (
                  <SelectItem key={n.id} value={n.id}>
                    {n.label}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
          )}
        />
      </FormField>
      <FormError message={formError} />
      <div>
        <Button type="submit" disabled={pending} aria-busy={pending}>
          {pending ? <Spinner /> : <UserPlus aria-hidden />}
          {pending ? "Saving…" : "Save lead"}
        </Button>
      </div>
    </form>
  );
}
