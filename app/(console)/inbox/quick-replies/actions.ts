"use server";

// Quick replies: managers and admins write them, as through POST/PATCH/DELETE /api/v1/quick-replies.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db/client";
import { defineAction } from "@/lib/action";
import { createQuickReply, deleteQuickReply, quickReplyInputSchema, updateQuickReply } from "@/lib/inbox/quick-replies";

const manager = "manager" as const;
const done = <T>(value: T) => {
  revalidatePath("/inbox/quick-replies");
  return value;
};

export const createQuickReplyAction = defineAction({ role: manager, schema: quickReplyInputSchema }, async (input, user) =>
  done(await createQuickReply(await getDb(), { tenantId: user.tenantId, userId: user.id, input, now: new Date() })),
);

/** Saves both fields as the dialog shows them; a shortcut another reply has comes back as a field error. */
export const updateQuickReplyAction = defineAction({ role: manager, schema: quickReplyInputSchema.extend({ id: z.uuid() }) }, async ({ id, ...patch }, user) =>
  done(await updateQuickReply(await getDb(), { tenantId: user.tenantId, id, patch, now: new Date() })),
);

export const deleteQuickReplyAction = defineAction({ role: manager, schema: z.object({ id: z.uuid() }) }, async ({ id }, user) =>
  done(await deleteQuickReply(await getDb(), { tenantId: user.tenantId, id }).then(() => null)),
);
