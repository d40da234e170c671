// What an admin sends to connect and change a Meta Custom Audience (lib/audiences/manage.ts), checked with zod: the ad
// account id, where the token comes from, pick or create, and the segment (the subscriber list's filters, only the
// set ones; a search, a sort or one person is not a segment).
import { z } from "zod";
import { subscriberFiltersSchema } from "@/lib/subscribers/list-filters";

/** Digits, with or without Meta's "act_" prefix; stored without it. */
export const adAccountIdSchema = z
  .string()
  .trim()
  .transform((v) => v.replace(/^act_/i, ""))
  .pipe(z.string().regex(/^\d{1,20}$/, "Enter the ad account id: digits, e.g. act_1234567890 or 1234567890"));

/** A Custom Audience id as Meta gives it (digits). */
export const metaAudienceIdSchema = z
  .string()
  .trim()
  .regex(/^\d{1,25}$/, "Not a Custom Audience id");

/** The list's filters that are not segments: a search, a sort, one person. */
export const NOT_SEGMENT_KEYS = ["q", "sort", "waPhone", "userId"] as const;
const NEVER_IN_AUDIENCES = new Set(["blocked", "opted_out"]);

/**
 * Who goes into an audience: the subscriber list's filters (lib/subscribers/list-filters.ts), only the set ones
 * stored; `{}` is everyone reachable. A search, a sort or a single person is refused, as are opted-out and blocked
 * people (a sync never sends them: they are removed).
 */
export const audienceSegmentSchema = z.record(z.string(), z.unknown()).transform((raw, ctx) => {
  const set = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== null && !(typeof v === "string" && v.trim() === "")));
  for (const key of Object.keys(set)) {
    if ((NOT_SEGMENT_KEYS as readonly string[]).includes(key)) {
      ctx.addIssue({ code: "custom", path: [key], message: `"${key}" is not a segment: a segment is a set of filters, not a search, a sort or one person` });
    }
  }
  const parsed = subscriberFiltersSchema.safeParse(set);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", path: issue.path as PropertyKey[], message: issue.message });
    return z.NEVER;
  }
  const known = new Set(Object.keys(subscriberFiltersSchema.shape));
  for (const key of Object.keys(set)) {
    if (!known.has(key)) ctx.addIssue({ code: "custom", path: [key], message: `"${key}" is not a subscriber list filter` });
  }
  if (typeof set.status === "string" && NEVER_IN_AUDIENCES.has(set.status)) {
    ctx.addIssue({ code: "custom", path: ["status"], message: "Opted-out and blocked subscribers are never sent to an audience (a sync removes them)" });
  }
  const segment: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed.data)) {
    if (key === "sort" || (NOT_SEGMENT_KEYS as readonly string[]).includes(key) || value === undefined) continue;
    segment[key] = String(value);
  }
  return segment;
});
export type AudienceSegment = z.output<typeof audienceSegmentSchema>;

/** Where the token comes from: a Cloud number of the workspace (its sealed token), or a system user's token pasted. */
const tokenSourceShape = {
  tokenSource: z.enum(["number", "token"]),
  numberId: z.string().trim().optional(),
  accessToken: z.string().trim().max(1024, "At most 1024 characters").optional(),
};
export type TokenSource = { tokenSource: "number" | "token"; numberId?: string; accessToken?: string };

function checkTokenSource(v: TokenSource, ctx: z.RefinementCtx) {
  if (v.tokenSource === "number" && !z.uuid().safeParse(v.numberId).success) {
    ctx.addIssue({ code: "custom", path: ["numberId"], message: "Choose a Cloud API number" });
  }
  if (v.tokenSource === "token" && !(v.accessToken && v.accessToken.length >= 20)) {
    ctx.addIssue({ code: "custom", path: ["accessToken"], message: "Paste a system user access token" });
  }
}

export const loadAudiencesInputSchema = z.object({ adAccountId: adAccountIdSchema, ...tokenSourceShape }).superRefine(checkTokenSource);
export type LoadAudiencesInput = z.input<typeof loadAudiencesInputSchema>;

export const connectAudienceInputSchema = z
  .object({
    adAccountId: adAccountIdSchema,
    ...tokenSourceShape,
    /** "existing": the audience picked from the ad account's list; "new": created here */
    audience: z.enum(["existing", "new"]),
    audienceId: z.string().trim().optional(),
    name: z.string().trim().max(200, "At most 200 characters").optional(),
    description: z.string().trim().max(500, "At most 500 characters").optional(),
    segment: audienceSegmentSchema.default({}),
  })
  .superRefine((v, ctx) => {
    checkTokenSource(v, ctx);
    if (v.audience === "existing" && !metaAudienceIdSchema.safeParse(v.audienceId).success) {
      ctx.addIssue({ code: "custom", path: ["audienceId"], message: "Choose one of the ad account's audiences" });
    }
    if (v.audience === "new" && !v.name) ctx.addIssue({ code: "custom", path: ["name"], message: "Name the new audience" });
  });
export type ConnectAudienceInput = z.input<typeof connectAudienceInputSchema>;

export const audiencePatchSchema = z
  .object({
    name: z.string().trim().min(1, "Enter a name").max(200, "At most 200 characters").optional(),
    segment: audienceSegmentSchema.optional(),
    enabled: z.boolean().optional(),
  })
  .refine((p) => p.name !== undefined || p.segment !== undefined || p.enabled !== undefined, { message: "Nothing to change" });
export type AudiencePatch = z.input<typeof audiencePatchSchema>;
