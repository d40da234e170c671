import { and, eq, gt, gte, lt, lte, or, sql, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";

/** A keyset position: the (timestamp, id) of the last row of the previous page (lib/pagination encodes it for URLs). */
export type Cursor = { at: Date; id: string };

/** `(at, id) < (cursor.at, cursor.id)` for lists ordered by `at desc, id desc`. */
export function beforeCursor(atColumn: PgColumn, idColumn: PgColumn, cursor: Cursor | undefined): SQL | undefined {
  if (!cursor) return undefined;
  // the first bound repeats what the OR says in a form an index range can start from (an OR alone is a filter, so
  // a deep page read every newer row of the index before its own)
  return and(lte(atColumn, cursor.at), or(lt(atColumn, cursor.at), and(eq(atColumn, cursor.at), lt(idColumn, cursor.id))));
}

/** `(at, id) > (cursor.at, cursor.id)` for lists ordered by `at asc, id asc`. */
export function afterCursor(atColumn: PgColumn, idColumn: PgColumn, cursor: Cursor | undefined): SQL | undefined {
  if (!cursor) return undefined;
  return and(gte(atColumn, cursor.at), or(gt(atColumn, cursor.at), and(eq(atColumn, cursor.at), gt(idColumn, cursor.id))));
}

/**
 * `order by` newest first in the order of our indexes: drizzle's `.desc()` index columns are DESC NULLS LAST,
 * while a plain `desc(col)` is DESC NULLS FIRST, which Postgres cannot read from them (not even for NOT NULL
 * columns): it would sort every row of the tenant. Pair with beforeCursor (the lists' columns are NOT NULL).
 */
export function newestFirst(...columns: PgColumn[]): SQL[] {
  return columns.map((c) => sql`${c} desc nulls last`);
}

/**
 * `order by` oldest first along a `.desc()` index read backwards (ASC NULLS FIRST). A plain `asc(col)` is
 * NULLS LAST, which matches an ascending index, not a descending one. Pair with afterCursor (NOT NULL columns).
 */
export function oldestFirst(...columns: PgColumn[]): SQL[] {
  return columns.map((c) => sql`${c} asc nulls first`);
}

export function takeFirstOrNull<T>(rows: T[]): T | null {
  return rows[0] ?? null;
}
