// Builds the OpenAPI 3.1 document of /api/v1 from the operations registry (served at
// GET /api/v1/openapi.json and rendered by the console's /api-docs page).
import type { z } from "zod";
import packageJson from "@/package.json";
import { errorBody } from "@/lib/errors";
import type { Role } from "@/lib/roles-types";
import { type JsonSchema, type SchemaComponents, derefSchema, describeProperties, zodToJsonSchema } from "./json-schema";
import { OPERATIONS } from "./operations";
import { type ApiOperation, type AuthScheme, TAGS, type Tag, operationErrors, pathParams } from "./registry";
import { errorSchema } from "./schemas";

export type ParameterObject = { name: string; in: "path" | "query"; required: boolean; description?: string; schema: JsonSchema };
export type MediaTypeObject = { schema?: JsonSchema; example?: unknown; examples?: Record<string, { summary?: string; value: unknown }> };
export type ResponseObject = { description: string; content?: Record<string, MediaTypeObject> };
export type OperationObject = {
  operationId: string;
  tags: Tag[];
  summary: string;
  description?: string;
  security: Record<string, string[]>[];
  /** The least console role (sessions); API keys act as admin */
  "x-required-role"?: Role;
  parameters: ParameterObject[];
  requestBody?: { required: boolean; content: Record<string, MediaTypeObject> };
  responses: Record<string, ResponseObject>;
};
export type SecuritySchemeObject = { type: "http" | "apiKey"; scheme?: string; bearerFormat?: string; in?: "cookie" | "header"; name?: string; description: string };
export type OpenApiDocument = {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  servers: { url: string; description: string }[];
  security: Record<string, string[]>[];
  tags: { name: Tag; description: string }[];
  paths: Record<string, Partial<Record<ApiOperation["method"], OperationObject>>>;
  components: { schemas: SchemaComponents; securitySchemes: Record<AuthScheme, SecuritySchemeObject> };
};

export const API_TITLE = "Clicktrail API";

const SECURITY_SCHEMES: Record<AuthScheme, SecuritySchemeObject> = {
  apiKey: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "ck_…",
    description: "An API key from Settings → API keys, sent as `Authorization: Bearer ck_…`. It acts as an admin of its workspace.",
  },
  session: {
    type: "apiKey",
    in: "cookie",
    name: "authjs.session-token",
    description: "The console's sign-in session (`__Secure-authjs.session-token` over HTTPS); the browser sends it. The user's role must be at least the operation's `x-required-role`.",
  },
  cronSecret: {
    type: "http",
    scheme: "bearer",
    description: "The server's `CRON_SECRET`, sent as `Authorization: Bearer …`.",
  },
};

const INFO_DESCRIPTION = [
  "Clicktrail follows each sale from a Click-to-WhatsApp ad to the chat, and reports conversions back to Meta.",
  "**Authentication.** Send `Authorization: Bearer <API key>` (create one under Settings → API keys; it acts as an admin of its workspace). The console's own pages call the same routes with the sign-in session; then the user's role must be at least the operation's `x-required-role` (admin > manager > marketer), and a session whose password an admin set answers 403 `password_change_required` until its owner chooses their own on the console's Account page (API keys are unaffected).",
  "**Errors.** Every error has one shape: `{ \"error\": { \"code\", \"message\", \"details\"? } }`. `code` is a precise reason where there is one (e.g. `event_too_old`), otherwise the class (`unauthorized`, `forbidden`, `not_found`, `conflict`, `unprocessable`…). Validation errors carry zod's `{ formErrors, fieldErrors }` in `details`.",
  "**Lists** are keyset-paginated: pass the answer's `nextCursor` as `cursor` for the next page (`null` on the last). **Ids** are UUIDs; an id of another workspace, or one that is not a UUID, answers 404. JSON field names are camelCase.",
].join("\n\n");

/** What an error status means, in a few words (the start of each error response's description). */
export const STATUS_TEXT: Record<number, string> = {
  400: "Bad request",
  401: "Not authenticated",
  403: "The role is too low",
  404: "Not found",
  409: "Conflict",
  413: "Body too large",
  422: "Not valid",
  429: "Too many requests",
  502: "The provider failed",
  503: "Unavailable",
};

const ID_PARAM_DESCRIPTION = "A UUID; an unknown id, another workspace's id or anything that is not a UUID answers 404";

/** Query parameters from one or more zod object schemas (input side: what the client writes). */
function queryParameters(op: ApiOperation, components: SchemaComponents): ParameterObject[] {
  const params: ParameterObject[] = [];
  for (const schema of op.query) {
    const json = derefSchema(zodToJsonSchema(schema, "input", components), components);
    for (const [name, prop] of Object.entries(json.properties ?? {})) {
      if (params.some((p) => p.name === name)) throw new Error(`${op.operationId}: query parameter "${name}" is defined twice`);
      const { description, ...rest } = prop;
      const note = op.queryNotes?.[name];
      params.push({ name, in: "query", required: json.required?.includes(name) ?? false, description: [note, description].filter(Boolean).join(". ") || undefined, schema: rest });
    }
  }
  for (const name of Object.keys(op.queryNotes ?? {})) {
    if (!params.some((p) => p.name === name)) throw new Error(`${op.operationId}: queryNotes names "${name}", which is not a query parameter`);
  }
  return params;
}

/**
 * A PATCH body that accepts any subset of fields and validates the merged result against a union
 * (numbers): each field typed from the union's variants, without defaults, none required.
 */
function mergedPatchBody(op: ApiOperation, patch: JsonSchema, components: SchemaComponents): JsonSchema {
  const typesFrom = derefSchema(zodToJsonSchema(op.bodyTypesFrom as z.ZodType, "input", components), components);
  const variants = (typesFrom.oneOf ?? typesFrom.anyOf ?? [typesFrom]).map((v) => derefSchema(v, components));
  const discriminator = Object.keys(variants[0]?.properties ?? {}).find((key) => variants.every((v) => v.properties?.[key] && "const" in (v.properties[key] as JsonSchema)));
  const tagOf = (v: JsonSchema) => (discriminator ? String(v.properties?.[discriminator]?.const) : "");
  const properties: Record<string, JsonSchema> = {};
  for (const name of Object.keys(derefSchema(patch, components).properties ?? {})) {
    const owners = variants.filter((v) => v.properties?.[name]);
    const found = owners.map((v) => v.properties?.[name] as JsonSchema);
    if (found.length === 0) {
      properties[name] = {};
    } else if (name === discriminator) {
      properties[name] = { type: "string", enum: found.map((f) => f.const) };
    } else {
      const { default: _default, ...rest } = found[0] as JsonSchema;
      properties[name] = owners.length < variants.length && discriminator ? { ...rest, description: `Only for ${discriminator} ${owners.map(tagOf).join(", ")}` } : rest;
    }
  }
  return { type: "object", description: "Any subset of the fields; the number after the change must be valid as a whole", properties, additionalProperties: false };
}

function requestBody(op: ApiOperation, components: SchemaComponents): OperationObject["requestBody"] {
  if (!op.body) return undefined;
  let schema = zodToJsonSchema(op.body, "input", components);
  if (op.bodyTypesFrom) schema = mergedPatchBody(op, schema, components);
  describeProperties(schema, op.bodyNotes, components);
  return { required: true, content: { "application/json": { schema, ...(op.bodyExample === undefined ? {} : { example: op.bodyExample }) } } };
}

function responses(op: ApiOperation, components: SchemaComponents): Record<string, ResponseObject> {
  const out: Record<string, ResponseObject> = {};
  for (const r of op.responses) {
    const entry = (out[r.status] ??= { description: r.description });
    if (entry.description !== r.description) entry.description = `${entry.description}; ${r.description}`;
    if (r.status === 204) continue;
    const media: MediaTypeObject = {};
    if (r.schema) media.schema = zodToJsonSchema(r.schema, "output", components);
    if (r.example !== undefined) media.example = r.example;
    entry.content = { ...entry.content, [r.contentType ?? "application/json"]: media };
  }
  const errorRef = zodToJsonSchema(errorSchema, "output", components);
  for (const [status, errors] of operationErrors(op)) {
    out[status] = {
      description: `${STATUS_TEXT[status] ?? "Error"}: ${errors.map((e) => `\`${e.code}\``).join(", ")}`,
      content: {
        "application/json": {
          schema: errorRef,
          examples: Object.fromEntries(errors.map((e) => [e.code, { summary: e.code, value: errorBody(e.code, e.message, e.details) }])),
        },
      },
    };
  }
  return out;
}

function operationObject(op: ApiOperation, components: SchemaComponents): OperationObject {
  const parameters: ParameterObject[] = [
    ...pathParams(op.path).map((name): ParameterObject => ({ name, in: "path", required: true, description: ID_PARAM_DESCRIPTION, schema: { type: "string", format: "uuid" } })),
    ...queryParameters(op, components),
  ];
  return {
    operationId: op.operationId,
    tags: [op.tag],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    security: op.auth.map((scheme) => ({ [scheme]: [] })),
    ...(op.auth.includes("session") ? { "x-required-role": op.role } : {}),
    parameters,
    ...(op.body ? { requestBody: requestBody(op, components) } : {}),
    responses: responses(op, components),
  };
}

/** The OpenAPI 3.1 document for this server (`appUrl` is APP_URL: the server the docs' examples call). */
export function buildOpenApiDocument({ appUrl, operations = OPERATIONS }: { appUrl: string; operations?: ApiOperation[] }): OpenApiDocument {
  const components: SchemaComponents = {};
  const paths: OpenApiDocument["paths"] = {};
  const ordered = [...operations].sort((a, b) => tagIndex(a.tag) - tagIndex(b.tag));
  for (const op of ordered) {
    const item = (paths[op.path] ??= {});
    if (item[op.method]) throw new Error(`${op.method.toUpperCase()} ${op.path} is documented twice`);
    item[op.method] = operationObject(op, components);
  }
  const usedTags = new Set(operations.map((op) => op.tag));
  return {
    openapi: "3.1.0",
    info: { title: API_TITLE, version: packageJson.version, description: INFO_DESCRIPTION },
    servers: [{ url: appUrl.replace(/\/+$/, ""), description: "This Clicktrail server (APP_URL)" }],
    security: [{ apiKey: [] }, { session: [] }],
    tags: (Object.keys(TAGS) as Tag[]).filter((t) => usedTags.has(t)).map((name) => ({ name, description: TAGS[name] })),
    paths,
    components: { schemas: sortKeys(components), securitySchemes: SECURITY_SCHEMES },
  };
}

const tagIndex = (tag: Tag) => Object.keys(TAGS).indexOf(tag);
const sortKeys = <T>(o: Record<string, T>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

const cache = new Map<string, OpenApiDocument>();

/** The document for `appUrl`, built once per process (the registry is static). Treat it as read-only. */
export function getOpenApiDocument(appUrl: string): OpenApiDocument {
  let doc = cache.get(appUrl);
  if (!doc) {
    doc = buildOpenApiDocument({ appUrl });
    cache.set(appUrl, doc);
  }
  return doc;
}
