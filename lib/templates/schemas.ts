// One definition of a drip template's fields (seeds/003), shared by the console editor (inline errors
// while typing) and the API (authoritative, unknown fields refused). Content length counts characters
// (code points), as WhatsApp and Postgres' char_length do, never UTF-16 units.
import { z } from "zod";
import { BUILTIN_VARIABLES, MAX_MESSAGE_LENGTH } from "@/lib/drip/render";
import { filterTextSchema } from "@/lib/query-params";

/** `{{ name }}` variable names: letters, digits and underscores, starting with a letter or underscore. */
export const VARIABLE_NAME = /^[A-Za-z_]\w*$/;
export const TEMPLATE_NAME = /^[a-z0-9][a-z0-9_-]*$/;
export const MAX_SEGMENT_LENGTH = 64;
export const MAX_DELAY_DAYS = 365;

export const isBuiltinVariable = (name: string) => Object.hasOwn(BUILTIN_VARIABLES, name);
export const countCharacters = (text: string) => [...text].length;

/** "Day 3 + 2 h" (days and hours after enrollment). */
export function formatDelay(delayDays: number, delayHours: number): string {
  return `Day ${delayDays}${delayHours > 0 ? ` + ${delayHours} h` : ""}`;
}

const blankTo = (empty: unknown) => (v: unknown) => (v === undefined || v === null || (typeof v === "string" && v.trim() === "") ? empty : v);
const toNumber = (v: unknown) => (typeof v === "string" ? Number(v.trim()) : v);

export const templateNameSchema = z
  .string("Enter a name")
  .trim()
  .min(1, "Enter a name, e.g. day3_case")
  .max(64, "Use at most 64 characters")
  .regex(TEMPLATE_NAME, "Use lowercase letters, digits, _ and - only, starting with a letter or digit (e.g. day3_case)");

export const variableNameSchema = z
  .string("Enter a variable name")
  .trim()
  .min(1, "Enter a variable name, e.g. instructor_name")
  .max(64, "Use at most 64 characters")
  .regex(VARIABLE_NAME, "Use letters, digits and _ only, starting with a letter (e.g. instructor_name)");

const contentSchema = z
  .string("Write the message")
  .refine((s) => s.trim().length > 0, "Write the message")
  .superRefine((s, ctx) => {
    const n = countCharacters(s);
    if (n > MAX_MESSAGE_LENGTH)
      ctx.addIssue({
        code: "custom",
        message: `The message is ${n.toLocaleString("en")} characters; WhatsApp allows at most ${MAX_MESSAGE_LENGTH.toLocaleString("en")}`,
      });
  });

const delayDaysSchema = z.preprocess(
  (v) => (typeof v === "string" && v.trim() === "" ? undefined : toNumber(v)),
  z
    .number("Enter the number of days (0 = right after enrollment)")
    .int("Use a whole number of days")
    .min(0, "Days cannot be negative")
    .max(MAX_DELAY_DAYS, `At most ${MAX_DELAY_DAYS} days`),
);

/** Optional: empty means 0. */
const delayHoursSchema = z.preprocess(
  (v) => toNumber(blankTo(0)(v)),
  z.number("Enter the hours (0–23)").int("Use a whole number of hours").min(0, "Hours cannot be negative").max(23, "At most 23 hours: use days for more"),
);

/** null or empty: the template goes to every segment. */
const segmentSchema = z.preprocess(
  blankTo(null),
  z.string("The segment is text, e.g. acting").trim().max(MAX_SEGMENT_LENGTH, `Use at most ${MAX_SEGMENT_LENGTH} characters`).nullable(),
);

const parameterKeySchema = z
  .string("Enter the parameter")
  .trim()
  .regex(/^(\d{1,3}|[a-z_][a-z0-9_]{0,63})$/, "A parameter is a number (1, 2 … for {{1}}, {{2}}) or a name in lowercase letters, digits and _");

/** The binding to a Meta-approved template, sent instead of the text outside the 24-hour window. */
export const metaTemplateBindingSchema = z
  .strictObject({
    name: z
      .string("Choose the Meta template")
      .trim()
      .min(1, "Choose the Meta template")
      .max(512, "Meta template names are at most 512 characters")
      .regex(/^[a-z0-9_]+$/, "Meta template names use lowercase letters, digits and _ only"),
    language: z
      .string("Choose the language")
      .trim()
      .regex(/^[a-z]{2,3}(_[A-Za-z0-9]{2,4})?$/, "A language code as Meta writes it, e.g. en_US, pt_BR or ru"),
    parameters: z
      .array(z.strictObject({ key: parameterKeySchema, variable: variableNameSchema }))
      .max(100, "At most 100 parameters")
      .default([]),
  })
  .superRefine((b, ctx) => {
    const keys = b.parameters.map((p) => p.key);
    keys.forEach((key, i) => {
      if (keys.indexOf(key) !== i) ctx.addIssue({ code: "custom", path: ["parameters", i, "key"], message: `Parameter ${key} is mapped twice` });
    });
    const positional = keys.filter((k) => /^\d+$/.test(k));
    if (positional.length > 0 && positional.length < keys.length) {
      ctx.addIssue({ code: "custom", path: ["parameters"], message: "Use either numbered ({{1}}, {{2}}) or named parameters, not both" });
    } else if (positional.length > 0) {
      const sorted = [...new Set(positional.map(Number))].sort((a, b) => a - b);
      if (sorted.some((n, i) => n !== i + 1))
        ctx.addIssue({ code: "custom", path: ["parameters"], message: "Numbered parameters run from {{1}} with none missing" });
    }
  });
export type MetaTemplateBindingInput = z.output<typeof metaTemplateBindingSchema>;

const unknownFields = {
  error: (iss: { code?: string; keys?: string[] }) =>
    iss.code === "unrecognized_keys" && iss.keys ? `Unknown field${iss.keys.length > 1 ? "s" : ""}: ${iss.keys.join(", ")}` : undefined,
};

function shape() {
  return {
    name: templateNameSchema,
    title: z.string("Enter a title").trim().min(1, "Enter a title, e.g. “Case study, day 3”").max(120, "Use at most 120 characters"),
    content: contentSchema,
    delayDays: delayDaysSchema,
    delayHours: delayHoursSchema,
    segment: segmentSchema,
    active: z.boolean("active is true or false").default(true),
    stopOnReply: z.boolean("stopOnReply is true or false").default(true),
    metaTemplate: metaTemplateBindingSchema.nullable().default(null),
  };
}

/** The console editor (no strictness: the form sends exactly these fields). */
export const templateFormSchema = z.object(shape());
/** POST /api/v1/templates: unknown fields are refused by name. */
export const createTemplateSchema = z.strictObject(shape(), unknownFields);
export type TemplateInput = z.output<typeof templateFormSchema>;
export type TemplateFormInput = z.input<typeof templateFormSchema>;

/** PATCH /api/v1/templates/{id}: any subset of the fields; merged with the stored template, then validated whole. */
export const templatePatchSchema = z
  .strictObject(
    {
      name: z.unknown(),
      title: z.unknown(),
      content: z.unknown(),
      delayDays: z.unknown(),
      delayHours: z.unknown(),
      segment: z.unknown(),
      active: z.unknown(),
      stopOnReply: z.unknown(),
      metaTemplate: z.unknown(),
    },
    unknownFields,
  )
  .partial();
export type TemplatePatch = z.output<typeof templatePatchSchema>;

/** The template fields a revision keeps (and a restore brings back). */
export const templateSnapshotSchema = z.object({
  name: z.string(),
  title: z.string(),
  content: z.string(),
  delayDays: z.number(),
  delayHours: z.number(),
  segment: z.string().nullable(),
  active: z.boolean(),
  /** absent in revisions saved before the setting existed (they stopped on a reply: the default) */
  stopOnReply: z.boolean().optional(),
  metaTemplate: z.object({ name: z.string(), language: z.string(), parameters: z.array(z.object({ key: z.string(), variable: z.string() })) }).nullable(),
  /** set on a revision written by a restore */
  restoredFrom: z.number().int().optional(),
});
export type TemplateSnapshot = z.output<typeof templateSnapshotSchema>;

export const templateListFiltersSchema = z.object({
  active: z
    .enum(["true", "false"], "active is true or false")
    .transform((v) => v === "true")
    .optional(),
  segment: filterTextSchema(MAX_SEGMENT_LENGTH).min(1).optional(),
  appliesTo: filterTextSchema(MAX_SEGMENT_LENGTH).min(1).optional(),
});
export type TemplateListFilters = z.output<typeof templateListFiltersSchema>;

export const revisionParamSchema = z.object({ revision: z.coerce.number("Not a revision number").int().min(1).max(2_147_483_647) });

// Per-segment values (tenants.segment_variables): { acting: { instructor_name: "…" } }. Keys are checked
// one by one so each message names the key it is about (zod's own key errors say only "Invalid key").
const segmentValueSchema = z.string("Values are text").trim().min(1, "Enter the value").max(1000, "Use at most 1,000 characters");

export const segmentVariablesSchema = z.record(z.string(), z.record(z.string(), segmentValueSchema)).superRefine((map, ctx) => {
  for (const [segment, vars] of Object.entries(map)) {
    if (segment.trim() === "" || segment.trim() !== segment || segment.length > MAX_SEGMENT_LENGTH) {
      ctx.addIssue({
        code: "custom",
        path: [segment],
        message: `Segment “${segment}”: use 1–${MAX_SEGMENT_LENGTH} characters without leading or trailing spaces`,
      });
    }
    for (const name of Object.keys(vars)) {
      const problem =
        !VARIABLE_NAME.test(name) || name.length > 64
          ? "use letters, digits and _ only, starting with a letter (e.g. instructor_name)"
          : isBuiltinVariable(name)
            ? "this is a built-in variable: it always holds the lead's own value"
            : null;
      if (problem) ctx.addIssue({ code: "custom", path: [segment, name], message: `Variable “${name}” of ${segment}: ${problem}` });
    }
  }
});
export type SegmentVariables = z.output<typeof segmentVariablesSchema>;

/** PUT /api/v1/template-variables: the whole map (segments or variables left out are removed). */
export const segmentVariablesBodySchema = z.strictObject({ segments: segmentVariablesSchema }, unknownFields);

/** The console's table of values: one row per (segment, variable). */
export const segmentVariableRowsSchema = z
  .object({
    rows: z
      .array(
        z.object({
          segment: z
            .string("Enter the segment")
            .trim()
            .min(1, "Enter the segment, e.g. acting")
            .max(MAX_SEGMENT_LENGTH, `Use at most ${MAX_SEGMENT_LENGTH} characters`),
          variable: variableNameSchema.refine((n) => !isBuiltinVariable(n), "This is a built-in variable: choose another name"),
          value: segmentValueSchema,
        }),
      )
      .max(1000, "At most 1,000 values"),
  })
  .superRefine(({ rows }, ctx) => {
    const seen = new Set<string>();
    rows.forEach((r, i) => {
      const key = `${r.segment}\u0000${r.variable}`;
      if (seen.has(key)) ctx.addIssue({ code: "custom", path: ["rows", i, "variable"], message: `${r.variable} is already set for ${r.segment}` });
      seen.add(key);
    });
  });
export type SegmentVariableRows = z.output<typeof segmentVariableRowsSchema>["rows"];

export function rowsToSegmentVariables(rows: SegmentVariableRows): SegmentVariables {
  const out: SegmentVariables = {};
  for (const r of rows) (out[r.segment] ??= {})[r.variable] = r.value;
  return out;
}

/** Sorted by segment, then variable. */
export function segmentVariablesToRows(map: SegmentVariables): SegmentVariableRows {
  return Object.entries(map)
    .flatMap(([segment, vars]) => Object.entries(vars).map(([variable, value]) => ({ segment, variable, value })))
    .sort((a, b) => a.segment.localeCompare(b.segment) || a.variable.localeCompare(b.variable));
}

/** Every variable name set for at least one segment. */
export function segmentVariableNames(map: SegmentVariables): string[] {
  return [...new Set(Object.values(map).flatMap((vars) => Object.keys(vars)))].sort();
}
