// A template's revision history, newest first: each revision is the full template as it was saved.
import { z } from "zod";
import type { Db } from "@/db/client";
import { listTemplateRevisions, type TemplateRevisionListRow } from "@/db/queries";
import { type Page, readCursor, writeCursor } from "@/lib/pagination";
import { type TemplateSnapshot, templateSnapshotSchema } from "./schemas";
import { requireTemplate } from "./templates";

export type PublicRevision = {
  revision: number;
  snapshot: TemplateSnapshot;
  /** who saved it (null for an API key, or a user since removed) */
  createdBy: { id: string; name: string } | null;
  /** the revision this one brought back, when it was written by a restore */
  restoredFrom: number | null;
  createdAt: Date;
};

export function toPublicRevision(row: TemplateRevisionListRow): PublicRevision {
  const snapshot = templateSnapshotSchema.parse(row.snapshot);
  return {
    revision: row.revision,
    snapshot,
    createdBy: row.createdBy && row.createdByName !== null ? { id: row.createdBy, name: row.createdByName } : null,
    restoredFrom: snapshot.restoredFrom ?? null,
    createdAt: row.createdAt,
  };
}

const cursorJson = z.object({ r: z.number().int().min(1).max(2_147_483_647) });

/** Newest first, keyset-paginated by revision number; 404 when the template is not the tenant's. */
export async function listTemplateRevisionsPage(
  db: Db,
  { tenantId, templateId, cursor, limit }: { tenantId: string; templateId: string; cursor?: string; limit: number },
): Promise<Page<PublicRevision>> {
  await requireTemplate(db, { tenantId, id: templateId });
  const rows = await listTemplateRevisions(db, { tenantId, templateId, before: cursor ? readCursor(cursor, cursorJson).r : undefined, limit });
  const page = rows.slice(0, limit).map(toPublicRevision);
  const last = page[page.length - 1];
  return { rows: page, nextCursor: rows.length > limit && last ? writeCursor({ r: last.revision }) : null };
}
