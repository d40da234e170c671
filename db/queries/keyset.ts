import { and, eq, gt, lt, or, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";

/** A keyset position: the (timestamp, id) of the last row of the previous page (lib/pagination encodes it for URLs). */
export type Cursor = { at: Date; id: string };

/** `(at, id) < (cursor.at, cursor.id)` for lists ordered by `at desc, id desc`. */
export function beforeCursor(atColumn: PgColumn, idColumn: PgColumn, cursor: Cursor | undefined): SQL | undefined {
  if (!cursor) return undefined;
  return or(lt(atColumn, cursor.at), and(eq(atColumn, cursor.at), lt(idColumn, cursor.id)));
}

/** `(at, id) > (cursor.at, cursor.id)` for lists ordered by `at asc, id asc`. */
export function afterCursor(atColumn: PgColumn, idColumn: PgColumn, cursor: Cursor | undefined): SQL | undefined {
  if (!cursor) return undefined;
  return or(gt(atColumn, cursor.at), and(eq(atColumn, cursor.at), gt(idColumn, cursor.id)));
}

export function takeFirstOrNull<T>(rows: T[]): T | null {
  return rows[0] ?? null;
}
