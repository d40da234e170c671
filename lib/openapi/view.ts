// Reading the OpenAPI document for people: JSON Schemas flattened into field rows, and a curl
// command per operation. Pure functions over the document; the /api-docs page renders their output.
import type { MediaTypeObject, OpenApiDocument, OperationObject } from "./document";
import { type JsonSchema, type SchemaComponents, derefSchema, refName } from "./json-schema";
import { HTTP_METHODS, type HttpMethod } from "./registry";

export type FieldRow = {
  /** Dotted path, `[]` for array items: `contentIds`, `error.code`, `rows[].id` */
  name: string;
  depth: number;
  type: string;
  required: boolean;
  enumValues: string[];
  constraints: string[];
  description?: string;
};

export type SchemaView =
  | { kind: "fields"; rows: FieldRow[]; closed: boolean; description?: string; refName?: string }
  | { kind: "variants"; discriminator?: string; variants: { title: string; view: SchemaView }[]; description?: string; refName?: string }
  | { kind: "value"; type: string; constraints: string[]; enumValues: string[]; description?: string; refName?: string };

const MAX_DEPTH = 6;

const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

/** A short type for a schema: `string (uuid)`, `integer`, `string[]`, `number | string`, `"cloud"`, `object`. */
export function typeLabel(schema: JsonSchema, components: SchemaComponents, depth = 0): string {
  const name = refName(schema);
  const s = derefSchema(schema, components);
  if (depth > MAX_DEPTH) return name ?? "any";
  if ("const" in s) return show(s.const);
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return [...new Set(alternatives.map((a) => typeLabel(a, components, depth + 1)))].join(" | ");
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.length === 0) return s.enum ? "enum" : s.properties ? "object" : (name ?? "any");
  return types
    .map((t) => {
      if (t === "array") return `${s.items ? typeLabel(s.items, components, depth + 1) : "any"}[]`;
      if (t === "object" && name) return name;
      if (t === "string" && s.format) return `string (${s.format})`;
      return t;
    })
    .join(" | ");
}

/** Validation rules in words: `1–255 characters`, `≤ 1000 items`, `> 0`, `pattern ^\d+$`, `default "json"`. */
export function constraintsOf(schema: JsonSchema, components: SchemaComponents): string[] {
  const s = derefSchema(schema, components);
  const out: string[] = [];
  const range = (min: number | undefined, max: number | undefined, unit: string) => {
    if (min !== undefined && max !== undefined) out.push(min === max ? `exactly ${min}${unit}` : `${min}–${max}${unit}`);
    else if (min !== undefined) out.push(`≥ ${min}${unit}`);
    else if (max !== undefined) out.push(`≤ ${max}${unit}`);
  };
  range(s.minLength, s.maxLength, " characters");
  range(s.minItems, s.maxItems, " items");
  if (s.exclusiveMinimum !== undefined) out.push(`> ${s.exclusiveMinimum}`);
  if (s.exclusiveMaximum !== undefined) out.push(`< ${s.exclusiveMaximum}`);
  // zod writes JavaScript's safe-integer bounds for int(): not a rule anyone needs to read
  const max = s.maximum !== undefined && Math.abs(s.maximum) < Number.MAX_SAFE_INTEGER ? s.maximum : undefined;
  const min = s.minimum !== undefined && Math.abs(s.minimum) < Number.MAX_SAFE_INTEGER ? s.minimum : undefined;
  range(min, max, "");
  if (s.pattern && !s.format) out.push(`pattern ${s.pattern}`);
  if (s.default !== undefined) out.push(`default ${JSON.stringify(s.default)}`);
  if (s.additionalProperties === false && s.type === "object" && !s.properties) out.push("no properties");
  for (const alt of s.anyOf ?? []) {
    const inner = constraintsOf(alt, components);
    if (inner.length > 0) out.push(`${typeLabel(alt, components)}: ${inner.join(", ")}`);
  }
  if (s.items) {
    const inner = constraintsOf(s.items, components);
    if (inner.length > 0) out.push(`each: ${inner.join(", ")}`);
  }
  return out;
}

function enumValuesOf(schema: JsonSchema, components: SchemaComponents): string[] {
  const s = derefSchema(schema, components);
  const direct = s.enum ?? (s.items ? derefSchema(s.items, components).enum : undefined);
  if (direct) return direct.map(show);
  // string | null unions: the enum of the non-null member
  const alt = (s.anyOf ?? []).map((a) => derefSchema(a, components)).find((a) => a.enum);
  return alt?.enum?.map(show) ?? [];
}

/** Nested object properties of a schema (directly, or of its array items), if any. */
function nestedObject(schema: JsonSchema, components: SchemaComponents): { schema: JsonSchema; suffix: string } | undefined {
  const s = derefSchema(schema, components);
  if (s.properties && Object.keys(s.properties).length > 0) return { schema: s, suffix: "" };
  if (s.items) {
    const items = derefSchema(s.items, components);
    if (items.properties && Object.keys(items.properties).length > 0) return { schema: items, suffix: "[]" };
  }
  const objectAlt = (s.anyOf ?? []).map((a) => derefSchema(a, components)).filter((a) => a.properties && Object.keys(a.properties).length > 0);
  return objectAlt.length === 1 ? { schema: objectAlt[0] as JsonSchema, suffix: "" } : undefined;
}

function fieldRows(schema: JsonSchema, components: SchemaComponents, prefix: string, depth: number, rows: FieldRow[]): void {
  const s = derefSchema(schema, components);
  for (const [key, prop] of Object.entries(s.properties ?? {})) {
    const name = prefix ? `${prefix}.${key}` : key;
    const resolved = derefSchema(prop, components);
    rows.push({
      name,
      depth,
      type: typeLabel(prop, components),
      required: s.required?.includes(key) ?? false,
      enumValues: enumValuesOf(prop, components),
      constraints: constraintsOf(prop, components),
      description: prop.description ?? resolved.description,
    });
    const nested = depth < MAX_DEPTH ? nestedObject(prop, components) : undefined;
    if (nested) fieldRows(nested.schema, components, name + nested.suffix, depth + 1, rows);
  }
}

/** A schema as the page shows it: a table of fields, a set of variants (oneOf), or a single value. */
export function schemaView(schema: JsonSchema, components: SchemaComponents): SchemaView {
  const s = derefSchema(schema, components);
  const meta = { ...(s.description ? { description: s.description } : {}), ...(refName(schema) ? { refName: refName(schema) } : {}) };
  if (s.oneOf && s.oneOf.every((v) => derefSchema(v, components).properties)) {
    const variants = s.oneOf.map((v) => derefSchema(v, components));
    const discriminator = Object.keys(variants[0]?.properties ?? {}).find((k) =>
      variants.every((v) => v.properties?.[k] && "const" in (v.properties[k] as JsonSchema)),
    );
    return {
      kind: "variants",
      ...(discriminator ? { discriminator } : {}),
      variants: variants.map((v, i) => ({
        title: discriminator ? `${discriminator}: ${show(v.properties?.[discriminator]?.const)}` : `Variant ${i + 1}`,
        view: schemaView(v, components),
      })),
      ...meta,
    };
  }
  const nested = nestedObject(schema, components);
  if (nested) {
    const rows: FieldRow[] = [];
    fieldRows(nested.schema, components, nested.suffix, 0, rows);
    return { kind: "fields", rows, closed: nested.schema.additionalProperties === false, ...meta };
  }
  return {
    kind: "value",
    type: typeLabel(schema, components),
    constraints: constraintsOf(schema, components),
    enumValues: enumValuesOf(schema, components),
    ...meta,
  };
}

export type DocOperation = { method: HttpMethod; path: string; operation: OperationObject; anchor: string };

/** Operations grouped by the document's tags, in document order. */
export type TagGroup = { tag: string; description?: string; operations: DocOperation[] };

export function operationsByTag(doc: OpenApiDocument): TagGroup[] {
  const groups: TagGroup[] = doc.tags.map((t) => ({ tag: t.name, description: t.description, operations: [] }));
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const tag = operation.tags[0] ?? "Other";
      let group = groups.find((g) => g.tag === tag);
      if (!group) {
        group = { tag, operations: [] };
        groups.push(group);
      }
      group.operations.push({ method, path, operation, anchor: `op-${operation.operationId}` });
    }
  }
  return groups.filter((g) => g.operations.length > 0);
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** A copyable curl command: the server's URL, the API key header, and the body example. */
export function curlCommand(doc: OpenApiDocument, { method, path, operation }: Pick<DocOperation, "method" | "path" | "operation">): string {
  const server = doc.servers[0]?.url ?? "";
  const url = server + path.replace(/\{(\w+)\}/g, (_m, name: string) => `$${name.toUpperCase()}`);
  const lines = [`curl${method === "get" ? "" : ` -X ${method.toUpperCase()}`} "${url}"`];
  const schemes = operation.security.flatMap((s) => Object.keys(s));
  if (schemes.includes("apiKey")) lines.push(`-H "Authorization: Bearer $CLICKTRAIL_API_KEY"`);
  else if (schemes.includes("cronSecret")) lines.push(`-H "Authorization: Bearer $CRON_SECRET"`);
  const body: MediaTypeObject | undefined = operation.requestBody?.content["application/json"];
  if (body) {
    lines.push(`-H "Content-Type: application/json"`);
    lines.push(`--data-raw ${shellQuote(JSON.stringify(body.example ?? {}, null, 2))}`);
  }
  const success = Object.entries(operation.responses).find(([status]) => status.startsWith("2"))?.[1];
  const types = Object.keys(success?.content ?? {});
  if (types.length === 1 && types[0] === "text/csv") lines.push(`-o ${operation.operationId.replace(/^export/, "").toLowerCase() || "export"}.csv`);
  return lines.join(" \\\n  ");
}
