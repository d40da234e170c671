// A list page's filters from its URL: the valid ones are applied, a bad value is reported beside its
// field and otherwise ignored (the page still renders, never a 500 for a hand-edited URL).
import type { z } from "zod";
import { AppError } from "./errors";
import { loadPageOrFirst } from "./pagination";

export type UrlFilterRead<K extends string, F> = { values: Partial<Record<K, string>>; errors: Partial<Record<string, string>>; filters: F };

export function readUrlFilters<K extends string, S extends z.ZodType>(
  raw: Record<string, string | string[] | undefined>,
  keys: readonly K[],
  schema: S,
  fallback: z.output<S>,
): UrlFilterRead<K, z.output<S>> {
  const values: Partial<Record<K, string>> = {};
  for (const key of keys) {
    const v = raw[key];
    if (typeof v === "string" && v.trim() !== "") values[key] = v.trim();
  }
  const errors: Partial<Record<string, string>> = {};
  let parsed = schema.safeParse(values);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? keys[0]);
      errors[key] ??= issue.message;
      delete values[key as K];
    }
    parsed = schema.safeParse(values);
  }
  return { values, errors, filters: parsed.success ? parsed.data : fallback };
}

/** The page's `cursor` from its URL: one non-empty value, else none (a repeated one is not ours). */
export function urlCursor(raw: Record<string, string | string[] | undefined>): string | undefined {
  return typeof raw.cursor === "string" && raw.cursor !== "" ? raw.cursor : undefined;
}

/**
 * A console list's page for its URL filters and cursor: a search the domain refuses (too short: a 422) is
 * dropped and reported beside its field, a stale or edited cursor shows the first page and says so.
 */
export async function loadFilteredPage<F extends object, P>(
  read: Pick<UrlFilterRead<string, F>, "values" | "errors" | "filters">,
  cursor: string | undefined,
  load: (filters: F, cursor: string | undefined) => Promise<P>,
): Promise<{ page: P; cursor?: string }> {
  const run = (filters: F) => loadPageOrFirst(cursor, (c) => load(filters, c));
  let loaded: Awaited<ReturnType<typeof run>>;
  try {
    loaded = await run(read.filters);
  } catch (e) {
    if (!(e instanceof AppError) || e.code !== "unprocessable" || !("q" in read.filters) || read.filters.q === undefined) throw e;
    read.errors.q = e.message;
    delete read.values.q;
    loaded = await run({ ...read.filters, q: undefined });
  }
  if (loaded.cursorError) read.errors.cursor = loaded.cursorError;
  return { page: loaded.page, cursor: loaded.cursor };
}
