// The drip templates' operations: templates with their revisions, per-segment values, and a number's
// approved Meta templates (what a template can be bound to for sends outside the 24-hour window).
import { z } from "zod";
import { pageParamsSchema } from "@/lib/pagination";
import { metaTemplateDepsFromEnv } from "@/lib/templates/deps";
import { listApprovedMetaTemplates } from "@/lib/templates/meta-templates";
import { listTemplateRevisionsPage, type PublicRevision } from "@/lib/templates/revisions";
import { createTemplateSchema, revisionParamSchema, segmentVariablesBodySchema, templateListFiltersSchema, templatePatchSchema } from "@/lib/templates/schemas";
import { getTemplateVariables, type TemplateVariables, updateSegmentVariables } from "@/lib/templates/segment-variables";
import {
  createTemplate,
  deleteTemplate,
  listTemplatesPage,
  type PublicTemplate,
  requireTemplate,
  restoreTemplateRevision,
  toPublicTemplate,
  updateTemplate,
} from "@/lib/templates/templates";
import type { Db } from "@/db/client";
import type { TemplateRecord } from "@/db/queries";
import { type ApiOperation, defineOperation, ID_PARAM_DESCRIPTION } from "./registry";
import { type Equal, type Jsonified, pageOf } from "./schemas";

const uuid = z.uuid();
const isoTime = z.string().meta({ format: "date-time" });
const EXAMPLE_TEMPLATE_ID = "6c1e2f3a-4b5d-4e6f-8a7b-9c0d1e2f3a4b";

const bindingFields = {
  name: z.string().meta({ description: "The approved Meta template's name" }),
  language: z.string().meta({ description: "Its language code, e.g. `ru` or `en_US`" }),
  parameters: z
    .array(
      z.object({
        key: z.string().meta({ description: "`1`, `2` … for `{{1}}`, `{{2}}`, or the name of a named parameter" }),
        variable: z.string().meta({ description: "The variable that fills it" }),
      }),
    )
    .meta({ description: "The body parameters, each filled from one of our variables" }),
};

const metaTemplateSchema = z
  .object({
    ...bindingFields,
    status: z.string().optional().meta({ description: "Meta's review status as its template webhook last reported it (e.g. `PAUSED`), when it did" }),
    statusReason: z.string().nullable().optional(),
    statusAt: z.string().optional(),
  })
  .meta({ id: "MetaTemplateBinding", description: "Sent instead of the text when the customer's 24-hour window is closed (Cloud API numbers)" });

export const templateSchema = z
  .object({
    id: uuid,
    name: z.string().meta({ description: "Unique in the workspace" }),
    title: z.string(),
    content: z.string().meta({ description: "The message with `{{variables}}`" }),
    delayDays: z.number().int().meta({ description: "Days after enrollment" }),
    delayHours: z.number().int().meta({ description: "… plus these hours (0–23)" }),
    segment: z.string().nullable().meta({ description: "The segment (course) it is for; null: every segment" }),
    active: z.boolean(),
    stopOnReply: z.boolean().meta({ description: "A reply from the lead cancels the lead's waiting messages of this template (reason `lead_replied`)" }),
    metaTemplate: metaTemplateSchema.nullable(),
    revision: z.number().int().meta({ description: "The current revision (GET …/revisions for the history)" }),
    variables: z.array(z.string()).meta({ description: "The variables the content uses, in order" }),
    unknownVariables: z
      .array(z.string())
      .meta({ description: "Used variables that are neither built in nor set for the template's segment: its messages would fail" }),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .meta({ id: "Template" });
const _templateIsExact: Equal<z.output<typeof templateSchema>, Jsonified<PublicTemplate>> = true;

const snapshotSchema = z.object({
  name: z.string(),
  title: z.string(),
  content: z.string(),
  delayDays: z.number().int(),
  delayHours: z.number().int(),
  segment: z.string().nullable(),
  active: z.boolean(),
  stopOnReply: z.boolean().optional().meta({ description: "Absent in revisions saved before the setting existed" }),
  metaTemplate: z.object(bindingFields).nullable(),
  restoredFrom: z.number().int().optional(),
});

export const templateRevisionSchema = z
  .object({
    revision: z.number().int(),
    snapshot: snapshotSchema.meta({ description: "The template as this revision saved it" }),
    createdBy: z.object({ id: uuid, name: z.string() }).nullable().meta({ description: "Who saved it; null for an API key" }),
    restoredFrom: z.number().int().nullable().meta({ description: "The revision a restore brought back" }),
    createdAt: isoTime,
  })
  .meta({ id: "TemplateRevision" });
const _revisionIsExact: Equal<z.output<typeof templateRevisionSchema>, Jsonified<PublicRevision>> = true;

export const templateVariablesSchema = z
  .object({
    builtin: z.array(z.object({ name: z.string(), description: z.string() })).meta({ description: "Filled from the lead itself" }),
    segments: z
      .record(z.string(), z.record(z.string(), z.string()))
      .meta({ description: 'The values set per segment: `{ acting: { instructor_name: "…" } }`' }),
    variables: z.array(z.string()).meta({ description: "Every variable set for at least one segment" }),
  })
  .meta({ id: "TemplateVariables" });
const _variablesAreExact: Equal<z.output<typeof templateVariablesSchema>, TemplateVariables> = true;

export const approvedMetaTemplatesSchema = z
  .object({
    numberId: uuid,
    wabaId: z.string(),
    templates: z.array(
      z.object({
        id: z.string().nullable(),
        name: z.string(),
        language: z.string(),
        category: z.string().nullable(),
        parameterFormat: z.enum(["positional", "named"]),
        body: z.string().nullable().meta({ description: "The body text with its placeholders" }),
        parameters: z.array(z.string()).meta({ description: "The body's parameters in order" }),
        unsupported: z.string().nullable().meta({ description: "Why a drip cannot send it (its header or a button needs a value of its own), or null" }),
      }),
    ),
  })
  .meta({ id: "ApprovedMetaTemplates" });
const _metaTemplatesAreExact: Equal<z.output<typeof approvedMetaTemplatesSchema>, Awaited<ReturnType<typeof listApprovedMetaTemplates>>> = true;

const bodyNotes = {
  name: "Lowercase letters, digits, `_` and `-` (e.g. `day3_case`); unique in the workspace",
  content:
    "1 to 4,096 characters (counted as characters, not bytes). `{{variables}}`: the built-in ones (GET /api/v1/template-variables) and those set per segment",
  delayDays: "0 to 365: days after the lead is enrolled (0: right away)",
  delayHours: "0 to 23, added to the days. Default 0",
  segment: "The segment (course) it is for, e.g. `acting`; null or empty: every segment",
  active: "Inactive templates are left out of new enrollments, and their waiting messages are skipped",
  stopOnReply:
    "Default `true`: when the lead writes to you (not a reaction, not history), the lead's waiting messages of this template are cancelled with the reason `lead_replied`; `false`: they keep going",
  metaTemplate:
    "Optional: an approved Meta template (GET /api/v1/numbers/{id}/message-templates) sent instead of the text outside the 24-hour window; each body parameter names a built-in or segment variable",
};

/** A template as the API shows it, with the variables its segment has. */
async function publicTemplate(db: Db, tenantId: string, row: TemplateRecord): Promise<PublicTemplate> {
  return toPublicTemplate(row, (await getTemplateVariables(db, { tenantId })).segments);
}

const pageNotes = { cursor: "`nextCursor` of the previous page; omit for the first page", limit: "Rows per page" };

export const templateOperations: ApiOperation[] = [
  defineOperation({
    method: "get",
    path: "/api/v1/templates",
    operationId: "listTemplates",
    tag: "Templates",
    summary: "List templates",
    description: "The drip's templates in schedule order (delay, then name), keyset-paginated.",
    query: [templateListFiltersSchema, pageParamsSchema],
    queryNotes: {
      active: "`true` or `false`",
      segment: "Only templates for exactly this segment",
      appliesTo: "What a lead of this segment gets: its segment's templates and those for every segment",
      ...pageNotes,
    },
    responses: [{ status: 200, description: "One page of templates", schema: pageOf(templateSchema) }],
    handler: async ({ db, tenantId, query }) => {
      const [page, { segments }] = await Promise.all([listTemplatesPage(db, { tenantId, ...query }), getTemplateVariables(db, { tenantId })]);
      return { ...page, rows: page.rows.map((row) => toPublicTemplate(row, segments)) };
    },
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/templates",
    operationId: "createTemplate",
    tag: "Templates",
    summary: "Create a template",
    description: "Creates a template and its first revision. Leads enrolled from now on get it (those enrolled before do not).",
    role: "manager",
    body: createTemplateSchema,
    bodyNotes,
    bodyExample: {
      name: "day1_acting",
      title: "Day 1: acting",
      content: "{{first_name}}, {{instructor_name}} is waiting for you on Saturday!",
      delayDays: 1,
      delayHours: 0,
      segment: "acting",
      active: true,
    },
    responses: [{ status: 201, description: "The template (revision 1)", schema: templateSchema }],
    errors: [
      { status: 409, code: "name_taken", message: "A template named “day1_acting” already exists" },
      {
        status: 422,
        code: "unknown_variable",
        message:
          "Meta template parameter: teacher is not a variable: use a built-in one (name, first_name, phone, course) or set it for a segment under Variables",
      },
    ],
    handler: async ({ db, principal, tenantId, body }) => publicTemplate(db, tenantId, await createTemplate(db, principal, body)),
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/templates/{id}",
    operationId: "getTemplate",
    tag: "Templates",
    summary: "Get a template",
    responses: [{ status: 200, description: "The template", schema: templateSchema }],
    handler: async ({ db, tenantId, params }) => publicTemplate(db, tenantId, await requireTemplate(db, { tenantId, id: params.id })),
  }),
  defineOperation({
    method: "patch",
    path: "/api/v1/templates/{id}",
    operationId: "updateTemplate",
    tag: "Templates",
    summary: "Update a template",
    description:
      "Any subset of the fields of POST /api/v1/templates, validated together with the stored ones. A change writes the next revision; a body that changes nothing writes none. Messages already queued are rendered with the text current when they are sent.",
    role: "manager",
    body: templatePatchSchema,
    bodyTypesFrom: createTemplateSchema,
    bodyNotes,
    bodyExample: { content: "{{first_name}}, see you on Saturday!", delayHours: 2 },
    responses: [{ status: 200, description: "The template", schema: templateSchema }],
    errors: [
      { status: 409, code: "name_taken", message: "A template named “welcome” already exists" },
      { status: 422, code: "unknown_variable", message: "Meta template parameter: teacher is not a variable: …" },
    ],
    handler: async ({ db, principal, tenantId, params, body }) =>
      publicTemplate(db, tenantId, (await updateTemplate(db, principal, { id: params.id, patch: body })).row),
  }),
  defineOperation({
    method: "delete",
    path: "/api/v1/templates/{id}",
    operationId: "deleteTemplate",
    tag: "Templates",
    summary: "Delete a template",
    description:
      "Only while no drip message waits to be sent with it; otherwise deactivate it (PATCH `active: false`). Sent messages keep the template's name.",
    role: "manager",
    responses: [{ status: 204, description: "Deleted, with its revisions" }],
    errors: [
      {
        status: 409,
        code: "template_in_use",
        message:
          "“day1_acting” has 3 drip messages waiting to be sent, so it cannot be deleted. Deactivate it instead: waiting messages are then skipped and new enrollments leave it out.",
      },
    ],
    handler: async ({ db, tenantId, params }) => {
      await deleteTemplate(db, { tenantId, id: params.id });
      return new Response(null, { status: 204 });
    },
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/templates/{id}/revisions",
    operationId: "listTemplateRevisions",
    tag: "Templates",
    summary: "List a template's revisions",
    description: "Every saved version, newest first, keyset-paginated.",
    query: [pageParamsSchema],
    queryNotes: pageNotes,
    responses: [{ status: 200, description: "One page of revisions", schema: pageOf(templateRevisionSchema) }],
    handler: async ({ db, tenantId, params, query }) => listTemplateRevisionsPage(db, { tenantId, templateId: params.id, ...query }),
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/templates/{id}/revisions/{revision}/restore",
    operationId: "restoreTemplateRevision",
    tag: "Templates",
    summary: "Restore a revision",
    description: `Brings back a revision's name, title, text, delay, segment, stop-on-reply setting (when the revision has one) and Meta binding as the next revision (e.g. POST /api/v1/templates/${EXAMPLE_TEMPLATE_ID}/revisions/2/restore). Whether the template is active stays as it is.`,
    role: "manager",
    responses: [{ status: 200, description: "The template at its new revision", schema: templateSchema }],
    errors: [
      { status: 409, code: "name_taken", message: "A template named “welcome” already exists" },
      { status: 422, code: "unknown_variable", message: "Meta template parameter: hall is not a variable: …" },
    ],
    params: z.object({
      id: z.uuid().meta({ description: ID_PARAM_DESCRIPTION }),
      revision: revisionParamSchema.shape.revision.meta({
        description: "The revision number (1, 2, …) as GET …/revisions lists it; one the template does not have answers 404",
      }),
    }),
    handler: async ({ db, principal, tenantId, params }) => publicTemplate(db, tenantId, await restoreTemplateRevision(db, principal, params)),
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/template-variables",
    operationId: "getTemplateVariables",
    tag: "Templates",
    summary: "Template variables",
    description: "The built-in variables, and the values set per segment (e.g. `instructor_name` for each course).",
    responses: [{ status: 200, description: "The variables", schema: templateVariablesSchema }],
    handler: async ({ db, tenantId }) => getTemplateVariables(db, { tenantId }),
  }),
  defineOperation({
    method: "put",
    path: "/api/v1/template-variables",
    operationId: "setTemplateVariables",
    tag: "Templates",
    summary: "Set the per-segment values",
    description:
      "Replaces the values of every segment: segments and variables left out are removed. Variable names use letters, digits and `_` and cannot be a built-in name.",
    role: "manager",
    body: segmentVariablesBodySchema,
    bodyExample: { segments: { acting: { instructor_name: "Kazbek Meretukov" }, oratory: { instructor_name: "Olga Shterts" } } },
    responses: [{ status: 200, description: "The variables after the change", schema: templateVariablesSchema }],
    errors: [
      {
        status: 409,
        code: "variable_in_use",
        message:
          "instructor_name fills a parameter of the Meta template bound to “day1_acting”: keep it for at least one segment, or change that binding first",
      },
    ],
    handler: async ({ db, tenantId, body }) => updateSegmentVariables(db, { tenantId, segments: body.segments }),
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/numbers/{id}/message-templates",
    operationId: "listNumberMessageTemplates",
    tag: "Templates",
    summary: "A number's approved Meta templates",
    description:
      "Reads the approved message templates of the number's WhatsApp Business Account from Meta (`GET /{waba-id}/message_templates?status=APPROVED`, with the number's token), with each body's parameters, for binding a drip template.",
    role: "manager",
    responses: [{ status: 200, description: "The approved templates, by name and language", schema: approvedMetaTemplatesSchema }],
    errors: [
      { status: 422, code: "number_not_cloud", message: "Green line is not a Meta Cloud API number: only those have approved message templates" },
      { status: 422, code: "token_unreadable", message: "The number's access token cannot be read: replace it on the number's page" },
      {
        status: 502,
        code: "graph_error",
        message: "Meta did not return the approved templates: Graph error 190/463: Error validating access token … replace it on the number's page.",
      },
    ],
    handler: async ({ db, tenantId, params }) => listApprovedMetaTemplates(db, metaTemplateDepsFromEnv(), { tenantId, numberId: params.id }),
  }),
];
