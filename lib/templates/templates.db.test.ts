import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertTenant, insertUser } from "@/db/queries";
import { leads, outboundMessages, subscribers, templateRevisions, templates } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { loadPreviewContext, previewTemplate } from "./preview";
import { listTemplateRevisionsPage } from "./revisions";
import { createTemplateSchema, type TemplateInput } from "./schemas";
import { getTemplateVariables, updateSegmentVariables } from "./segment-variables";
import {
  createTemplate,
  deleteTemplate,
  listTemplatesPage,
  requireTemplate,
  restoreTemplateRevision,
  setTemplateActive,
  toPublicTemplate,
  updateTemplate,
} from "./templates";

const input = (over: Record<string, unknown> = {}): TemplateInput =>
  createTemplateSchema.parse({ name: "welcome", title: "Welcome", content: "Hi {{first_name}}!", delayDays: 0, active: true, ...over });

describe.each(testDrivers)("templates (%s)", (kind) => {
  let t: TestDb;
  let tenantId: string;
  let otherTenantId: string;
  let userId: string;
  const actor = () => ({ tenantId, userId });

  beforeAll(async () => {
    t = await createTestDb(kind);
    tenantId = (await insertTenant(t.db, { name: "Drama school" })).id;
    otherTenantId = (await insertTenant(t.db, { name: "Other" })).id;
    userId = (await insertUser(t.db, { tenantId, email: `maya-${kind}@example.com`, name: "Maya Manager", passwordHash: "x", role: "manager" })).id;
  });
  afterAll(() => t.cleanup());

  it("creates a template with its first revision, the full snapshot and who saved it", async () => {
    const row = await createTemplate(t.db, actor(), input({ name: "day3_case", title: "Case, day 3", delayDays: 3, delayHours: 2, segment: " acting " }));
    expect(row).toMatchObject({ tenantId, name: "day3_case", delayDays: 3, delayHours: 2, segment: "acting", active: true, metaTemplate: null, revision: 1 });
    const revisions = await t.db.select().from(templateRevisions).where(eq(templateRevisions.templateId, row.id));
    expect(revisions).toEqual([
      expect.objectContaining({
        revision: 1,
        createdBy: userId,
        snapshot: {
          name: "day3_case",
          title: "Case, day 3",
          content: "Hi {{first_name}}!",
          delayDays: 3,
          delayHours: 2,
          segment: "acting",
          active: true,
          stopOnReply: true,
          metaTemplate: null,
        },
      }),
    ]);
  });

  it("refuses a second template with the same name in the workspace (409 on the name field), not in another one", async () => {
    await createTemplate(t.db, actor(), input({ name: "clash" }));
    await expect(createTemplate(t.db, actor(), input({ name: "clash" }))).rejects.toMatchObject({
      code: "conflict",
      reason: "name_taken",
      details: { fieldErrors: { name: [expect.stringContaining("already has this name")] } },
    });
    await expect(createTemplate(t.db, { tenantId: otherTenantId, userId: null }, input({ name: "clash" }))).resolves.toMatchObject({ name: "clash" });
    const other = await createTemplate(t.db, actor(), input({ name: "clash_2" }));
    await expect(updateTemplate(t.db, actor(), { id: other.id, patch: { name: "clash" } })).rejects.toMatchObject({ code: "conflict", reason: "name_taken" });
    expect((await requireTemplate(t.db, { tenantId, id: other.id })).revision).toBe(1);
  });

  it("writes a revision per change, none for a save that changes nothing, and lists them newest first", async () => {
    const row = await createTemplate(t.db, actor(), input({ name: "day1", content: "v1 {{name}}" }));
    const v2 = await updateTemplate(t.db, actor(), { id: row.id, patch: { content: "v2 {{name}}" } });
    expect(v2).toMatchObject({ changed: true, row: { revision: 2, content: "v2 {{name}}", title: "Welcome" } });
    const same = await updateTemplate(t.db, actor(), { id: row.id, patch: { content: "v2 {{name}}", title: " Welcome " } });
    expect(same).toMatchObject({ changed: false, row: { revision: 2 } });
    await setTemplateActive(t.db, { tenantId, userId: null }, { id: row.id, active: false });

    const page = await listTemplateRevisionsPage(t.db, { tenantId, templateId: row.id, limit: 2 });
    expect(page.rows.map((r) => [r.revision, r.snapshot.content, r.snapshot.active, r.createdBy?.name ?? null])).toEqual([
      [3, "v2 {{name}}", false, null],
      [2, "v2 {{name}}", true, "Maya Manager"],
    ]);
    const next = await listTemplateRevisionsPage(t.db, { tenantId, templateId: row.id, limit: 2, cursor: page.nextCursor! });
    expect(next).toMatchObject({ rows: [{ revision: 1, snapshot: { content: "v1 {{name}}" }, restoredFrom: null }], nextCursor: null });
    await expect(listTemplateRevisionsPage(t.db, { tenantId: otherTenantId, templateId: row.id, limit: 2 })).rejects.toMatchObject({ code: "not_found" });
  });

  it("validates a patch merged with the stored template", async () => {
    const row = await createTemplate(t.db, actor(), input({ name: "merge_me" }));
    await expect(updateTemplate(t.db, actor(), { id: row.id, patch: { delayHours: 24, content: "" } })).rejects.toMatchObject({
      code: "unprocessable",
      details: { fieldErrors: { delayHours: [expect.stringContaining("At most 23")], content: ["Write the message"] } },
    });
    await expect(updateTemplate(t.db, actor(), { id: row.id, patch: { content: "x".repeat(4097) } })).rejects.toMatchObject({
      details: { fieldErrors: { content: ["The message is 4,097 characters; WhatsApp allows at most 4,096"] } },
    });
    const emoji = await updateTemplate(t.db, actor(), { id: row.id, patch: { content: "😀".repeat(4096), segment: "" } });
    expect(emoji.row).toMatchObject({ revision: 2, segment: null });
    await expect(updateTemplate(t.db, { tenantId: otherTenantId, userId: null }, { id: row.id, patch: { title: "x" } })).rejects.toMatchObject({
      code: "not_found",
    });
  });

  it("restores an old revision as a new one, keeping the active switch as it is", async () => {
    const row = await createTemplate(t.db, actor(), input({ name: "restore_me", content: "first", delayDays: 1 }));
    await updateTemplate(t.db, actor(), { id: row.id, patch: { content: "second", delayDays: 2, name: "renamed" } });
    await setTemplateActive(t.db, actor(), { id: row.id, active: false });
    const restored = await restoreTemplateRevision(t.db, actor(), { id: row.id, revision: 1 });
    expect(restored).toMatchObject({ revision: 4, name: "restore_me", content: "first", delayDays: 1, active: false });
    const [latest] = (await listTemplateRevisionsPage(t.db, { tenantId, templateId: row.id, limit: 1 })).rows;
    expect(latest).toMatchObject({ revision: 4, restoredFrom: 1, snapshot: { content: "first", active: false, restoredFrom: 1 } });
    await expect(restoreTemplateRevision(t.db, actor(), { id: row.id, revision: 99 })).rejects.toMatchObject({
      code: "not_found",
      message: "Revision 99 not found",
    });

    // the old name was taken since: the restore is refused and nothing is written
    await updateTemplate(t.db, actor(), { id: row.id, patch: { name: "restore_me_now" } });
    await createTemplate(t.db, actor(), input({ name: "restore_me" }));
    await expect(restoreTemplateRevision(t.db, actor(), { id: row.id, revision: 1 })).rejects.toMatchObject({
      code: "conflict",
      message: "A template named “restore_me” already exists",
    });
    expect((await requireTemplate(t.db, { tenantId, id: row.id })).revision).toBe(5);
  });

  it("lists in schedule order with filters, page by page", async () => {
    const tenant = (await insertTenant(t.db, { name: "Listing" })).id;
    const a = { tenantId: tenant, userId: null };
    await createTemplate(t.db, a, input({ name: "day7", delayDays: 7 }));
    await createTemplate(t.db, a, input({ name: "welcome", delayDays: 0 }));
    await createTemplate(t.db, a, input({ name: "day1_oratory", delayDays: 1, segment: "oratory" }));
    await createTemplate(t.db, a, input({ name: "day1_acting", delayDays: 1, segment: "acting" }));
    await createTemplate(t.db, a, input({ name: "day1_late", delayDays: 1, delayHours: 5, active: false }));
    const names = async (f: Record<string, unknown> = {}, limit = 50) =>
      (await listTemplatesPage(t.db, { tenantId: tenant, limit, ...f })).rows.map((r) => r.name);
    expect(await names()).toEqual(["welcome", "day1_acting", "day1_oratory", "day1_late", "day7"]);
    expect(await names({ active: false })).toEqual(["day1_late"]);
    expect(await names({ segment: "acting" })).toEqual(["day1_acting"]);
    expect(await names({ appliesTo: "acting" })).toEqual(["welcome", "day1_acting", "day1_late", "day7"]);

    const first = await listTemplatesPage(t.db, { tenantId: tenant, limit: 2 });
    const second = await listTemplatesPage(t.db, { tenantId: tenant, limit: 2, cursor: first.nextCursor! });
    const third = await listTemplatesPage(t.db, { tenantId: tenant, limit: 2, cursor: second.nextCursor! });
    expect([first, second, third].flatMap((p) => p.rows.map((r) => r.name))).toEqual(await names());
    expect(third.nextCursor).toBeNull();
    await expect(listTemplatesPage(t.db, { tenantId: tenant, limit: 2, cursor: "nope" })).rejects.toMatchObject({
      code: "unprocessable",
      reason: "invalid_cursor",
    });
  });

  it("refuses to delete a template drip messages still wait on, and says to deactivate it", async () => {
    const row = await createTemplate(t.db, actor(), input({ name: "in_use" }));
    const [lead] = await t.db.insert(leads).values({ tenantId, name: "Ivan", phone: "+79001110000" }).returning();
    const queued = { tenantId, leadId: lead!.id, phone: lead!.phone, templateId: row.id, templateName: row.name, scheduledAt: new Date() };
    const [message] = await t.db
      .insert(outboundMessages)
      .values({ ...queued, status: "pending" })
      .returning();
    await expect(deleteTemplate(t.db, { tenantId, id: row.id })).rejects.toMatchObject({
      code: "conflict",
      reason: "template_in_use",
      message:
        "“in_use” has 1 drip message waiting to be sent, so it cannot be deleted. Deactivate it instead: waiting messages are then skipped and new enrollments leave it out.",
      details: { unsentMessages: 1 },
    });
    await t.db.update(outboundMessages).set({ status: "sent" }).where(eq(outboundMessages.id, message!.id));
    await expect(deleteTemplate(t.db, { tenantId: otherTenantId, id: row.id })).rejects.toMatchObject({ code: "not_found" });
    await deleteTemplate(t.db, { tenantId, id: row.id });
    await expect(requireTemplate(t.db, { tenantId, id: row.id })).rejects.toMatchObject({ code: "not_found" });
    // the sent message keeps its history (template name) without the template
    const [kept] = await t.db.select().from(outboundMessages).where(eq(outboundMessages.id, message!.id));
    expect(kept).toMatchObject({ templateId: null, templateName: "in_use", status: "sent" });
    expect(await t.db.select().from(templateRevisions).where(eq(templateRevisions.templateId, row.id))).toEqual([]);
  });

  it("keeps per-segment values, binds Meta parameters only to known variables, and protects bound ones", async () => {
    const tenant = (await insertTenant(t.db, { name: "Values" })).id;
    const a = { tenantId: tenant, userId: null };
    expect(await getTemplateVariables(t.db, { tenantId: tenant })).toMatchObject({
      segments: {},
      variables: [],
      builtin: expect.arrayContaining([{ name: "first_name", description: expect.any(String) }]),
    });
    const saved = await updateSegmentVariables(t.db, {
      tenantId: tenant,
      segments: { acting: { instructor_name: "Kazbek Meretukov" }, oratory: { instructor_name: "Olga Shterts", hall: "B" } },
    });
    expect(saved).toMatchObject({ segments: { oratory: { hall: "B" } }, variables: ["hall", "instructor_name"] });

    const binding = {
      name: "day1_reminder",
      language: "ru",
      parameters: [
        { key: "1", variable: "first_name" },
        { key: "2", variable: "instructor_name" },
      ],
    };
    await expect(createTemplate(t.db, a, input({ metaTemplate: { ...binding, parameters: [{ key: "1", variable: "teacher" }] } }))).rejects.toMatchObject({
      code: "unprocessable",
      reason: "unknown_variable",
      details: { fieldErrors: { "metaTemplate.parameters.0.variable": [expect.stringContaining("teacher is not a variable")] } },
    });
    const bound = await createTemplate(
      t.db,
      a,
      input({ name: "bound", content: "{{instructor_name}} {{hall}} {{discount}}", segment: "acting", metaTemplate: binding }),
    );
    expect(bound.metaTemplate).toEqual(binding);
    const pub = toPublicTemplate(bound, saved.segments);
    expect(pub).toMatchObject({ variables: ["instructor_name", "hall", "discount"], unknownVariables: ["hall", "discount"] });

    await expect(updateSegmentVariables(t.db, { tenantId: tenant, segments: { oratory: { hall: "B" } } })).rejects.toMatchObject({
      code: "conflict",
      reason: "variable_in_use",
      details: { inUse: [{ template: "bound", variable: "instructor_name" }] },
    });
    await updateSegmentVariables(t.db, { tenantId: tenant, segments: { oratory: { instructor_name: "Olga Shterts" } } });
    expect((await getTemplateVariables(t.db, { tenantId: tenant })).segments).toEqual({ oratory: { instructor_name: "Olga Shterts" } });
  });

  it("keeps Meta's review status on a binding saved unchanged, and drops it when the binding changes", async () => {
    const row = await createTemplate(t.db, actor(), input({ name: "status_kept", metaTemplate: { name: "hello", language: "en_US", parameters: [] } }));
    const withStatus = { name: "hello", language: "en_US", parameters: [], status: "PAUSED", statusReason: null, statusAt: "2026-01-02T03:04:05.000Z" };
    // what the message_template_status_update webhook writes onto the binding
    await t.db.update(templates).set({ metaTemplate: withStatus }).where(eq(templates.id, row.id));
    const kept = await updateTemplate(t.db, actor(), { id: row.id, patch: { title: "Renamed" } });
    expect(kept.row.metaTemplate).toEqual(withStatus);
    const changed = await updateTemplate(t.db, actor(), { id: row.id, patch: { metaTemplate: { name: "hello_v2", language: "en_US", parameters: [] } } });
    expect(changed.row.metaTemplate).toEqual({ name: "hello_v2", language: "en_US", parameters: [] });
  });

  it("previews for a chosen lead with its segment's values, or for a sample lead", async () => {
    const tenant = (await insertTenant(t.db, { name: "Preview" })).id;
    await updateSegmentVariables(t.db, { tenantId: tenant, segments: { acting: { instructor_name: "Казбек Меретуков" } } });
    const [sub] = await t.db
      .insert(subscribers)
      .values({ tenantId: tenant, waPhone: "+79005550101", phoneHash: "h", profileName: "Sveta WA", firstSeenAt: new Date() })
      .returning();
    const [lead] = await t.db.insert(leads).values({ tenantId: tenant, name: "", phone: "+79005550101", segment: "acting", subscriberId: sub!.id }).returning();
    const content = "{{first_name}}, {{instructor_name}} ждёт вас! {{promo}}";

    const forLead = await previewTemplate(t.db, { tenantId: tenant, content, leadId: lead!.id });
    expect(forLead).toMatchObject({
      text: "Sveta, Казбек Меретуков ждёт вас! {{promo}}",
      unknown: ["promo"],
      length: 43,
      tooLong: false,
      maxLength: 4096,
      lead: { id: lead!.id, segment: "acting", profileName: "Sveta WA", sample: false },
    });
    const sample = await previewTemplate(t.db, { tenantId: tenant, content, segment: "acting" });
    expect(sample).toMatchObject({ text: "Anna, Казбек Меретуков ждёт вас! {{promo}}", lead: { id: null, sample: true } });
    expect((await previewTemplate(t.db, { tenantId: tenant, content })).unknown).toEqual(["instructor_name", "promo"]);
    await expect(previewTemplate(t.db, { tenantId, content, leadId: lead!.id })).rejects.toMatchObject({ code: "not_found", message: "Lead not found" });

    const context = await loadPreviewContext(t.db, { tenantId: tenant });
    expect(context).toEqual({
      leads: [expect.objectContaining({ id: lead!.id, profileName: "Sveta WA" })],
      segmentVariables: { acting: { instructor_name: "Казбек Меретуков" } },
    });
  });
});
