// A list page's filters from its URL: the valid ones are applied, a bad value is reported beside its
// field and otherwise ignored (the page still renders, never a 500 for a hand-edited URL).
import type { z } from "zod";

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
