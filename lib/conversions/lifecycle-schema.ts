// The workspace's lifecycle stage → CAPI event map as people enter it (Settings → Lifecycle events, a value
// typed when moving a subscriber): client-safe, no database or node imports. The event names are checked
// against Meta's allowed list on the server (lifecycle.ts), which stores and applies the map.
import { z } from "zod";

/** The stages that can send an event: `lead` is where everyone starts, so moving there reports nothing. */
export const LIFECYCLE_EVENT_STAGES = ["prospect", "customer", "repeat_customer"] as const;
export type LifecycleEventStage = (typeof LIFECYCLE_EVENT_STAGES)[number];

export const LIFECYCLE_STAGE_LABELS: Record<LifecycleEventStage, string> = {
  prospect: "Prospect",
  customer: "Customer",
  repeat_customer: "Repeat customer",
};

/** numeric(14, 2), as conversions.value stores it */
export const MAX_LIFECYCLE_VALUE = 999_999_999_999.99;
/** Meta's custom_data.value goes with a currency; a Purchase needs both (as POST /api/v1/conversions/whatsapp) */
export const EVENT_NEEDING_VALUE = "Purchase";

const isCurrency = (c: string) => /^[A-Z]{3}$/.test(c) && (typeof Intl.supportedValuesOf !== "function" || Intl.supportedValuesOf("currency").includes(c));

export const lifecycleCurrencySchema = z
  .string("Enter a currency, e.g. USD")
  .trim()
  .transform((c) => c.toUpperCase())
  .refine(isCurrency, "Enter an ISO 4217 currency code, e.g. USD, EUR or BRL");

export const lifecycleAmountSchema = z
  .number("Enter the value as a number, e.g. 149.90")
  .min(0, "The value cannot be negative")
  .max(MAX_LIFECYCLE_VALUE, "The value is too large")
  .refine((v) => Number.isFinite(v), "Enter the value as a number, e.g. 149.90");

/** A value a manager enters when moving a subscriber (PATCH /api/v1/subscribers/{id} `lifecycleValue`). */
export const lifecycleValueSchema = z
  .strictObject({ value: lifecycleAmountSchema, currency: lifecycleCurrencySchema })
  .meta({ description: "The value of this stage's event (e.g. the purchase amount), instead of the workspace's default" });
export type LifecycleValue = z.output<typeof lifecycleValueSchema>;

/** One stage as the form edits it: an event name ("" sends nothing), the default value and currency as typed. */
const stageFormSchema = z.object({
  eventName: z.string().max(64),
  value: z.string().max(32),
  currency: z.string().max(8),
});

export type LifecycleEventEntry = { eventName: string; value?: number; currency?: string };

/** The form's fields for one stage → the stored entry (null: send nothing), with issues on the stage's fields. */
function stageEntry(stage: LifecycleEventStage, row: z.output<typeof stageFormSchema>, ctx: z.core.$RefinementCtx): LifecycleEventEntry | null {
  if (row.eventName === "") return null;
  const issue = (field: "value" | "currency", message: string) => ctx.addIssue({ code: "custom", path: [stage, field], message });
  const typed = row.value.trim().replace(",", ".");
  let value: number | undefined;
  if (typed !== "") {
    const amount = /^\d+(\.\d{1,2})?$/.test(typed) ? lifecycleAmountSchema.safeParse(Number(typed)) : null;
    if (!amount?.success) issue("value", amount?.error.issues[0]?.message ?? "Enter the value as a number with at most 2 decimals, e.g. 149.90");
    else value = amount.data;
  }
  let currency: string | undefined;
  if (row.currency.trim() !== "") {
    const parsed = lifecycleCurrencySchema.safeParse(row.currency);
    if (!parsed.success) issue("currency", parsed.error.issues[0]!.message);
    else currency = parsed.data;
  }
  if (row.eventName === EVENT_NEEDING_VALUE) {
    if (typed === "") issue("value", "A Purchase needs a default value (the manager may enter another when changing the stage)");
    if (row.currency.trim() === "") issue("currency", "A Purchase needs a currency, e.g. USD");
  } else {
    if (typed !== "" && row.currency.trim() === "") issue("currency", "A value needs its currency, e.g. USD");
    if (typed === "" && row.currency.trim() !== "") issue("value", "Enter the value this currency is for, or clear the currency");
  }
  return { eventName: row.eventName, ...(value !== undefined && currency ? { value, currency } : {}) };
}

export const lifecycleEventsFormSchema = z
  .object({ prospect: stageFormSchema, customer: stageFormSchema, repeat_customer: stageFormSchema })
  .transform((form, ctx) => {
    const out: Partial<Record<LifecycleEventStage, LifecycleEventEntry>> = {};
    for (const stage of LIFECYCLE_EVENT_STAGES) {
      const entry = stageEntry(stage, form[stage], ctx);
      if (entry) out[stage] = entry;
    }
    return out;
  });
export type LifecycleEventsForm = z.input<typeof lifecycleEventsFormSchema>;

/** The stored map as the form shows it (every stage; "Send nothing" where none is set). */
export function lifecycleEventsFormValues(map: Partial<Record<string, LifecycleEventEntry>>): LifecycleEventsForm {
  const row = (stage: LifecycleEventStage) => {
    const e = map[stage];
    return { eventName: e?.eventName ?? "", value: e?.value === undefined ? "" : String(e.value), currency: e?.currency ?? "" };
  };
  return { prospect: row("prospect"), customer: row("customer"), repeat_customer: row("repeat_customer") };
}
