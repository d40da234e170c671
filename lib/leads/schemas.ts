// The leads API contract: the website form's POST body, the PATCH that records a call or stops a campaign,
// and the list's filters (console URL and GET /api/v1/leads). Errors name the field and what to send.
import { z } from "zod";
import { CALL_STATUSES } from "@/db/schema";
import { AppError, parseWithReasons } from "@/lib/errors";
import { reportedPhoneSchema } from "@/lib/phone";
import { filterTextSchema } from "@/lib/query-params";
import { optionalParam } from "@/lib/subscribers/list-filters";

const unknownFields = {
  error: (iss: { code: string; keys?: string[] }) =>
    iss.code === "unrecognized_keys" && iss.keys ? `Unknown field${iss.keys.length > 1 ? "s" : ""}: ${iss.keys.join(", ")}` : undefined,
};
const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optionalText = (field: string, max: number) =>
  z.preprocess(
    blankToUndefined,
    z
      .string({ error: `${field} must be a string` })
      .trim()
      .max(max, `${field} is too long (${max} characters at most)`)
      .optional(),
  );

/** The body of POST /api/v1/leads (the website form, a CRM, or the console). */
export const createLeadSchema = z
  .strictObject(
    {
      name: z
        .string({ error: "name is required: the person's name" })
        .trim()
        .min(1, "name is required: the person's name")
        .max(200, "name is too long (200 characters at most)"),
      phone: z.string({ error: "phone is required: the number with its country code, e.g. +7 900 123-45-67" }).pipe(reportedPhoneSchema), // strict unless WhatsApp reported it: createLead checks
      segment: optionalText("segment", 64),
      source: optionalText("source", 64),
      externalRef: optionalText("externalRef", 255),
      numberId: z.uuid("numberId must be the id of one of your WhatsApp numbers (GET /api/v1/numbers)").optional(),
    },
    unknownFields,
  )
  .meta({ id: "CreateLeadRequest" });
export type CreateLeadInput = z.output<typeof createLeadSchema>;

/** PATCH /api/v1/leads/{id}: the call's outcome, the "target and interested?" answer, or stopping the campaign. */
export const leadPatchSchema = z
  .strictObject(
    {
      callStatus: z.enum(["called", "no_answer"], { error: 'callStatus must be "called" or "no_answer" (a recorded call cannot be undone)' }).optional(),
      isTarget: z.boolean({ error: "isTarget must be true or false" }).optional(),
      campaignActive: z.boolean({ error: "campaignActive must be false (to stop the campaign)" }).optional(),
    },
    unknownFields,
  )
  .superRefine((p, ctx) => {
    const add = (path: string, message: string, reason: string) => ctx.addIssue({ code: "custom", path: [path], message, params: { reason } });
    if (p.callStatus === undefined && p.isTarget === undefined && p.campaignActive === undefined) {
      ctx.addIssue({ code: "custom", message: "Send callStatus, isTarget or campaignActive", params: { reason: "invalid_request" } });
    }
    if (p.campaignActive === true) {
      add(
        "campaignActive",
        "campaignActive can only be set to false (to stop the campaign); to start it, set isTarget: true, which enrolls the lead",
        "campaign_needs_target",
      );
    }
    if (p.isTarget !== undefined && p.callStatus === "no_answer") {
      add("isTarget", 'isTarget answers a call that got through: send callStatus "called" (or leave it out) with it', "invalid_request");
    }
    if (p.isTarget === true && p.campaignActive === false) {
      add("campaignActive", "isTarget: true starts the campaign, so it cannot be stopped in the same request", "invalid_request");
    }
  })
  .meta({ id: "UpdateLeadRequest" });
export type LeadPatch = z.output<typeof leadPatchSchema>;

export const parseCreateLead = (raw: unknown): CreateLeadInput => parseWithReasons(createLeadSchema, raw);
export const parseLeadPatch = (raw: unknown): LeadPatch => parseWithReasons(leadPatchSchema, raw);

export const TARGET_FILTERS = ["yes", "no", "unanswered"] as const;

/** Filters of the list (console URL and GET /api/v1/leads). */
export const leadFiltersSchema = z.object({
  callStatus: optionalParam(z.enum(CALL_STATUSES, { error: `callStatus must be one of ${CALL_STATUSES.join(", ")}` })),
  isTarget: optionalParam(z.enum(TARGET_FILTERS, { error: "isTarget must be yes, no or unanswered" })),
  campaignActive: optionalParam(z.enum(["true", "false"], { error: "campaignActive must be true or false" }).transform((v) => v === "true")),
  segment: optionalParam(filterTextSchema(64, "segment is too long")),
  q: optionalParam(filterTextSchema(100, "Search for at most 100 characters")),
});
export type LeadFilters = z.output<typeof leadFiltersSchema>;

export type LeadSearch = { kind: "phone"; digits: string } | { kind: "name"; text: string };

/** The search box: digits of a phone (any format, at least 3), or a part of the name (at least 2 characters). */
export function parseLeadSearch(q: string | undefined): LeadSearch | null {
  if (!q) return null;
  const digits = q.replace(/\D/g, "");
  if (/^[+\d\s().-]+$/.test(q) && digits.length >= 3) return { kind: "phone", digits };
  if (q.length < 2)
    throw new AppError("unprocessable", "Type at least 2 characters of a name, or 3 digits of a phone number", {
      fieldErrors: { q: ["At least 2 characters"] },
    });
  return { kind: "name", text: q };
}
