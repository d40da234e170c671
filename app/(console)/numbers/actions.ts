"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db/client";
import { defineAction } from "@/lib/action";
import { syncNumberDataset } from "@/lib/conversions/dataset";
import { conversionDepsFromEnv } from "@/lib/conversions/deps";
import { issueGreenWebhookToken } from "@/lib/green/webhook-token";
import { connectNumber, editNumber, recheckNumber } from "@/lib/numbers/connect";
import { numberDepsFromEnv } from "@/lib/numbers/deps";
import { deleteNumber, rotateNumberToken, setAutoLeadSubmitted, setNumberActive } from "@/lib/numbers/numbers";
import { numberEditFormSchema, numberFormSchema } from "@/lib/numbers/schemas";
import type { CheckResult } from "@/lib/numbers/check-connection";

const manager = "manager" as const;
const byId = z.object({ id: z.uuid() });
type Saved = { id: string; check: Pick<CheckResult, "status" | "message"> | null };

const done = <T>(value: T, id?: string) => {
  revalidatePath("/numbers");
  if (id) revalidatePath(`/numbers/${id}`);
  return value;
};

export const createNumberAction = defineAction({ role: manager, schema: numberFormSchema }, async (input, user): Promise<Saved> => {
  const { number, check } = await connectNumber(await getDb(), numberDepsFromEnv(), { tenantId: user.tenantId, input });
  return done({ id: number.id, check: check && { status: check.status, message: check.message } });
});

/** The edit form: the same fields, secrets left empty are kept. */
export async function updateNumberAction(id: string, input: z.input<typeof numberEditFormSchema>) {
  return defineAction({ role: manager, schema: numberEditFormSchema }, async (values, user): Promise<Saved> => {
    const key = byId.parse({ id });
    const { number, check } = await editNumber(await getDb(), numberDepsFromEnv(), { tenantId: user.tenantId, id: key.id, patch: values });
    return done({ id: number.id, check: check && { status: check.status, message: check.message } }, number.id);
  })(input);
}

export const testConnectionAction = defineAction({ role: manager, schema: byId }, async ({ id }, user) => {
  const { check } = await recheckNumber(await getDb(), numberDepsFromEnv(), { tenantId: user.tenantId, id });
  return done({ status: check.status, message: check.message }, id);
});

export const setNumberActiveAction = defineAction({ role: manager, schema: byId.extend({ active: z.boolean() }) }, async ({ id, active }, user) =>
  done((await setNumberActive(await getDb(), { tenantId: user.tenantId, id, active })).active, id),
);

export const rotateNumberTokenAction = defineAction(
  { role: manager, schema: byId.extend({ which: z.enum(["verify", "gupshup"]) }) },
  async ({ id, which }, user) => {
    await rotateNumberToken(await getDb(), { tenantId: user.tenantId, id, which });
    return done(true, id);
  },
);

/** A new webhookUrlToken for a Green API number (admins: the token is shown to them only). */
export const rotateGreenWebhookTokenAction = defineAction({ role: "admin", schema: byId }, async ({ id }, user) => {
  await issueGreenWebhookToken(await getDb(), numberDepsFromEnv().keys, { tenantId: user.tenantId, id });
  return done(true, id);
});

export const deleteNumberAction = defineAction({ role: manager, schema: byId }, async ({ id }, user) => {
  await deleteNumber(await getDb(), { tenantId: user.tenantId, id });
  return done(true);
});

/** Reads the WABA's Conversions API dataset from Meta (`create`: creates it when there is none) and keeps its id. */
export const syncDatasetAction = defineAction({ role: manager, schema: byId.extend({ create: z.boolean() }) }, async ({ id, create }, user) => {
  const result = await syncNumberDataset(await getDb(), conversionDepsFromEnv(), { tenantId: user.tenantId, numberId: id, create });
  revalidatePath("/conversions/test");
  return done(result, id);
});

/** The automatic LeadSubmitted conversion on the first message of an ad-attributed conversation. */
export const setAutoLeadSubmittedAction = defineAction({ role: manager, schema: byId.extend({ enabled: z.boolean() }) }, async ({ id, enabled }, user) =>
  done((await setAutoLeadSubmitted(await getDb(), { tenantId: user.tenantId, id, enabled })).autoLeadSubmitted, id),
);
