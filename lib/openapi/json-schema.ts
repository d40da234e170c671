// The JSON Schemas of the OpenAPI document (draft 2020-12, as OpenAPI 3.1 uses; zod-openapi writes them
// from the declarations' zod schemas): their type for the docs page, and following `#/components` refs.

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

const COMPONENT_PREFIX = "#/components/schemas/";

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
