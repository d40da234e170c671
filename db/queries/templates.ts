// Drip templates, their revision history, the tenant's per-segment values, and what the editor's preview
// reads (recent leads). A tenant has tens of templates, not millions: the list walks its rows in
// schedule order (delay, then the unique name) from the (tenant_id, name) index.
import { and, desc, eq, inArray, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import { leads, type NewTemplate, outboundMessages, subscribers, templateRevisions, templates, tenants, users } from "../schema";
import { takeFirstOrNull, newestFirst } from "./keyset";

export type TemplateRecord = typeof templates.$inferSelect;
export type TemplateRevisionRow = typeof templateRevisions.$inferSelect;
type Key = { tenantId: string; id: string };

/** The position after which the next page starts: (delayDays, delayHours, name). */
export type TemplateCursor = { delayDays: number; delayHours: number; name: string };

export async function insertTemplate(db: Db, values: NewTemplate): Promise<TemplateRecord> {
  const [row] = await db.insert(templates).values(values).returning();
  return row!;
}

export async function getTemplateById(db: Db, { tenantId, id }: Key, opts: { forUpdate?: boolean } = {}): Promise<TemplateRecord | null> {
  const query = db
    .select()
    .from(templates)
    .where(and(eq(templates.tenantId, tenantId), eq(templates.id, id)))
    .limit(1);
  return takeFirstOrNull(await (opts.forUpdate ? query.for("update") : query));
}

export async function listTemplates(
  db: Db,
  {
    tenantId,
    active,
    segment,
    appliesTo,
    after,
    limit,
  }: { tenantId: string; active?: boolean; segment?: string; appliesTo?: string; after?: TemplateCursor; limit: number },
): Promise<TemplateRecord[]> {
  return db
    .select()
    .from(templates)
    .where(
      and(
        eq(templates.tenantId, tenantId),
        active === undefined ? undefined : eq(templates.active, active),
        segment === undefined ? undefined : eq(templates.segment, segment),
        appliesTo === undefined ? undefined : or(isNull(templates.segment), eq(templates.segment, appliesTo)),
        after
          ? sql`(${templates.delayDays}, ${templates.delayHours}, ${templates.name}) > (${after.delayDays}, ${after.delayHours}, ${after.name})`
          : undefined,
      ),
    )
    .orderBy(templates.delayDays, templates.delayHours, templates.name)
    .limit(limit + 1);
}

export async function updateTemplateRow(db: Db, { tenantId, id }: Key, values: Partial<NewTemplate>): Promise<TemplateRecord | null> {
  const [row] = await db
    .update(templates)
    .set({ ...values, updatedAt: new Date() })
    .where(and(eq(templates.tenantId, tenantId), eq(templates.id, id)))
    .returning();
  return row ?? null;
}

export async function deleteTemplateRow(db: Db, { tenantId, id }: Key): Promise<boolean> {
  const rows = await db
    .delete(templates)
    .where(and(eq(templates.tenantId, tenantId), eq(templates.id, id)))
    .returning({ id: templates.id });
  return rows.length > 0;
}

/** Drip messages that will still be sent with the template (pending, or being sent now); stops counting at 1000. */
export async function countUnsentForTemplate(db: Db, { tenantId, id }: Key): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(
    db
      .select({ one: sql`1`.as("one") })
      .from(outboundMessages)
      .where(and(eq(outboundMessages.tenantId, tenantId), eq(outboundMessages.templateId, id), inArray(outboundMessages.status, ["pending", "sending"])))
      .limit(1000)
      .as("unsent"),
  );
  return Number(row?.n ?? 0);
}

export async function insertTemplateRevision(db: Db, values: typeof templateRevisions.$inferInsert): Promise<TemplateRevisionRow> {
  const [row] = await db.insert(templateRevisions).values(values).returning();
  return row!;
}

export type TemplateRevisionListRow = TemplateRevisionRow & { createdByName: string | null };

/** Newest first; `before` is the revision number the previous page ended at. */
export async function listTemplateRevisions(
  db: Db,
  { tenantId, templateId, before, limit }: { tenantId: string; templateId: string; before?: number; limit: number },
): Promise<TemplateRevisionListRow[]> {
  const rows = await db
    .select({ revision: templateRevisions, createdByName: users.name })
    .from(templateRevisions)
    .leftJoin(users, eq(users.id, templateRevisions.createdBy))
    .where(
      and(
        eq(templateRevisions.tenantId, tenantId),
        eq(templateRevisions.templateId, templateId),
        before === undefined ? undefined : lt(templateRevisions.revision, before),
      ),
    )
    .orderBy(desc(templateRevisions.revision))
    .limit(limit + 1);
  return rows.map((r) => ({ ...r.revision, createdByName: r.createdByName }));
}

export async function getTemplateRevision(
  db: Db,
  { tenantId, templateId, revision }: { tenantId: string; templateId: string; revision: number },
): Promise<TemplateRevisionRow | null> {
  return takeFirstOrNull(
    await db
      .select()
      .from(templateRevisions)
      .where(and(eq(templateRevisions.tenantId, tenantId), eq(templateRevisions.templateId, templateId), eq(templateRevisions.revision, revision)))
      .limit(1),
  );
}

/** Templates bound to a Meta template (their parameters name our variables). */
export async function listBoundTemplates(db: Db, tenantId: string) {
  return db
    .select({ id: templates.id, name: templates.name, metaTemplate: templates.metaTemplate })
    .from(templates)
    .where(and(eq(templates.tenantId, tenantId), isNotNull(templates.metaTemplate)));
}

/** `lock`: hold the tenant row (update: to change the values; share: while relying on them). */
export async function getSegmentVariables(
  db: Db,
  tenantId: string,
  opts: { lock?: "update" | "share" } = {},
): Promise<Record<string, Record<string, string>> | null> {
  const query = db.select({ segmentVariables: tenants.segmentVariables }).from(tenants).where(eq(tenants.id, tenantId)).limit(1);
  const row = takeFirstOrNull(await (opts.lock ? query.for(opts.lock) : query));
  return row ? row.segmentVariables : null;
}

export async function setSegmentVariables(db: Db, tenantId: string, segmentVariables: Record<string, Record<string, string>>) {
  const [row] = await db
    .update(tenants)
    .set({ segmentVariables, updatedAt: new Date() })
    .where(eq(tenants.id, tenantId))
    .returning({ segmentVariables: tenants.segmentVariables });
  return row?.segmentVariables ?? null;
}

const previewLeadColumns = {
  id: leads.id,
  name: leads.name,
  phone: leads.phone,
  segment: leads.segment,
  profileName: subscribers.profileName,
  createdAt: leads.createdAt,
};
export type PreviewLeadRow = { id: string; name: string; phone: string; segment: string | null; profileName: string | null; createdAt: Date };

/** The tenant's newest leads with their WhatsApp profile names (for the editor's preview). */
export async function listRecentLeadsForPreview(db: Db, { tenantId, limit }: { tenantId: string; limit: number }): Promise<PreviewLeadRow[]> {
  return db
    .select(previewLeadColumns)
    .from(leads)
    .leftJoin(subscribers, eq(subscribers.id, leads.subscriberId))
    .where(eq(leads.tenantId, tenantId))
    .orderBy(...newestFirst(leads.createdAt, leads.id))
    .limit(limit);
}

/**
 * The newest `perSegment` leads of every segment (leads without one count as a segment of their own), newest first,
 * with their WhatsApp profile names: the editor previews a template for a lead its segment would reach.
 */
export async function listPreviewLeadsBySegment(db: Db, { tenantId, perSegment }: { tenantId: string; perSegment: number }): Promise<PreviewLeadRow[]> {
  const ranked = db
    .select({
      ...previewLeadColumns,
      rank: sql<number>`row_number() over (partition by ${leads.segment} order by ${leads.createdAt} desc, ${leads.id} desc)`.as("rank"),
    })
    .from(leads)
    .leftJoin(subscribers, eq(subscribers.id, leads.subscriberId))
    .where(eq(leads.tenantId, tenantId))
    .as("ranked");
  const rows = await db
    .select({
      id: ranked.id,
      name: ranked.name,
      phone: ranked.phone,
      segment: ranked.segment,
      profileName: ranked.profileName,
      createdAt: ranked.createdAt,
    })
    .from(ranked)
    .where(sql`${ranked.rank} <= ${perSegment}`)
    .orderBy(desc(ranked.createdAt), desc(ranked.id));
  return rows.map((r) => ({ ...r, createdAt: new Date(r.createdAt) }));
}

export async function getLeadForPreview(db: Db, { tenantId, id }: Key): Promise<PreviewLeadRow | null> {
  return takeFirstOrNull(
    await db
      .select(previewLeadColumns)
      .from(leads)
      .leftJoin(subscribers, eq(subscribers.id, leads.subscriberId))
      .where(and(eq(leads.tenantId, tenantId), eq(leads.id, id)))
      .limit(1),
  );
}

/** The tenant's templates by name (filters and pickers; a workspace has tens of them). */
export async function listTemplateOptions(db: Db, { tenantId }: { tenantId: string }) {
  return db
    .select({ id: templates.id, name: templates.name, title: templates.title, active: templates.active })
    .from(templates)
    .where(eq(templates.tenantId, tenantId))
    .orderBy(templates.name)
    .limit(500);
}
