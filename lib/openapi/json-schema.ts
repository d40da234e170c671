// zod 4 → JSON Schema (draft 2020-12, the dialect OpenAPI 3.1 uses) with zod's own z.toJSONSchema.
// Schemas named with `.meta({ id })` are hoisted into components/schemas and referenced with $ref.
import { z } from "zod";

/** A JSON Schema object (the subset this module and the docs page read; anything else passes through). */
export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  format?: string;
  pattern?: string;
  default?: unknown;
  examples?: unknown[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  [key: string]: unknown;
};

export type SchemaComponents = Record<string, JsonSchema>;
export type SchemaIo = "input" | "output";

const COMPONENT_PREFIX = "#/components/schemas/";
const DEFS_PREFIX = "#/$defs/";

/** Marks a schema zod could not convert; the document test fails on any of these. */
export const CONVERSION_ERROR_KEY = "x-conversion-error";

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === "$ref" && typeof v === "string") {
      if (!v.startsWith(DEFS_PREFIX)) throw new Error(`Unsupported $ref ${v}: recursive schemas need a .meta({ id })`);
      out[key] = COMPONENT_PREFIX + v.slice(DEFS_PREFIX.length);
    } else {
      out[key] = rewriteRefs(v);
    }
  }
  return out;
}

const stable = (v: unknown) => JSON.stringify(v);

/**
 * Converts a zod schema to JSON Schema. `io: "input"` for what clients send (transforms and
 * preprocessors convert as their input side), `"output"` for what the API answers. Named schemas go
 * into `components` (two different schemas with one id are an error); anything zod cannot convert
 * becomes `{}` rather than an exception, and a conversion that fails outright is marked with
 * `x-conversion-error` (so one bad schema does not take the whole document down).
 */
export function zodToJsonSchema(schema: z.ZodType, io: SchemaIo, components: SchemaComponents): JsonSchema {
  let converted: JsonSchema;
  try {
    converted = z.toJSONSchema(schema, { io, target: "draft-2020-12", unrepresentable: "any", reused: "inline", cycles: "ref" }) as JsonSchema;
  } catch (e) {
    return { [CONVERSION_ERROR_KEY]: e instanceof Error ? e.message : String(e) };
  }
  const { $schema: _dialect, $defs, ...root } = converted;
  for (const [id, def] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) {
    const named = rewriteRefs(def) as JsonSchema;
    const existing = components[id];
    if (existing && stable(existing) !== stable(named)) throw new Error(`Two different schemas are named "${id}" (.meta({ id }) must be unique)`);
    components[id] = named;
  }
  return rewriteRefs(root) as JsonSchema;
}

/** Follows a `#/components/schemas/…` reference (one level at a time; unknown refs return undefined). */
export function resolveRef(schema: JsonSchema, components: SchemaComponents): JsonSchema | undefined {
  if (!schema.$ref) return schema;
  if (!schema.$ref.startsWith(COMPONENT_PREFIX)) return undefined;
  return components[schema.$ref.slice(COMPONENT_PREFIX.length)];
}

/** Follows references until a schema without $ref (guarding against loops). */
export function derefSchema(schema: JsonSchema, components: SchemaComponents): JsonSchema {
  let current: JsonSchema | undefined = schema;
  for (let i = 0; i < 32 && current?.$ref; i++) current = resolveRef(current, components);
  return current && !current.$ref ? current : {};
}

/** The name of a referenced component (`#/components/schemas/Error` → `Error`), if any. */
export function refName(schema: JsonSchema): string | undefined {
  return schema.$ref?.startsWith(COMPONENT_PREFIX) ? schema.$ref.slice(COMPONENT_PREFIX.length) : undefined;
}

/** Adds a description to each named property of an object schema (a $ref or not), keeping existing ones. */
export function describeProperties(schema: JsonSchema, notes: Record<string, string> | undefined, components: SchemaComponents): void {
  if (!notes) return;
  const target = derefSchema(schema, components);
  const variants = target.oneOf ?? target.anyOf ?? [target];
  for (const [name, note] of Object.entries(notes)) {
    let found = false;
    for (const variant of variants) {
      const prop = derefSchema(variant, components).properties?.[name];
      if (!prop) continue;
      found = true;
      prop.description = prop.description ? `${prop.description} ${note}` : note;
    }
    if (!found) throw new Error(`Cannot describe "${name}": the schema has no such property`);
  }
}
