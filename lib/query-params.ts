// The pieces of a list's query string every list shares: instants Postgres can hold, whole UTC days, and
// free-text filters. A value outside them is a 422 on the API and an ignored filter on a console page.
import { z } from "zod";

/** The instants a filter or a cursor may name: 1970-01-01 … 9999-12-31 UTC (Postgres reads no later ISO year). */
export const MIN_TIME_MS = 0;
export const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

const DAY_MS = 86_400_000;
const DAY_RANGE = "Use a date from 1970-01-01 to 9999-12-31";

/** A whole UTC day as YYYY-MM-DD, and a real one (Date.parse alone would roll 02-31 over into March). */
export const utcDaySchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date like 2026-11-21")
  .refine((v) => new Date(Date.parse(`${v}T00:00:00Z`) || 0).toISOString().slice(0, 10) === v, "Not a real date")
  .refine((v) => v >= "1970-01-01", DAY_RANGE);

/** The first instant of a UTC day. */
export const dayStart = (day: string) => new Date(`${day}T00:00:00Z`);

/** The instant a UTC day ends (exclusive): the next midnight, or the last instant there is for 9999-12-31 (open-ended). */
export const dayEnd = (day: string) => new Date(Math.min(Date.parse(`${day}T00:00:00Z`) + DAY_MS, MAX_TIME_MS));

// C0 controls and DEL: NUL cannot be stored in (or compared with) Postgres text, and none can be typed in a filter box
const hasControlCharacter = (v: string) => [...v].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/** Free text of a filter (a search, a segment): trimmed, at most `max` characters, no control characters. */
export function filterTextSchema(max: number, tooLong = `Use at most ${max} characters`) {
  return z
    .string()
    .trim()
    .max(max, tooLong)
    .refine((v) => !hasControlCharacter(v), "Remove the control characters (such as NUL) from this filter");
}

/** Text that is stored in or compared with a Postgres text column: anything but NUL. */
export const pgTextSchema = z.string().refine((v) => !v.includes("\u0000"), "Text cannot contain NUL");
