"use client";

import { Send } from "lucide-react";
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
import { cn } from "@/lib/utils";
import { sendTestConversionAction } from "../actions";
import { MATCH_BY, TEST_EVENT_NAMES, type TestEventInput, testEventFormSchema } from "./test-event-schema";

export type TestNumberOption = { id: string; label: string; datasetId: string | null };

const EVENT_HINTS: Record<(typeof TEST_EVENT_NAMES)[number], string> = {
  LeadSubmitted: "A lead: they left their details or asked for a call.",
  Purchase: "A sale: needs its value and currency.",
  AddToCart: "They added something to a cart.",
  InitiateCheckout: "They started to pay.",
  ViewContent: "They looked at a product or a price list.",
};

const MATCH_LABELS: Record<(typeof MATCH_BY)[number], string> = { phone: "Their phone number", conversation: "A conversation id" };

export function TestEventForm({ numbers, numberHint }: { numbers: TestNumberOption[]; numberHint: React.ReactNode }) {
  const router = useRouter();
  const ready = numbers.filter((n) => n.datasetId);
  const { form, onSubmit, pending, formError } = useActionForm({
    schema: testEventFormSchema,
    defaultValues: {
      numberId: ready[0]?.id ?? "",
      eventName: "LeadSubmitted",
      matchBy: "phone",
      phone: "",
      conversationId: "",
      value: "",
      currency: "",
      testCode: "",
    } satisfies TestEventInput,
    action: sendTestConversionAction,
    onSuccess: ({ id }) => {
      toast.success("Test event queued: it is sent to Meta in a moment.");
      router.push(`/conversions/${id}`);
    },
  });
  const error = (name: keyof TestEventInput) => form.getFieldState(name, form.formState).error?.message;
  const matchBy = form.watch("matchBy");
  const eventName = form.watch("eventName");
  const purchase = eventName === "Purchase";

  const numberError = error("numberId");
  const eventError = error("eventName");
  const phoneError = error("phone");
  const conversationError = error("conversationId");
  const valueError = error("value");
  const currencyError = error("currency");
  const codeError = error("testCode");
  const codeDescription = (
    <>
      In Meta Events Manager open this number&apos;s dataset, then <strong>Test events</strong>, and copy the code shown there (e.g. TEST12345). An event with a
      test code appears only under Test events, never in your ad reports.
    </>
  );

  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-5" aria-label="Send a test event">
      <FormError message={formError} />
      <FormField id="numberId" label="Number" required description={numberHint} error={numberError}>
        <Controller
          control={form.control}
          name="numberId"
          render={({ field }) => (
            <Select value={field.value} onValueChange={field.onChange} disabled={pending}>
              <SelectTrigger
                id="numberId"
                className="w-full"
                onBlur={field.onBlur}
                aria-invalid={!!numberError}
                aria-describedby={fieldDescribedBy("numberId", { description: numberHint, error: numberError })}
              >
                <SelectValue placeholder="Choose a number" />
              </SelectTrigger>
              <SelectContent>
                {numbers.map((n) => (
                  <SelectItem key={n.id} value={n.id} disabled={!n.datasetId}>
                    {n.label}
                    {n.datasetId ? "" : " · no dataset yet"}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
          )}
        />
      </FormField>

      <FormField id="eventName" label="Event" required description={EVENT_HINTS[eventName as keyof typeof EVENT_HINTS]} error={eventError}>
        <Controller
          control={form.control}
          name="eventName"
          render={({ field }) => (
            <Select value={field.value} onValueChange={field.onChange} disabled={pending}>
              <SelectTrigger
                id="eventName"
                className="w-full sm:w-64"
                onBlur={field.onBlur}
                aria-invalid={!!eventError}
                aria-describedby={fieldDescribedBy("eventName", { description: true, error: eventError })}
              >
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                {TEST_EVENT_NAMES.map((n) => (
                  <SelectItem key={n} value={n}>
                    {n}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
          )}
        />
      </FormField>

      <fieldset className="grid gap-3" disabled={pending}>
        <legend className="mb-1.5 text-sm font-medium">Find the ad conversation by</legend>
        <div className="flex flex-wrap gap-2">
          {MATCH_BY.map((m) => (
            <label
              key={m}
              className={cn(
                "flex cursor-pointer items-center gap-2 rounded-md border px-3 py-1.5 text-sm has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-ring",
                matchBy === m ? "border-primary bg-primary/5" : "hover:bg-accent",
              )}
            >
              <input type="radio" value={m} className="accent-primary" {...form.register("matchBy")} />
              {MATCH_LABELS[m]}
            </label>
          ))}
        </div>
        {matchBy === "phone" ? (
          <FormField
            id="phone"
            label="Subscriber's phone"
            required
            description="The number they wrote from, with its country code. Their most recent conversation that started from an ad click on this number is used."
            error={phoneError}
          >
            <Input
              id="phone"
              type="tel"
              inputMode="tel"
              autoComplete="off"
              placeholder="+1 650 555 0101"
              aria-invalid={!!phoneError}
              aria-describedby={fieldDescribedBy("phone", { description: true, error: phoneError })}
              {...form.register("phone")}
            />
          </FormField>
        ) : (
          <FormField
            id="conversationId"
            label="Conversation id"
            required
            description="The conversationId your system got from the API (GET /api/v1/subscribers/{id}); the conversation must have started from an ad click."
            error={conversationError}
          >
            <Input
              id="conversationId"
              autoComplete="off"
              spellCheck={false}
              className="font-mono"
              placeholder="1b4e28ba-2fa1-11d2-883f-0016d3cca427"
              aria-invalid={!!conversationError}
              aria-describedby={fieldDescribedBy("conversationId", { description: true, error: conversationError })}
              {...form.register("conversationId")}
            />
          </FormField>
        )}
      </fieldset>

      <div className="grid items-start gap-4 sm:grid-cols-[minmax(0,1fr)_12rem]">
        <FormField
          id="value"
          label="Value"
          required={purchase}
          description={purchase ? "What the customer paid." : "Optional for this event."}
          error={valueError}
        >
          <Input
            id="value"
            inputMode="decimal"
            autoComplete="off"
            placeholder="149.90"
            aria-invalid={!!valueError}
            aria-describedby={fieldDescribedBy("value", { description: true, error: valueError })}
            {...form.register("value")}
          />
        </FormField>
        <FormField id="currency" label="Currency" required={purchase} description="A three-letter ISO 4217 code." error={currencyError}>
          <Input
            id="currency"
            autoComplete="off"
            maxLength={3}
            placeholder="USD"
            className="uppercase"
            aria-invalid={!!currencyError}
            aria-describedby={fieldDescribedBy("currency", { description: true, error: currencyError })}
            {...form.register("currency")}
          />
        </FormField>
      </div>

      <FormField id="testCode" label="Test event code" required description={codeDescription} error={codeError}>
        <Input
          id="testCode"
          autoComplete="off"
          spellCheck={false}
          placeholder="TEST12345"
          className="font-mono"
          aria-invalid={!!codeError}
          aria-describedby={fieldDescribedBy("testCode", { description: true, error: codeError })}
          {...form.register("testCode")}
        />
      </FormField>

      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" disabled={pending || ready.length === 0} aria-busy={pending}>
          {pending ? <Spinner /> : <Send aria-hidden />}
          {pending ? "Sending…" : "Send test event"}
        </Button>
        <p className="text-xs text-muted-foreground">It gets its own event id (test-…), so Meta never mistakes it for a real conversion.</p>
      </div>
    </form>
  );
}
