// The audience forms' fields as the browser checks them while typing (inline errors). The server actions check the
// same values again with the domain's schemas (lib/audiences/manage.ts: the segment against the subscriber list's
// filters); this module stays free of server code so the client forms can import it.
import { z } from "zod";

/** The segment filters the picker offers (the subscriber list's, without search, sort and single person). */
export const SEGMENT_KEYS = ["number", "status", "lifecycle", "score", "source", "campaign", "ad", "clickId", "window"] as const;
export type SegmentKey = (typeof SEGMENT_KEYS)[number];
export const segmentFormSchema = z.partialRecord(z.enum(SEGMENT_KEYS), z.string().optional());
export type SegmentFormValues = z.input<typeof segmentFormSchema>;

export const AD_ACCOUNT_PATTERN = /^(act_)?\d{1,20}$/i;
const adAccountId = z
  .string()
  .trim()
  .min(1, "Enter the ad account id")
  .regex(AD_ACCOUNT_PATTERN, "Digits, e.g. act_1234567890 (Ads Manager shows it beside the account's name)");

const tokenFields = {
  tokenSource: z.enum(["number", "token"]),
  numberId: z.string(),
  accessToken: z.string().trim().max(1024, "At most 1024 characters"),
};

function checkToken(v: { tokenSource: "number" | "token"; numberId: string; accessToken: string }, ctx: z.RefinementCtx) {
  if (v.tokenSource === "number" && !v.numberId) ctx.addIssue({ code: "custom", path: ["numberId"], message: "Choose a Cloud API number" });
  if (v.tokenSource === "token" && v.accessToken.length < 20) {
    ctx.addIssue({ code: "custom", path: ["accessToken"], message: "Paste a system user access token" });
  }
}

/** "Load audiences": which ad account, with which token. */
export const loadFormSchema = z.object({ adAccountId, ...tokenFields }).superRefine(checkToken);

export const connectFormSchema = z
  .object({
    adAccountId,
    ...tokenFields,
    audience: z.enum(["existing", "new"]),
    audienceId: z.string(),
    name: z.string().trim().max(200, "At most 200 characters"),
    description: z.string().trim().max(500, "At most 500 characters"),
    segment: segmentFormSchema,
  })
  .superRefine((v, ctx) => {
    checkToken(v, ctx);
    if (v.audience === "existing" && !v.audienceId) {
      ctx.addIssue({ code: "custom", path: ["audienceId"], message: "Load the ad account's audiences and choose one, or create a new audience" });
    }
    if (v.audience === "new" && !v.name) ctx.addIssue({ code: "custom", path: ["name"], message: "Name the new audience" });
  });
export type ConnectFormValues = z.input<typeof connectFormSchema>;

export const editFormSchema = z.object({
  name: z.string().trim().min(1, "Enter a name").max(200, "At most 200 characters"),
  segment: segmentFormSchema,
});
export type EditFormValues = z.input<typeof editFormSchema>;

/** Only the filters that are set (what the server stores). */
export function setFilters(segment: SegmentFormValues): Record<string, string> {
  return Object.fromEntries(Object.entries(segment).filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== ""));
}
