// The editor's preview: a template rendered exactly as the drip would render it for one lead (its own
// fields, its WhatsApp profile name and the values set for its segment), or for a sample lead.
import type { Db } from "@/db/client";
import { getLeadForPreview, getSegmentVariables, listPreviewLeadsBySegment, type PreviewLeadRow } from "@/db/queries";
import { MAX_MESSAGE_LENGTH, type Rendered, renderTemplate } from "@/lib/drip/render";
import { notFound } from "@/lib/errors";
import { type PreviewLead, previewVariables, sampleLead } from "./preview-variables";
import type { SegmentVariables } from "./schemas";

export type { PreviewLead } from "./preview-variables";

const toPreviewLead = (row: PreviewLeadRow): PreviewLead => ({
  id: row.id,
  name: row.name,
  phone: row.phone,
  segment: row.segment,
  profileName: row.profileName,
  createdAt: row.createdAt.toISOString(),
  sample: false,
});

export type TemplatePreview = Rendered & { maxLength: number; lead: PreviewLead };

/** Renders `content` for the lead `leadId` (404 when it is not the tenant's), or for the sample lead with `segment`. */
export async function previewTemplate(
  db: Db,
  { tenantId, content, leadId, segment = null }: { tenantId: string; content: string; leadId?: string; segment?: string | null },
): Promise<TemplatePreview> {
  const [segmentVariables, row] = await Promise.all([getSegmentVariables(db, tenantId), leadId ? getLeadForPreview(db, { tenantId, id: leadId }) : null]);
  if (leadId && !row) throw notFound("Lead");
  const lead = row ? toPreviewLead(row) : sampleLead(segment);
  return { ...renderTemplate(content, previewVariables(lead, segmentVariables ?? {})), maxLength: MAX_MESSAGE_LENGTH, lead };
}

/**
 * What the editor needs to preview on its own: the newest leads of every segment (the editor offers those the
 * template's segment reaches: previewLeadsFor) and every segment's values.
 */
export async function loadPreviewContext(
  db: Db,
  { tenantId, perSegment = 8 }: { tenantId: string; perSegment?: number },
): Promise<{ leads: PreviewLead[]; segmentVariables: SegmentVariables }> {
  const [rows, segmentVariables] = await Promise.all([listPreviewLeadsBySegment(db, { tenantId, perSegment }), getSegmentVariables(db, tenantId)]);
  return { leads: rows.map(toPreviewLead), segmentVariables: segmentVariables ?? {} };
}
