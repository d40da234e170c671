"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db/client";
import { defineAction } from "@/lib/action";
import { AppError } from "@/lib/errors";
import { recordCall, stopCampaign } from "@/lib/leads/call";
import { announceLeadAfterAnswer } from "@/lib/leads/announce";
import { createLead } from "@/lib/leads/create";
import { leadFormSchema } from "@/lib/leads/form-schema";

const manager = "manager" as const;
const byId = z.object({ id: z.uuid() });

const done = <T>(value: T, id: string) => {
  revalidatePath("/leads");
  revalidatePath(`/leads/${id}`);
  return value;
};

/** "New lead" in the console: the API's createLead with source "console"; a number problem lands on the number field. */
export const createLeadAction = defineAction({ role: manager, schema: leadFormSchema }, async (values, user) => {
  try {
    const db = await getDb();
    const { lead, duplicate } = await createLead(db, {
      tenantId: user.tenantId,
      input: { name: values.name, phone: values.phone, segment: values.segment || undefined, source: "console", numberId: values.numberId || undefined },
      now: new Date(),
    });
    announceLeadAfterAnswer(db, { tenantId: user.tenantId, leadId: lead.id, duplicate });
    return done({ id: lead.id }, lead.id);
  } catch (e) {
    if (e instanceof AppError && e.reason?.startsWith("number_")) {
      throw new AppError(e.code, "Please correct the highlighted fields.", { fieldErrors: { numberId: [e.message] } }, e.reason);
    }
    if (e instanceof AppError && (e.details as { fieldErrors?: { phone?: string[] } } | undefined)?.fieldErrors?.phone) {
      throw new AppError(e.code, "Please correct the highlighted fields.", e.details, e.reason);
    }
    throw e;
  }
});

/** The seed's call buttons: "Called" with the answer to "target and interested?" (Yes enrolls), or "No answer". */
export const recordCallAction = defineAction(
  { role: manager, schema: byId.extend({ callStatus: z.enum(["called", "no_answer"]), isTarget: z.boolean().optional() }) },
  async ({ id, callStatus, isTarget }, user) => {
    const { queued, cancelled, notQueued } = await recordCall(await getDb(), {
      tenantId: user.tenantId,
      leadId: id,
      callStatus,
      isTarget,
      userId: user.id,
      now: new Date(),
    });
    return done({ queued, cancelled, notQueued }, id);
  },
);

/** "Stop campaign": pending messages are cancelled, nothing more is sent. */
export const stopCampaignAction = defineAction({ role: manager, schema: byId }, async ({ id }, user) => {
  const { cancelled } = await stopCampaign(await getDb(), { tenantId: user.tenantId, leadId: id, now: new Date() });
  return done({ cancelled }, id);
});
