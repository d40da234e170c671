// Drip templates (seeds/003): create, read, change, delete. Every change writes a template_revisions row
// with the full snapshot and bumps `revision` (create writes revision 1), in the same transaction as the
// change; a save that changes nothing writes nothing. Names are unique per tenant (409 on a clash).
import { z } from "zod";
import type { Db } from "@/db/client";
import { isUniqueViolation } from "@/db/errors";
import {
  countUnsentForTemplate,
  deleteTemplateRow,
  getSegmentVariables,
  getTemplateById,
  getTemplateRevision,
  insertTemplate,
  insertTemplateRevision,
  listTemplates,
  type TemplateCursor,
  type TemplateRecord,
  updateTemplateRow,
} from "@/db/queries";
import type { MetaTemplateBinding } from "@/db/schema";
import { templateVariables } from "@/lib/drip/render";
import { AppError, notFound } from "@/lib/errors";
import { type Page, readCursor, writeCursor } from "@/lib/pagination";
import { pgTextSchema } from "@/lib/query-params";
import {
  isBuiltinVariable,
  type MetaTemplateBindingInput,
  type SegmentVariables,
  type TemplateInput,
  type TemplateListFilters,
  type TemplatePatch,
  type TemplateSnapshot,
  segmentVariableNames,
  templateFormSchema,
  templateSnapshotSchema,
} from "./schemas";

export type Actor = { tenantId: string; userId: string | null };

/** The binding as stored: Meta's review status is added by the template status webhook. */
export type StoredMetaTemplate = MetaTemplateBinding & { status?: string; statusReason?: string | null; statusAt?: string };

export type PublicTemplate = {
  id: string;
  name: string;
  title: string;
  content: string;
  delayDays: number;
  delayHours: number;
  segment: string | null;
  active: boolean;
  /** a reply from the lead cancels the lead's waiting messages of this template */
  stopOnReply: boolean;
  metaTemplate: StoredMetaTemplate | null;
  revision: number;
  /** the `{{variables}}` the content uses, in order of first use */
  variables: string[];
  /** used variables that are neither built in nor set for the template's segment (for every segment: for none) */
  unknownVariables: string[];
  createdAt: Date;
  updatedAt: Date;
};

export function toPublicTemplate(row: TemplateRecord, segmentVariables: SegmentVariables): PublicTemplate {
  const variables = templateVariables(row.content);
  const known = new Set(row.segment === null ? segmentVariableNames(segmentVariables) : Object.keys(segmentVariables[row.segment] ?? {}));
  return {
    id: row.id,
    name: row.name,
    title: row.title,
    content: row.content,
    delayDays: row.delayDays,
    delayHours: row.delayHours,
    segment: row.segment,
    active: row.active,
    stopOnReply: row.stopOnReply,
    metaTemplate: (row.metaTemplate as StoredMetaTemplate | null) ?? null,
    revision: row.revision,
    variables,
    unknownVariables: variables.filter((v) => !isBuiltinVariable(v) && !known.has(v)),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const bindingCore = (b: MetaTemplateBinding | null): MetaTemplateBinding | null =>
  b && { name: b.name, language: b.language, parameters: b.parameters.map((p) => ({ key: p.key, variable: p.variable })) };

/** The fields a revision keeps, in a fixed key order (so two snapshots compare as JSON). */
export function snapshotOf(
  row: Pick<TemplateRecord, "name" | "title" | "content" | "delayDays" | "delayHours" | "segment" | "active" | "stopOnReply" | "metaTemplate">,
): TemplateSnapshot {
  return {
    name: row.name,
    title: row.title,
    content: row.content,
    delayDays: row.delayDays,
    delayHours: row.delayHours,
    segment: row.segment,
    active: row.active,
    stopOnReply: row.stopOnReply,
    metaTemplate: bindingCore(row.metaTemplate),
  };
}

/** The stored values as editor input (the binding without Meta's review status). */
export function templateToInput(row: TemplateRecord): TemplateInput {
  return { ...snapshotOf(row), stopOnReply: row.stopOnReply, metaTemplate: bindingCore(row.metaTemplate) as MetaTemplateBindingInput | null };
}

/** Every bound parameter must name a variable we can fill: a built-in one or one set for a segment. */
export function assertBindingVariables(binding: MetaTemplateBindingInput | null, segmentVariables: SegmentVariables): void {
  if (!binding) return;
  const segmentNames = new Set(segmentVariableNames(segmentVariables));
  const fieldErrors: Record<string, string[]> = {};
  binding.parameters.forEach((p, i) => {
    if (!isBuiltinVariable(p.variable) && !segmentNames.has(p.variable)) {
      fieldErrors[`metaTemplate.parameters.${i}.variable`] = [
        `${p.variable} is not a variable: use a built-in one (name, first_name, phone, course) or set it for a segment under Variables`,
      ];
    }
  });
  const first = Object.values(fieldErrors)[0];
  if (first) throw new AppError("unprocessable", `Meta template parameter: ${first[0]}`, { fieldErrors }, "unknown_variable");
}

/** Checks a binding against the tenant's values, holding them (share lock) so they cannot lose a bound variable meanwhile. */
async function checkBinding(tx: Db, tenantId: string, binding: MetaTemplateBindingInput | null): Promise<void> {
  if (binding) assertBindingVariables(binding, (await getSegmentVariables(tx, tenantId, { lock: "share" })) ?? {});
}

async function withNameConflict<T>(name: () => string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (!isUniqueViolation(e, "templates_tenant_name_key")) throw e;
    throw new AppError(
      "conflict",
      `A template named “${name()}” already exists`,
      { fieldErrors: { name: ["Another template already has this name"] } },
      "name_taken",
    );
  }
}

function validated(input: Record<string, unknown>): TemplateInput {
  const parsed = templateFormSchema.safeParse(input);
  if (!parsed.success) throw new AppError("unprocessable", "Please correct the highlighted fields.", { fieldErrors: z.flattenError(parsed.error).fieldErrors });
  return parsed.data;
}

/** Keeps Meta's review status on a binding that still names the same template and language. */
function nextBinding(current: StoredMetaTemplate | null, next: MetaTemplateBindingInput | null): StoredMetaTemplate | null {
  if (!next) return null;
  if (!current || current.name !== next.name || current.language !== next.language) return next;
  const { status, statusReason, statusAt } = current;
  return { ...next, ...(status === undefined ? {} : { status, statusReason, statusAt }) };
}

export async function createTemplate(db: Db, actor: Actor, input: TemplateInput): Promise<TemplateRecord> {
  return withNameConflict(
    () => input.name,
    () =>
      db.transaction(async (tx) => {
        await checkBinding(tx, actor.tenantId, input.metaTemplate);
        const row = await insertTemplate(tx, { tenantId: actor.tenantId, ...input, revision: 1 });
        await insertTemplateRevision(tx, { tenantId: actor.tenantId, templateId: row.id, revision: 1, snapshot: snapshotOf(row), createdBy: actor.userId });
        return row;
      }),
  );
}

/** Writes `input` as the next revision of the locked `current` row (nothing when it changes nothing, unless restoring). */
async function saveRevision(
  tx: Db,
  actor: Actor,
  current: TemplateRecord,
  input: TemplateInput,
  restoredFrom?: number,
): Promise<{ row: TemplateRecord; changed: boolean }> {
  await checkBinding(tx, actor.tenantId, input.metaTemplate);
  const values = { ...input, metaTemplate: nextBinding(current.metaTemplate as StoredMetaTemplate | null, input.metaTemplate) };
  const same = JSON.stringify(snapshotOf({ ...current, ...values })) === JSON.stringify(snapshotOf(current));
  if (same && restoredFrom === undefined) return { row: current, changed: false };
  const revision = current.revision + 1;
  const row = (await updateTemplateRow(tx, { tenantId: actor.tenantId, id: current.id }, { ...values, revision }))!;
  const snapshot: TemplateSnapshot = { ...snapshotOf(row), ...(restoredFrom === undefined ? {} : { restoredFrom }) };
  await insertTemplateRevision(tx, { tenantId: actor.tenantId, templateId: row.id, revision, snapshot, createdBy: actor.userId });
  return { row, changed: true };
}

export async function requireTemplate(db: Db, key: { tenantId: string; id: string }, opts: { forUpdate?: boolean } = {}): Promise<TemplateRecord> {
  const row = await getTemplateById(db, key, opts);
  if (!row) throw notFound("Template");
  return row;
}

/** For pages: the tenant's template or null (a malformed id names nothing). */
export async function findTemplate(db: Db, key: { tenantId: string; id: string }): Promise<TemplateRecord | null> {
  return z.uuid().safeParse(key.id).success ? getTemplateById(db, key) : null;
}

/** Any subset of the fields (PATCH) or the whole editor form: merged with the stored template, validated whole. */
export async function updateTemplate(
  db: Db,
  actor: Actor,
  { id, patch }: { id: string; patch: TemplatePatch },
): Promise<{ row: TemplateRecord; changed: boolean }> {
  let name = "";
  return withNameConflict(
    () => name,
    () =>
      db.transaction(async (tx) => {
        const current = await requireTemplate(tx, { tenantId: actor.tenantId, id }, { forUpdate: true });
        const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
        const input = validated({ ...templateToInput(current), ...defined });
        name = input.name;
        return saveRevision(tx, actor, current, input);
      }),
  );
}

export async function setTemplateActive(db: Db, actor: Actor, { id, active }: { id: string; active: boolean }) {
  return updateTemplate(db, actor, { id, patch: { active } });
}

/**
 * Brings back a revision's name, text, delay, segment, stop-on-reply setting (revisions saved before it existed
 * keep the current one) and binding as a new revision (the active switch stays as it is now: restoring text
 * does not start or stop sending).
 */
export async function restoreTemplateRevision(db: Db, actor: Actor, { id, revision }: { id: string; revision: number }): Promise<TemplateRecord> {
  let name = "";
  return withNameConflict(
    () => name,
    () =>
      db.transaction(async (tx) => {
        const current = await requireTemplate(tx, { tenantId: actor.tenantId, id }, { forUpdate: true });
        const stored = await getTemplateRevision(tx, { tenantId: actor.tenantId, templateId: id, revision });
        if (!stored) throw notFound(`Revision ${revision}`);
        const { restoredFrom: _r, ...fields } = templateSnapshotSchema.parse(stored.snapshot);
        const input = validated({ ...fields, active: current.active, stopOnReply: fields.stopOnReply ?? current.stopOnReply });
        name = input.name;
        return (await saveRevision(tx, actor, current, input, revision)).row;
      }),
  );
}

/** Deletes a template no drip message is still waiting on; otherwise refuses and says to deactivate it. */
export async function deleteTemplate(db: Db, { tenantId, id }: { tenantId: string; id: string }): Promise<TemplateRecord> {
  return db.transaction(async (tx) => {
    // the row lock makes an enrollment that would queue this template wait for the decision
    const row = await requireTemplate(tx, { tenantId, id }, { forUpdate: true });
    const unsent = await countUnsentForTemplate(tx, { tenantId, id });
    if (unsent > 0) {
      const count = unsent >= 1000 ? "1000+ drip messages" : `${unsent} drip message${unsent === 1 ? "" : "s"}`;
      throw new AppError(
        "conflict",
        `“${row.name}” has ${count} waiting to be sent, so it cannot be deleted. Deactivate it instead: waiting messages are then skipped and new enrollments leave it out.`,
        { unsentMessages: unsent },
        "template_in_use",
      );
    }
    await deleteTemplateRow(tx, { tenantId, id });
    return row;
  });
}

const INT4_MAX = 2_147_483_647;
const templateCursorJson = z.object({ d: z.number().int().min(0).max(INT4_MAX), h: z.number().int().min(0).max(INT4_MAX), n: pgTextSchema.max(256) });

function encodeTemplateCursor(row: TemplateRecord): string {
  return writeCursor({ d: row.delayDays, h: row.delayHours, n: row.name });
}

function decodeTemplateCursor(raw: string): TemplateCursor {
  const c = readCursor(raw, templateCursorJson);
  return { delayDays: c.d, delayHours: c.h, name: c.n };
}

/** In schedule order: delay, then name. */
export async function listTemplatesPage(
  db: Db,
  { tenantId, cursor, limit, ...filters }: { tenantId: string; cursor?: string; limit: number } & TemplateListFilters,
): Promise<Page<TemplateRecord>> {
  const rows = await listTemplates(db, { tenantId, ...filters, after: cursor ? decodeTemplateCursor(cursor) : undefined, limit });
  if (rows.length <= limit) return { rows, nextCursor: null };
  const page = rows.slice(0, limit);
  return { rows: page, nextCursor: encodeTemplateCursor(page[page.length - 1]!) };
}
