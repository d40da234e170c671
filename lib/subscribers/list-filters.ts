// The subscriber list's filters, one schema for the console (URL search params), the API and the CSV export.
import { z } from "zod";
import { LIFECYCLE_STATES, SUBSCRIBER_STATUSES } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { cursorTimeSchema, readCursor, writeCursor } from "@/lib/pagination";
import { reportedPhoneSchema } from "@/lib/phone";
import { filterTextSchema, utcDaySchema } from "@/lib/query-params";
import { SCORE_BAND_NAMES } from "./lifecycle-score";

export const SUBSCRIBER_SORTS = ["last_inbound", "first_seen"] as const;
export const SUBSCRIBER_SOURCES = ["ad", "post", "organic"] as const;

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
export const optionalParam = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());
/** A Meta campaign or ad id as a filter takes it. */
export const metaIdSchema = z
  .string()
  .trim()
  .regex(/^[\w.-]{1,64}$/, "Not a valid id");

export const subscriberFiltersSchema = z
  .object({
    q: optionalParam(filterTextSchema(100, "Search for at most 100 characters")),
    number: optionalParam(z.uuid("Not a valid number id")),
    status: optionalParam(z.enum(SUBSCRIBER_STATUSES)),
    lifecycle: optionalParam(z.enum(LIFECYCLE_STATES)),
    source: optionalParam(z.enum(SUBSCRIBER_SOURCES)),
    campaign: optionalParam(metaIdSchema),
    ad: optionalParam(metaIdSchema),
    clickId: optionalParam(z.enum(["yes", "no"])),
    from: optionalParam(utcDaySchema), // first seen, from this UTC day
    to: optionalParam(utcDaySchema), // … through this UTC day
    window: optionalParam(z.enum(["open", "closed"])),
    score: optionalParam(z.enum(SCORE_BAND_NAMES)), // the lifecycle score's band: hot 60+, warm 30–59, cold under 30
    sort: z.preprocess(blankToUndefined, z.enum(SUBSCRIBER_SORTS).default("last_inbound")),
    waPhone: optionalParam(reportedPhoneSchema), // a number WhatsApp reported: any possible number
    userId: optionalParam(filterTextSchema(128)),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { message: "The start date is after the end date", path: ["to"] });

export type SubscriberFilters = z.output<typeof subscriberFiltersSchema>;

/** What the search box means: a phone or wa id prefix (digits), or a name (at least 3 characters). */
export type SubscriberSearch = { kind: "phone"; digits: string } | { kind: "name"; text: string };

export function parseSubscriberSearch(q: string | undefined): SubscriberSearch | null {
  if (!q) return null;
  const digits = q.replace(/\D/g, "");
  if (/^[+\d\s().-]+$/.test(q) && digits.length >= 3) return { kind: "phone", digits };
  if (q.length < 3)
    throw new AppError("unprocessable", "Type at least 3 characters to search by name, or 3 digits of a phone number", {
      fieldErrors: { q: ["At least 3 characters"] },
    });
  return { kind: "name", text: q };
}

/** The list cursor: the sort value (null for subscribers who never wrote: they come last) and the id. */
export type ListCursor = { at: Date | null; id: string };
const cursorJson = z.object({ t: cursorTimeSchema.nullable(), id: z.uuid() });

export function encodeListCursor(c: ListCursor): string {
  return writeCursor({ t: c.at?.getTime() ?? null, id: c.id });
}

export function decodeListCursor(raw: string): ListCursor {
  const parsed = readCursor(raw, cursorJson);
  return { at: parsed.t === null ? null : new Date(parsed.t), id: parsed.id };
}
