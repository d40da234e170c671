// What the console's template pages read. The editor, besides the template: leads to preview with, every
// segment's values, segments to suggest, and the Cloud API numbers whose approved templates can be bound.
import type { Db } from "@/db/client";
import { listLeadSegments, listNumbers } from "@/db/queries";
import type { Page } from "@/lib/pagination";
import { type PreviewLead, loadPreviewContext } from "./preview";
import type { SegmentVariables, TemplateInput, TemplateListFilters } from "./schemas";
import { getTemplateVariables, type TemplateVariables } from "./segment-variables";
import { listTemplateRevisionsPage, type PublicRevision } from "./revisions";
import { findTemplate, listTemplatesPage, type PublicTemplate, templateToInput, toPublicTemplate } from "./templates";

export type BindableNumber = { id: string; label: string; phoneE164: string; demo: boolean };

export type EditorContext = {
  leads: PreviewLead[];
  segmentVariables: SegmentVariables;
  /** segments of leads and templates, and those with values set */
  segments: string[];
  cloudNumbers: BindableNumber[];
};

export async function loadEditorContext(db: Db, { tenantId }: { tenantId: string }): Promise<EditorContext> {
  const [preview, usedSegments, numbers] = await Promise.all([
    loadPreviewContext(db, { tenantId }),
    listLeadSegments(db, { tenantId }),
    listNumbers(db, { tenantId, limit: 100 }),
  ]);
  return {
    ...preview,
    segments: [...new Set([...usedSegments, ...Object.keys(preview.segmentVariables)])].sort((a, b) => a.localeCompare(b)),
    cloudNumbers: numbers.filter((n) => n.provider === "cloud" && n.wabaId).map((n) => ({ id: n.id, label: n.label, phoneE164: n.phoneE164, demo: n.demo })),
  };
}

/** The list page: one page of templates as the API shows them, and the segments to filter by. */
export async function loadTemplateList(
  db: Db,
  { tenantId, ...params }: { tenantId: string; cursor?: string; limit: number } & TemplateListFilters,
): Promise<{ page: Page<PublicTemplate>; segments: string[] }> {
  const [page, { segments: values }, used] = await Promise.all([
    listTemplatesPage(db, { tenantId, ...params }),
    getTemplateVariables(db, { tenantId }),
    listLeadSegments(db, { tenantId }),
  ]);
  return {
    page: { ...page, rows: page.rows.map((row) => toPublicTemplate(row, values)) },
    segments: [...new Set([...used, ...Object.keys(values)])].sort((a, b) => a.localeCompare(b)),
  };
}

/** The editor page: the template (null when it is not the tenant's), its form values, its latest 50 revisions and the editor's context. */
export async function loadTemplatePage(
  db: Db,
  { tenantId, id }: { tenantId: string; id: string },
): Promise<{ template: PublicTemplate; input: TemplateInput; revisions: Page<PublicRevision>; context: EditorContext } | null> {
  const row = await findTemplate(db, { tenantId, id });
  if (!row) return null;
  const [revisions, context] = await Promise.all([
    listTemplateRevisionsPage(db, { tenantId, templateId: row.id, limit: 50 }),
    loadEditorContext(db, { tenantId }),
  ]);
  return { template: toPublicTemplate(row, context.segmentVariables), input: templateToInput(row), revisions, context };
}

/** The variables page: built-in variables, every segment's values, and segments to suggest. */
export async function loadVariablesPage(db: Db, { tenantId }: { tenantId: string }): Promise<{ variables: TemplateVariables; segments: string[] }> {
  const [variables, used] = await Promise.all([getTemplateVariables(db, { tenantId }), listLeadSegments(db, { tenantId })]);
  return { variables, segments: [...new Set([...used, ...Object.keys(variables.segments)])].sort((a, b) => a.localeCompare(b)) };
}
