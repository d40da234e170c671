// Keyset pagination: the cursor is the (timestamp, id) of the last row of the previous page.
import { z } from "zod";
import type { Cursor } from "@/db/queries/keyset";
import { AppError } from "./errors";
import { MAX_TIME_MS, MIN_TIME_MS } from "./query-params";

export type { Cursor }; // the keyset position the db/ queries take; this module encodes it for URLs
export type Page<T> = { rows: T[]; nextCursor: string | null };

const MAX_CURSOR_CHARS = 512; // ours are under 100
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** A cursor's timestamp: a whole millisecond Postgres can hold (1970 … 9999). */
export const cursorTimeSchema = z.number().int().min(MIN_TIME_MS).max(MAX_TIME_MS);
const cursorJson = z.object({ t: cursorTimeSchema, id: z.uuid() });

/** 422 `invalid_cursor`: the cursor was not handed out by this list (edited, truncated, or from another list). */
export function invalidCursor(): AppError {
  return new AppError(
    "unprocessable",
    "The cursor is not valid; start again from the first page.",
    { fieldErrors: { cursor: ["Not a cursor of this list"] } },
    "invalid_cursor",
  );
}

/** An opaque cursor: base64url of the JSON of `value`. */
export function writeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** Reads a cursor strictly: unpadded base64url of JSON of the shape `schema` says; anything else is invalidCursor(). */
export function readCursor<T>(raw: string, schema: z.ZodType<T>): T {
  if (raw.length > MAX_CURSOR_CHARS || !BASE64URL.test(raw)) throw invalidCursor();
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
  } catch {
    throw invalidCursor();
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw invalidCursor();
  return parsed.data;
}

export function encodeCursor(c: Cursor): string {
  return writeCursor({ t: c.at.getTime(), id: c.id });
}

export function decodeCursor(raw: string): Cursor {
  const parsed = readCursor(raw, cursorJson);
  return { at: new Date(parsed.t), id: parsed.id };
}

export const pageParamsSchema = z.object({
  cursor: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type PageParams = z.infer<typeof pageParamsSchema>;

/** Fetch `limit + 1` rows, then call this: it trims the extra row and derives the next cursor. */
export function toPage<T>(rows: T[], limit: number, key: (row: T) => Cursor): Page<T> {
  if (rows.length <= limit) return { rows, nextCursor: null };
  const page = rows.slice(0, limit);
  return { rows: page, nextCursor: encodeCursor(key(page[page.length - 1] as T)) };
}

/** Whether `error` is invalidCursor()'s. */
export const isInvalidCursor = (error: unknown): error is AppError => error instanceof AppError && error.reason === "invalid_cursor";

/**
 * A console list's page for the cursor in its URL: a cursor that is not valid (an old or hand-edited link)
 * loads the first page instead and says so, where the API answers 422. Other errors propagate.
 */
export async function loadPageOrFirst<P>(
  cursor: string | undefined,
  load: (cursor: string | undefined) => Promise<P>,
): Promise<{ page: P; cursor?: string; cursorError?: string }> {
  try {
    return { page: await load(cursor), cursor };
  } catch (e) {
    if (!cursor || !isInvalidCursor(e)) throw e;
    return { page: await load(undefined), cursorError: "That page link is out of date or was edited, so the first page is shown." };
  }
}
