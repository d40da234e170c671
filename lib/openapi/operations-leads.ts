// The leads API (seeds/003 drip): the website form's POST, the list, one lead with its drip messages, and the
// PATCH that records the manager's call or stops the campaign (part of OPERATIONS in operations.ts).
import { z } from "zod";
import { CALL_STATUSES, OUTBOUND_STATUSES, PROVIDERS } from "@/db/schema";
import { patchLead } from "@/lib/leads/call";
import { announceLeadAfterAnswer } from "@/lib/leads/announce";
import { createLead } from "@/lib/leads/create";
import { getLead, leadDetailJson, type LeadJson, leadJson, leadListJson, listLeads } from "@/lib/leads/read";
import { createLeadSchema, leadFiltersSchema, leadPatchSchema } from "@/lib/leads/schemas";
import { pageParamsSchema } from "@/lib/pagination";
import { type ApiOperation, defineOperation, reply } from "./registry";
import { type Equal, type Jsonified, pageOf } from "./schemas";

const EXAMPLE_LEAD_ID = "6c1e2f3a-4b5d-4e6f-8a9b-0c1d2e3f4a5b";
const EXAMPLE_NUMBER_ID = "3f8b1c2e-5a4d-4e6f-9b7a-1c2d3e4f5a6b";
const uuid = z.uuid();
const isoTime = z.string().meta({ format: "date-time" });
const nullableIso = isoTime.nullable();

const leadFields = {
  id: uuid,
  name: z.string(),
  phone: z.string().meta({ description: "E.164, e.g. +79001234567" }),
  segment: z.string().nullable().meta({ description: "The course or segment: picks the drip templates (those of the segment and those for every segment)" }),
  source: z.string().nullable(),
  externalRef: z.string().nullable().meta({ description: "Your idempotency key (e.g. the form submission id)" }),
  callStatus: z.enum(CALL_STATUSES),
  isTarget: z.boolean().nullable().meta({ description: 'The answer to "target and interested?"; null until a manager answered' }),
  campaignActive: z.boolean().meta({ description: "The WhatsApp drip is running" }),
  enrolledAt: nullableIso.meta({ description: "First enrollment: the drip's schedule counts from here" }),
  numberId: uuid.nullable().meta({ description: "The number its drip is sent from (null: no Cloud API or Green API number was connected)" }),
  subscriberId: uuid.nullable().meta({ description: "The subscriber with this phone, when they have written to you" }),
  assignedUserId: uuid.nullable().meta({ description: "The manager who recorded the call" }),
  lastWhatsappSentAt: nullableIso,
  createdAt: isoTime,
  updatedAt: isoTime,
};

export const leadSchema = z.object(leadFields).meta({ id: "Lead" });
const _leadIsExact: Equal<z.output<typeof leadSchema>, LeadJson> = true;

const leadCreatedSchema = z
  .object({ ...leadFields, duplicate: z.boolean().meta({ description: "true when this externalRef was already used: the first lead, unchanged" }) })
  .meta({ id: "LeadCreated" });
const _createdIsExact: Equal<z.output<typeof leadCreatedSchema>, Jsonified<LeadJson & { duplicate: boolean }>> = true;

const queueCountsSchema = z
  .object({
    pending: z.number().int().meta({ description: "Waiting for their time (or being sent right now)" }),
    sent: z.number().int(),
    failed: z.number().int(),
    cancelled: z.number().int().meta({ description: "Cancelled: the campaign was stopped, or the subscriber opted out" }),
    skipped: z.number().int().meta({ description: "Not sent, with the reason (e.g. outside the 24 h window without an approved template)" }),
  })
  .meta({ description: "The lead's drip messages counted by status" });

const leadListItemSchema = z.object({ ...leadFields, numberLabel: z.string().nullable(), queue: queueCountsSchema }).meta({ id: "LeadListItem" });
const _listItemIsExact: Equal<z.output<typeof leadListItemSchema>, ReturnType<typeof leadListJson>> = true;

const leadMessageSchema = z.object({
  id: uuid,
  templateId: uuid.nullable().meta({ description: "null if the template was deleted since" }),
  templateName: z.string(),
  templateTitle: z.string().nullable(),
  scheduledAt: isoTime,
  status: z.enum(OUTBOUND_STATUSES),
  attempts: z.number().int(),
  nextAttemptAt: nullableIso.meta({ description: "When a transient failure is retried" }),
  sentAt: nullableIso,
  deliveredAt: nullableIso,
  readAt: nullableIso,
  errorCode: z.string().nullable().meta({
    description:
      "The provider's error code verbatim, or ours: e.g. `campaign_stopped`, `opted_out`, `marketing_stopped`, `lead_replied` (the lead wrote to you and the template stops on a reply), `converted` (a conversion of one of the workspace's stop events was recorded for the lead)",
  }),
  errorMessage: z.string().nullable(),
  renderedText: z.string().nullable().meta({ description: "The text as sent; null until it is rendered for sending" }),
});

const detailFields = {
  ...leadFields,
  number: z.object({ id: uuid, label: z.string(), phoneE164: z.string(), provider: z.enum(PROVIDERS), active: z.boolean() }).nullable(),
  subscriber: z.object({ id: uuid, profileName: z.string().nullable(), waPhone: z.string().nullable(), status: z.string() }).nullable(),
  assignedUser: z.object({ id: uuid, name: z.string() }).nullable(),
  messages: z.array(leadMessageSchema).meta({ description: "Its drip messages in schedule order: one per template" }),
};
const leadDetailSchema = z.object(detailFields).meta({ id: "LeadDetail" });
const _detailIsExact: Equal<z.output<typeof leadDetailSchema>, ReturnType<typeof leadDetailJson>> = true;

const leadPatchedSchema = z
  .object({
    ...detailFields,
    queued: z.number().int().meta({ description: "Messages this change queued (enrolling again queues nothing new)" }),
    cancelled: z.number().int().meta({ description: "Pending messages this change cancelled" }),
    notQueued: z.object({ code: z.string(), message: z.string() }).nullable().meta({
      description:
        "Why enrolling queued nothing: `marketing_stopped` when the customer stopped marketing messages in WhatsApp (the answer is recorded, the campaign does not start)",
    }),
  })
  .meta({ id: "LeadUpdated" });
type PatchAnswer = Awaited<ReturnType<typeof patchLead>>;
const _patchedIsExact: Equal<z.output<typeof leadPatchedSchema>, Jsonified<ReturnType<typeof leadDetailJson> & Omit<PatchAnswer, "detail">>> = true;

const exampleLead = {
  id: EXAMPLE_LEAD_ID,
  name: "Anna",
  phone: "+79001234567",
  segment: "acting",
  source: "website",
  externalRef: "form-100481",
  callStatus: "not_called",
  isTarget: null,
  campaignActive: false,
  enrolledAt: null,
  numberId: EXAMPLE_NUMBER_ID,
  subscriberId: null,
  assignedUserId: null,
  lastWhatsappSentAt: null,
  createdAt: "2026-11-21T09:30:00.000Z",
  updatedAt: "2026-11-21T09:30:00.000Z",
};

export const leadOperations: ApiOperation[] = [
  defineOperation({
    method: "post",
    path: "/api/v1/leads",
    operationId: "createLead",
    tag: "Leads",
    summary: "Create a lead",
    description: [
      'A request left on your website (or in a CRM): the person a manager will call. When the manager answers "target and interested?" with yes (PATCH with `isTarget: true`), the WhatsApp drip starts.',
      "Without `numberId` the lead's drip is sent from your default number: the oldest active Meta Cloud API or Green API number (a demo number only when there is no other). When someone with this phone has already written to you, the lead is linked to that subscriber.",
      "Idempotent per `externalRef`: the same `externalRef` again answers 200 with the first lead and `duplicate: true` (nothing changes). Without `externalRef` every request is a new lead.",
    ].join("\n\n"),
    role: "manager",
    body: createLeadSchema,
    invalidBodyReason: "invalid_request",
    bodyNotes: {
      name: "The person's name (1–200 characters)",
      phone:
        "Any format with the country code, e.g. `+7 900 123-45-67`; stored as E.164. It must be a valid number, unless a subscriber wrote to you from it (WhatsApp reported it: any possible number is taken then)",
      segment: "The course or segment (e.g. `acting`): the drip uses that segment's templates and those for every segment",
      source: "Where the lead came from, e.g. `website`",
      externalRef: "Your id for this request (e.g. the form submission id): send it so a retried form never makes two leads",
      numberId: "One of your Cloud API or Green API numbers (GET /api/v1/numbers); default: the oldest active one that is not a demo number",
    },
    bodyExample: { name: "Anna", phone: "+7 900 123-45-67", segment: "acting", source: "website", externalRef: "form-100481" },
    responses: [
      { status: 201, description: "Created", schema: leadCreatedSchema, example: { ...exampleLead, duplicate: false } },
      {
        status: 200,
        description: "This `externalRef` was already used: the first lead, unchanged",
        schema: leadCreatedSchema,
        example: { ...exampleLead, duplicate: true },
      },
    ],
    omitStandardErrors: ["unprocessable"],
    errors: [
      { status: 404, code: "number_not_found", message: `Number ${EXAMPLE_NUMBER_ID} was not found (numberId is the id of one of your numbers)` },
      { status: 422, code: "invalid_request", message: "phone: Not a valid phone number: include the country code, e.g. +7 900 123-45-67" },
      { status: 422, code: "number_cannot_send", message: "Support is a Gupshup number; drip messages are sent through Meta Cloud API or Green API numbers" },
    ],
    handler: async ({ db, tenantId, body }) => {
      const { lead, duplicate } = await createLead(db, { tenantId, input: body, now: new Date() });
      announceLeadAfterAnswer(db, { tenantId, leadId: lead.id, duplicate });
      const answer = { ...leadJson(lead), duplicate };
      return duplicate ? reply(200, answer) : answer;
    },
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/leads",
    operationId: "listLeads",
    tag: "Leads",
    summary: "List leads",
    description: "Leads, newest first, keyset-paginated, each with its drip messages counted by status.",
    query: [leadFiltersSchema, pageParamsSchema],
    queryNotes: {
      callStatus: "The manager's last call: `not_called`, `called` or `no_answer`",
      isTarget: 'The answer to "target and interested?": `yes`, `no`, or `unanswered`',
      campaignActive: "`true`: the drip is running; `false`: it is not (never started, or stopped)",
      segment: "Exactly this segment",
      q: "Search: digits of the phone (at least 3, any format) or a part of the name (at least 2 characters)",
      cursor: "`nextCursor` of the previous page; omit for the first page",
      limit: "Rows per page",
    },
    responses: [{ status: 200, description: "One page of leads", schema: pageOf(leadListItemSchema) }],
    handler: async ({ db, tenantId, query: { cursor, limit, ...filters } }) => {
      const page = await listLeads(db, { tenantId, filters, cursor, limit });
      return { rows: page.rows.map(leadListJson), nextCursor: page.nextCursor };
    },
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/leads/{id}",
    operationId: "getLead",
    tag: "Leads",
    summary: "Get a lead",
    description:
      "One lead with its sending number, its subscriber, the manager who called, and its drip messages (template, scheduled time, status, error, sent time).",
    responses: [{ status: 200, description: "The lead", schema: leadDetailSchema }],
    handler: async ({ db, tenantId, params }) => leadDetailJson(await getLead(db, { tenantId, id: params.id })),
  }),
  defineOperation({
    method: "patch",
    path: "/api/v1/leads/{id}",
    operationId: "updateLead",
    tag: "Leads",
    summary: "Record a call or stop the campaign",
    description: [
      'The manager\'s call, as in the console: `callStatus: "called"` with `isTarget: true` ("target and interested") enrolls the lead: one message per active template of its segment is queued, scheduled from the first enrollment. `isTarget: false` records not-target and stops a running campaign. `callStatus: "no_answer"` is only recorded. `isTarget` alone means the call got through.',
      "`campaignActive: false` stops the campaign: pending messages are cancelled, sent ones stay. `campaignActive: true` is refused: set `isTarget: true` to start a campaign.",
      "Enrolling is idempotent: each template is queued at most once per lead, so answering yes again (or after a stop) queues nothing that was queued before.",
    ].join("\n\n"),
    role: "manager",
    body: leadPatchSchema,
    invalidBodyReason: "invalid_request",
    bodyExample: { callStatus: "called", isTarget: true },
    responses: [
      { status: 200, description: "The lead after the change (as GET /api/v1/leads/{id}), with what it queued and cancelled", schema: leadPatchedSchema },
    ],
    omitStandardErrors: ["unprocessable"],
    errors: [
      {
        status: 422,
        code: "campaign_needs_target",
        message: "campaignActive can only be set to false (to stop the campaign); to start it, set isTarget: true, which enrolls the lead",
      },
      {
        status: 422,
        code: "invalid_request",
        message: 'isTarget: isTarget answers a call that got through: send callStatus "called" (or leave it out) with it',
      },
    ],
    handler: async ({ db, principal, tenantId, params, body }) => {
      const { detail, queued, cancelled, notQueued } = await patchLead(db, {
        tenantId,
        leadId: params.id,
        patch: body,
        userId: principal.userId,
        now: new Date(),
      });
      return { ...leadDetailJson(detail), queued, cancelled, notQueued };
    },
  }),
];
