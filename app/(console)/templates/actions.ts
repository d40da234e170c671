"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db/client";
import { defineAction } from "@/lib/action";
import { metaTemplateDepsFromEnv } from "@/lib/templates/deps";
import { listApprovedMetaTemplates } from "@/lib/templates/meta-templates";
import { revisionParamSchema, rowsToSegmentVariables, segmentVariableRowsSchema, templateFormSchema } from "@/lib/templates/schemas";
import { updateSegmentVariables } from "@/lib/templates/segment-variables";
import { createTemplate, deleteTemplate, restoreTemplateRevision, setTemplateActive, updateTemplate } from "@/lib/templates/templates";

const manager = "manager" as const;
const byId = z.object({ id: z.uuid() });

const done = <T>(value: T, id?: string) => {
  revalidatePath("/templates");
  if (id) revalidatePath(`/templates/${id}`);
  return value;
};

export const createTemplateAction = defineAction({ role: manager, schema: templateFormSchema }, async (input, user) => {
  const row = await createTemplate(await getDb(), { tenantId: user.tenantId, userId: user.id }, input);
  return done({ id: row.id });
});

/** The editor's whole form; a save that changes nothing writes no revision. */
export async function updateTemplateAction(id: string, input: z.input<typeof templateFormSchema>) {
  return defineAction({ role: manager, schema: templateFormSchema }, async (values, user) => {
    const key = byId.parse({ id });
    const { row, changed } = await updateTemplate(await getDb(), { tenantId: user.tenantId, userId: user.id }, { id: key.id, patch: values });
    return done({ id: row.id, revision: row.revision, changed }, row.id);
  })(input);
}

export const setTemplateActiveAction = defineAction({ role: manager, schema: byId.extend({ active: z.boolean() }) }, async ({ id, active }, user) => {
  const { row } = await setTemplateActive(await getDb(), { tenantId: user.tenantId, userId: user.id }, { id, active });
  return done(row.active, id);
});

export const deleteTemplateAction = defineAction({ role: manager, schema: byId }, async ({ id }, user) => {
  const row = await deleteTemplate(await getDb(), { tenantId: user.tenantId, id });
  return done({ name: row.name });
});

export const restoreRevisionAction = defineAction({ role: manager, schema: byId.extend(revisionParamSchema.shape) }, async ({ id, revision }, user) => {
  const row = await restoreTemplateRevision(await getDb(), { tenantId: user.tenantId, userId: user.id }, { id, revision });
  return done({ revision: row.revision }, id);
});

/** The per-segment values table: replaces every segment's values. */
export const saveSegmentVariablesAction = defineAction({ role: manager, schema: segmentVariableRowsSchema }, async ({ rows }, user) => {
  const saved = await updateSegmentVariables(await getDb(), { tenantId: user.tenantId, segments: rowsToSegmentVariables(rows) });
  revalidatePath("/templates/variables");
  return done({ variables: saved.variables.length });
});

/** A Cloud API number's approved Meta templates, read from Meta now. */
export const loadMetaTemplatesAction = defineAction({ role: manager, schema: z.object({ numberId: z.uuid() }) }, async ({ numberId }, user) =>
  listApprovedMetaTemplates(await getDb(), metaTemplateDepsFromEnv(), { tenantId: user.tenantId, numberId }),
);
