"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db/client";
import { defineAction, type FieldErrors } from "@/lib/action";
import { createConversion } from "@/lib/conversions/create";
import { deliverConversionNow } from "@/lib/conversions/deliver";
import { deliverAfterResponse } from "@/lib/conversions/deliver-after";
import { conversionDepsFromEnv } from "@/lib/conversions/deps";
import { retryConversion } from "@/lib/conversions/read";
import { parseConversionRequest } from "@/lib/conversions/schema";
import { AppError } from "@/lib/errors";
import { afterResponse } from "@/lib/http";
import { type TestEventValues, testEventFormSchema, testEventRequest } from "./test/test-event-schema";

/** Puts a failed or rejected conversion back in the queue and sends it right after answering. */
export const retryConversionAction = defineAction({ role: "marketer", schema: z.object({ id: z.uuid() }) }, async ({ id }, user) => {
  const db = await getDb();
  const row = await retryConversion(db, { tenantId: user.tenantId, id, now: new Date() });
  afterResponse(() => deliverConversionNow(db, conversionDepsFromEnv(), { conversionId: row.id }));
  revalidatePath("/conversions");
  revalidatePath(`/conversions/${id}`);
  return { status: row.status };
});

const CREATE_ERROR_FIELDS: Record<string, "numberId" | "target"> = {
  number_not_found: "numberId",
  number_not_cloud: "numberId",
  dataset_missing: "numberId",
  conversation_not_found: "target",
  no_click_id: "target",
};
const REQUEST_FIELDS: Record<string, keyof TestEventValues | "target"> = {
  accountId: "numberId",
  eventName: "eventName",
  phoneE164: "target",
  conversationId: "target",
  value: "value",
  currency: "currency",
  testCode: "testCode",
};

/** An API error as an error on the form field it is about (the phone or conversation id, the number …). */
function onField(e: unknown, values: TestEventValues): unknown {
  if (!(e instanceof AppError)) return e;
  const target = values.matchBy === "phone" ? "phone" : "conversationId";
  const fieldErrors: FieldErrors = {};
  const place = (field: string | undefined, messages: string[]) => {
    const name = field === "target" ? target : field;
    if (name && messages.length > 0) fieldErrors[name] = [...(fieldErrors[name] ?? []), ...messages];
  };
  const byCode = CREATE_ERROR_FIELDS[e.publicCode];
  if (byCode) place(byCode, [e.message]);
  const details = (e.details as { fieldErrors?: Record<string, string[] | undefined> } | undefined)?.fieldErrors;
  for (const [key, messages] of Object.entries(details ?? {})) place(REQUEST_FIELDS[key], messages ?? []);
  if (Object.keys(fieldErrors).length === 0) return e;
  return new AppError(e.code, "Please correct the highlighted fields.", { fieldErrors }, e.reason);
}

/**
 * A test conversion from the console: built like an API request (a fresh `test-…` event id, so it is never
 * deduplicated), stored with source console_test and delivered right after answering.
 */
export const sendTestConversionAction = defineAction({ role: "marketer", schema: testEventFormSchema }, async (values, user) => {
  const db = await getDb();
  try {
    const request = parseConversionRequest(testEventRequest(values, `test-${crypto.randomUUID()}`));
    const { result, claimed } = await createConversion(db, { tenantId: user.tenantId, request, now: new Date(), source: "console_test", deliverNow: true });
    if (claimed) afterResponse(() => deliverAfterResponse(db, claimed));
    revalidatePath("/conversions");
    return { id: result.id, warnings: result.warnings };
  } catch (e) {
    throw onField(e, values);
  }
});
