// Builds the OpenAPI 3.1 document of /api/v1 from the operation declarations with zod-openapi (served at
// GET /api/v1/openapi.json and rendered by the console's /api-docs page).
import { z } from "zod";
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from "zod-openapi";
import packageJson from "@/package.json";
import { errorBody } from "@/lib/errors";
import type { Role } from "@/lib/roles-types";
import type { JsonSchema, SchemaComponents } from "./json-schema";
import { OPERATIONS } from "./operations";
import { type ApiOperation, type AuthScheme, TAGS, type Tag, operationErrors } from "./registry";
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
export type SecuritySchemeObject = {
  type: "http" | "apiKey";
  scheme?: string;
  bearerFormat?: string;
  in?: "cookie" | "header";
  name?: string;
  description: string;
};
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
    description:
      "The console's sign-in session (`__Secure-authjs.session-token` over HTTPS); the browser sends it. The user's role must be at least the operation's `x-required-role`.",
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
  '**Errors.** Every error has one shape: `{ "error": { "code", "message", "details"? } }`. `code` is a precise reason where there is one (e.g. `event_too_old`), otherwise the class (`unauthorized`, `forbidden`, `not_found`, `conflict`, `unprocessable`…). Validation errors carry zod\'s `{ formErrors, fieldErrors }` in `details`.',
  "**Lists** are keyset-paginated: pass the answer's `nextCursor` as `cursor` for the next page (`null` on the last). **Ids** are UUIDs; an id of another workspace, or one that is not a UUID, answers 404. JSON field names are camelCase.",
  [
    "**Conventions** (one per thing, everywhere):",
    "- A WhatsApp number is named by its id as `numberId`, in bodies, query strings and answers alike.",
    "- Booleans are JSON `true`/`false`; in a query string they are the words `true` or `false` (nothing else is accepted).",
    "- DELETE answers `204 No Content` with no body.",
    "- Bad query input answers `422`, a cursor that is not one of the list's included (`invalid_cursor`); bad JSON bodies answer `422` with zod's `{ formErrors, fieldErrors }`, a body that is not JSON `400`, one over 1 MiB `413`.",
    "- Times are ISO 8601 strings in UTC (`2026-12-07T09:20:00.000Z`). Two exceptions keep the formats their origin defines: a subscriber and its conversations (GET /api/v1/subscribers and /api/v1/subscribers/{id}: `firstSeenAt`, `lastInboundAt`, `conversationExpiresAt`, a conversation's `startedAt`, …) use the field names and unix-millisecond times of seeds/000, and a conversion's `eventTime` is unix seconds, as Meta's Conversions API takes it.",
    "- A path that names no operation answers `404 not_found`, a method the path does not have `405 method_not_allowed` with an `Allow` header, a failure of ours `500 internal` (with a request id for the server's log), and a database that cannot be reached `503 unavailable` with `Retry-After`: all in the one error shape.",
  ].join("\n"),
  [
    '**Outgoing webhooks.** Admins add endpoints under Settings → Webhooks or with POST /api/v1/webhook-endpoints. Each event is POSTed as `{ id, type, createdAt, workspaceId, data }` with `Clicktrail-Event-Id` and `Clicktrail-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>` (a second `v1=` with the previous secret for 24 h after a rotation). Delivery is at least once with retries: dedupe by the event id. Verify in Node with the raw body, before parsing it:',
    "```js",
    'import { createHmac, timingSafeEqual } from "node:crypto";',
    "function verifyClicktrail(rawBody, header, secret, toleranceSeconds = 300) {",
    '  const parts = header.split(",").map((p) => p.split("="));',
    '  const t = parts.find(([k]) => k === "t")?.[1];',
    "  if (!t || Math.abs(Date.now() / 1000 - Number(t)) > toleranceSeconds) return false;",
    '  const expected = Buffer.from(createHmac("sha256", secret).update(`${t}.${rawBody}`).digest("hex"));',
    '  return parts.some(([k, v]) => k === "v1" && v.length === expected.length && timingSafeEqual(Buffer.from(v), expected));',
    "}",
    "```",
  ].join("\n"),
].join("\n\n");

/** What an error status means, in a few words (the start of each error response's description). */
export const STATUS_TEXT: Record<number, string> = {
  400: "Bad request",
  401: "Not authenticated",
  403: "The role is too low",
  404: "Not found",
  405: "Method not allowed",
  409: "Conflict",
  413: "Body too large",
  422: "Not valid",
  429: "Too many requests",
  500: "Our failure",
  502: "The provider failed",
  503: "Unavailable",
};

/** The shape of a query or body schema: a z.object, or the object inside a pipe (preprocess/transform). */
function objectOf(schema: z.ZodType): z.ZodObject | undefined {
  if (schema instanceof z.ZodObject) return schema;
  const def = (schema as unknown as { _zod: { def: { type: string; in?: z.ZodType; out?: z.ZodType; innerType?: z.ZodType } } })._zod.def;
  if (def.type === "pipe") return (def.out && objectOf(def.out)) ?? (def.in && objectOf(def.in));
  if (def.innerType) return objectOf(def.innerType);
  return undefined;
}

/** `schema` with `note` added to its description (a copy: parsing is unchanged). */
function described(schema: z.ZodType, note: string | undefined): z.ZodType {
  if (!note) return schema;
  const own = schema.meta()?.description;
  return schema.meta({ description: own ? `${note}. ${own}` : note });
}

/** The query parameters of an operation as one object: its schemas' fields, with its notes. */
function queryObject(op: ApiOperation): z.ZodObject | undefined {
  if (op.query.length === 0) return undefined;
  const shape: Record<string, z.ZodType> = {};
  for (const schema of op.query) {
    const object = objectOf(schema);
    if (!object) throw new Error(`${op.operationId}: a query schema must be an object`);
    for (const [name, field] of Object.entries(object.shape as Record<string, z.ZodType>)) {
      if (shape[name]) throw new Error(`${op.operationId}: query parameter "${name}" is defined twice`);
      shape[name] = described(field, op.queryNotes?.[name]);
    }
  }
  for (const name of Object.keys(op.queryNotes ?? {})) {
    if (!shape[name]) throw new Error(`${op.operationId}: queryNotes names "${name}", which is not a query parameter`);
  }
  return z.object(shape);
}

/** An object body with notes on its fields (a documentation copy, named as the original). */
function describeObject(object: z.ZodObject, notes: Record<string, string>, found: Set<string>): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, field] of Object.entries(object.shape as Record<string, z.ZodType>)) {
    if (notes[name]) found.add(name);
    shape[name] = described(field, notes[name]);
  }
  const copy = object._zod.def.catchall && !(object._zod.def.catchall instanceof z.ZodNever) ? z.looseObject(shape) : z.strictObject(shape);
  const meta = object.meta();
  return meta ? copy.meta(meta) : copy;
}

/**
 * A PATCH body that accepts any subset of fields and validates the merged result against a union
 * (numbers): each field typed from the union's variants, without defaults, none required.
 */
function mergedPatchBody(op: ApiOperation): z.ZodType {
  const patch = objectOf(op.body as z.ZodType);
  const union = op.bodyTypesFrom as z.ZodType;
  const options = ((union as unknown as { options?: z.ZodType[] }).options ?? [union]).map((o) => objectOf(o)).filter((o): o is z.ZodObject => !!o);
  const literalOf = (field: z.ZodType | undefined) => (field instanceof z.ZodLiteral ? (field.values as Set<unknown>) : undefined);
  const discriminator = Object.keys(options[0]?.shape ?? {}).find((key) => options.every((o) => literalOf(o.shape[key] as z.ZodType)));
  const tagOf = (o: z.ZodObject) => (discriminator ? [...(literalOf(o.shape[discriminator] as z.ZodType) ?? [])].join(", ") : "");
  const shape: Record<string, z.ZodType> = {};
  for (const name of Object.keys(patch?.shape ?? {})) {
    const owners = options.filter((o) => o.shape[name]);
    if (owners.length === 0) {
      shape[name] = (patch?.shape[name] as z.ZodType).optional();
    } else if (name === discriminator) {
      shape[name] = z.enum(owners.flatMap((o) => [...(literalOf(o.shape[name] as z.ZodType) ?? [])].map(String)) as [string, ...string[]]).optional();
    } else {
      let field = owners[0]!.shape[name] as z.ZodType;
      while (field instanceof z.ZodDefault || field instanceof z.ZodOptional) field = field._zod.def.innerType as z.ZodType;
      shape[name] = (
        owners.length < options.length && discriminator ? field.meta({ description: `Only for ${discriminator} ${owners.map(tagOf).join(", ")}` }) : field
      ).optional();
    }
  }
  return z.strictObject(shape).meta({ description: "Any subset of the fields; the result after the change must be valid as a whole" });
}

/** The request body as documented: its notes on its fields, a merged PATCH typed from its variants. */
function documentedBody(op: ApiOperation): z.ZodType {
  const body = op.bodyTypesFrom ? mergedPatchBody(op) : (op.body as z.ZodType);
  const notes = op.bodyNotes;
  if (!notes) return body;
  const found = new Set<string>();
  let out: z.ZodType;
  const object = body instanceof z.ZodObject ? body : undefined;
  const options = (body as unknown as { options?: z.ZodType[] }).options;
  if (object) out = describeObject(object, notes, found);
  else if (options && body instanceof z.ZodDiscriminatedUnion) {
    const def = body._zod.def as unknown as { discriminator: string };
    const described = options.map((o) => describeObject(objectOf(o) as z.ZodObject, notes, found));
    out = z.discriminatedUnion(def.discriminator, described as [z.ZodObject, ...z.ZodObject[]]);
    const meta = body.meta();
    if (meta) out = out.meta(meta);
  } else throw new Error(`${op.operationId}: bodyNotes need an object or discriminated-union body`);
  for (const name of Object.keys(notes)) if (!found.has(name)) throw new Error(`${op.operationId}: cannot describe "${name}": the body has no such field`);
  return out;
}

function responses(op: ApiOperation): ZodOpenApiResponsesObject {
  const out: ZodOpenApiResponsesObject = {};
  for (const r of op.responses) {
    const key = String(r.status) as `${1 | 2 | 3 | 4 | 5}${string}`;
    const entry = (out[key] ??= { description: r.description }) as { description: string; content?: Record<string, unknown> };
    if (entry.description !== r.description) entry.description = `${entry.description}; ${r.description}`;
    if (r.status === 204) continue;
    const media: Record<string, unknown> = {};
    if (r.schema) media.schema = r.schema;
    if (r.example !== undefined) media.example = r.example;
    entry.content = { ...entry.content, [r.contentType ?? "application/json"]: media };
  }
  for (const [status, errors] of operationErrors(op)) {
    out[String(status) as `4${string}`] = {
      description: `${STATUS_TEXT[status] ?? "Error"}: ${errors.map((e) => `\`${e.code}\``).join(", ")}`,
      content: {
        "application/json": {
          schema: errorSchema,
          examples: Object.fromEntries(errors.map((e) => [e.code, { summary: e.code, value: errorBody(e.code, e.message, e.details) }])),
        },
      },
    };
  }
  return out;
}

function operationObject(op: ApiOperation): ZodOpenApiOperationObject {
  const query = queryObject(op);
  const hasPath = Object.keys(op.params.shape).length > 0;
  return {
    operationId: op.operationId,
    tags: [op.tag],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    security: op.auth.map((scheme) => ({ [scheme]: [] })),
    ...(op.auth.includes("session") ? { "x-required-role": op.role } : {}),
    ...(hasPath || query ? { requestParams: { ...(hasPath ? { path: op.params } : {}), ...(query ? { query } : {}) } } : {}),
    ...(op.body
      ? {
          requestBody: {
            required: true,
            content: { "application/json": { schema: documentedBody(op), ...(op.bodyExample === undefined ? {} : { example: op.bodyExample }) } },
          },
        }
      : {}),
    responses: responses(op),
  };
}

/** The OpenAPI 3.1 document for this server (`appUrl` is APP_URL: the server the docs' examples call). */
export function buildOpenApiDocument({ appUrl, operations = OPERATIONS }: { appUrl: string; operations?: ApiOperation[] }): OpenApiDocument {
  const paths: ZodOpenApiPathsObject = {};
  const ordered = [...operations].sort((a, b) => tagIndex(a.tag) - tagIndex(b.tag));
  for (const op of ordered) {
    const item = (paths[op.path] ??= {}) as Record<string, unknown>;
    if (item[op.method]) throw new Error(`${op.method.toUpperCase()} ${op.path} is documented twice`);
    item[op.method] = operationObject(op);
  }
  const usedTags = new Set(operations.map((op) => op.tag));
  const doc = createDocument({
    openapi: "3.1.0",
    info: { title: API_TITLE, version: packageJson.version, description: INFO_DESCRIPTION },
    servers: [{ url: appUrl.replace(/\/+$/, ""), description: "This Clicktrail server (APP_URL)" }],
    security: [{ apiKey: [] }, { session: [] }],
    tags: (Object.keys(TAGS) as Tag[]).filter((t) => usedTags.has(t)).map((name) => ({ name, description: TAGS[name] })),
    paths,
    components: { securitySchemes: SECURITY_SCHEMES },
  });
  const built = JSON.parse(JSON.stringify(doc)) as OpenApiDocument;
  built.components.schemas = sortKeys(built.components.schemas ?? {});
  return built;
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
