// Keyset pagination: the cursor is the (timestamp, id) of the last row of the previous page.
import { z } from "zod";
import { AppError } from "./errors";

export type Cursor = { at: Date; id: string };
export type Page<T> = { rows: T[]; nextCursor: string | null };

const cursorJson = z.object({ t: z.number().int(), id: z.uuid() });

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify({ t: c.at.getTime(), id: c.id })).toString("base64url");
}

export function decodeCursor(raw: string): Cursor {
  try {
    const parsed = cursorJson.parse(JSON.parse(Buffer.from(raw, "base64url").toString("utf8")));
    return { at: new Date(parsed.t), id: parsed.id };
  } catch {
    throw new AppError("bad_request", "The cursor is not valid; start again from the first page.");
  }
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
