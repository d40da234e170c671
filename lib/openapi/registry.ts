// One /api/v1 operation is one declaration: method, path, who may call, its path/query/body schemas, its
// responses per status, its errors and its handler. lib/api/serve.ts runs it (auth, role, parsing, error
// mapping) and lib/openapi/document.ts documents it; nothing about an operation is written twice.
import { z } from "zod";
import type { Db } from "@/db/client";
import type { ApiPrincipal } from "@/lib/auth";
import { ROLE_RANK } from "@/lib/roles";
import type { Role } from "@/lib/roles-types";

export const HTTP_METHODS = ["get", "post", "put", "patch", "delete"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** `apiKey`: `Authorization: Bearer <API key>`; `session`: the console's sign-in cookie; `cronSecret`: `Authorization: Bearer $CRON_SECRET`. */
export type AuthScheme = "apiKey" | "session" | "cronSecret";
export const API_KEY_OR_SESSION: AuthScheme[] = ["apiKey", "session"];

export const TAGS = {
  Conversions: "Report sales and leads back to Meta's Conversions API for Business Messaging, and read the conversions log.",
  Subscribers: "People who wrote to your numbers, with the ad that brought them; filters, CSV export and profile changes.",
  Inbox:
    "Every chat with its subscriber, newest activity first: filters, the transcript with the ad that started it, assignment and read marks; replies (text, approved templates, media) and quick replies.",
  Messages: "A message's media (images, voice notes, videos, documents), fetched from the provider through this server.",
  Attribution: "Conversations, conversions and value per campaign → ad set → ad.",
  Numbers: "Connected WhatsApp numbers (Meta Cloud API, Green API, Gupshup): connect, edit, test, datasets.",
  "Webhook events": "Stored deliveries from Meta and Gupshup, exactly as received, and replaying one.",
  "Outgoing webhooks": "Endpoints of yours that receive signed events from Clicktrail (admin): their secrets, deliveries and attempts, and resending one.",
  Leads: "Leads from the website form or the console, the managers' call flow, and enrolling them in the drip.",
  Templates: "The drip's message templates with their revisions, per-segment variables and bound approved Meta templates.",
  Queue: "The drip queue: live figures, the list, and retrying or cancelling a message.",
  Workspace: "Who is calling, and the dashboard.",
  Users: "The workspace's users and their roles (admin).",
  "API keys": "Keys for server-to-server calls (admin). An API key acts as an admin of its workspace.",
  "Developer tools": "The simulator's set-up and this document.",
} as const;
export type Tag = keyof typeof TAGS;

export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 422 | 429 | 500 | 502 | 503;

/** A documented error: its HTTP status, the `error.code` the body carries, and an example message. */
export type ErrorSpec = { status: ErrorStatus; code: string; message: string; details?: unknown };

export type SuccessResponse = {
  status: 200 | 201 | 202 | 204;
  description: string;
  /** The body's schema (omit for 204 or an undocumented shape); JSON unless `contentType` says otherwise */
  schema?: z.ZodType;
  contentType?: string;
  example?: unknown;
};

/** What a handler is given: the request, the database, the caller and the parsed inputs. */
export type HandlerContext<P = Record<string, string>, Q = Record<string, unknown>, B = unknown> = {
  req: Request;
  /** The database (throws for an operation without authentication, which is given none) */
  db: Db;
  /** The caller (throws for an operation without authentication) */
  principal: ApiPrincipal;
  /** The caller's workspace (throws for an operation without authentication) */
  tenantId: string;
  /** The caller sent the server's CRON_SECRET (operations whose `auth` lists `cronSecret`); no principal then */
  viaCronSecret: boolean;
  params: P;
  query: Q;
  body: B;
};

/** A JSON answer with a status other than the operation's first success status. */
export type Reply<T = unknown> = { readonly __reply: true; status: number; body: T; headers?: Record<string, string> };
export const reply = <T>(status: number, body: T, headers?: Record<string, string>): Reply<T> => ({ __reply: true, status, body, headers });
export const isReply = (v: unknown): v is Reply => typeof v === "object" && v !== null && (v as { __reply?: unknown }).__reply === true;

/**
 * A handler as stored: defineOperation checked its context and answers against the declaration's schemas,
 * and serve() gives it the context those schemas parse (so it is called through `runHandler`).
 */
export type AnyHandler = (ctx: never) => Promise<unknown>;
export const runHandler = (op: ApiOperation, ctx: HandlerContext): Promise<unknown> => (op.handler as (ctx: HandlerContext) => Promise<unknown>)(ctx);

export type ApiOperation = {
  method: HttpMethod;
  /** The URL path with `{id}`-style parameters, e.g. `/api/v1/numbers/{id}` */
  path: string;
  operationId: string;
  tag: Tag;
  summary: string;
  description?: string;
  /** Who may call; an empty list means no authentication. Default: API key or console session. */
  auth: AuthScheme[];
  /** The least role a console session needs (API keys act as admin). Ignored without `session`. */
  role: Role;
  /** Query-string schemas (zod objects), merged in order */
  query: z.ZodType[];
  /** Descriptions for query parameters the zod schema does not describe itself */
  queryNotes?: Record<string, string>;
  body?: z.ZodType;
  /**
   * The body's validation errors answer 422 with the first precise reason its issues carry (e.g.
   * `event_name_not_allowed`), else this code, and a message naming each field; without it, 422 `unprocessable`.
   */
  invalidBodyReason?: string;
  /** Document the body's field types from this schema instead (e.g. a PATCH validated after merging) */
  bodyTypesFrom?: z.ZodType;
  bodyNotes?: Record<string, string>;
  bodyExample?: unknown;
  responses: SuccessResponse[];
  /** Errors beyond the standard ones (401/403/404/422… are added from auth, role, path and inputs) */
  errors: ErrorSpec[];
  /** Standard error codes this operation never answers (e.g. its 422s always carry a precise reason) */
  omitStandardErrors?: string[];
  /** Path parameters (default: every `{name}` in the path is a UUID); a value that does not parse is a 404 */
  params: z.ZodObject;
  /** Runs the operation: returns the body of the first success response, a reply(status, body), or a Response */
  handler: AnyHandler;
};

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type QueryOf<Qs extends readonly z.ZodType[]> = [Qs[number]] extends [never] ? Record<string, never> : UnionToIntersection<z.output<Qs[number]>>;
/** A value whose JSON is of type T: a Date stands where its ISO string is expected. */
type Serializable<T> = T extends string
  ? T | Date
  : T extends readonly (infer U)[]
    ? Serializable<U>[]
    : T extends object
      ? { [K in keyof T]: Serializable<T[K]> }
      : T;
type BodyOf<Rs extends readonly SuccessResponse[]> = Rs[number] extends infer R
  ? R extends { schema: infer S extends z.ZodType }
    ? Serializable<z.input<S>>
    : never
  : never;
/** `{id}` and `{revision}` of "/api/v1/templates/{id}/revisions/{revision}/restore" */
type PathParamNames<S extends string> = S extends `${string}{${infer N}}${infer Rest}` ? N | PathParamNames<Rest> : never;
type ParamsOf<P, Path extends string> = P extends z.ZodType ? z.output<P> : { [K in PathParamNames<Path>]: string };

export type OperationInput<
  Path extends string,
  Rs extends readonly SuccessResponse[],
  P extends z.ZodObject | undefined,
  Qs extends readonly z.ZodType[],
  B extends z.ZodType | undefined,
> = Omit<ApiOperation, "path" | "auth" | "role" | "query" | "errors" | "params" | "handler" | "responses" | "body"> &
  Partial<Pick<ApiOperation, "auth" | "role" | "errors">> & {
    path: Path;
    responses: Rs;
    params?: P;
    query?: Qs;
    body?: B;
    handler: (
      ctx: HandlerContext<ParamsOf<P, Path>, QueryOf<Qs>, B extends z.ZodType ? z.output<B> : undefined>,
    ) => Promise<BodyOf<Rs> | Reply<BodyOf<Rs>> | Response>;
  };

/** Path parameters as the path names them, each a UUID. */
export function uuidParams(path: string): z.ZodObject {
  return z.object(Object.fromEntries(pathParams(path).map((name) => [name, z.uuid().meta({ description: ID_PARAM_DESCRIPTION })])));
}

export const ID_PARAM_DESCRIPTION = "A UUID; an unknown id, another workspace's id or anything that is not a UUID answers 404";

/** One operation, with the defaults filled in; the handler's answers are typed by the response schemas. */
export function defineOperation<
  const Path extends string,
  const Rs extends readonly SuccessResponse[],
  P extends z.ZodObject | undefined = undefined,
  const Qs extends readonly z.ZodType[] = [],
  B extends z.ZodType | undefined = undefined,
>(input: OperationInput<Path, Rs, P, Qs, B>): ApiOperation {
  const params = input.params ?? uuidParams(input.path);
  const declared = Object.keys(params.shape).sort().join(",");
  if (declared !== [...pathParams(input.path)].sort().join(","))
    throw new Error(`${input.operationId}: params (${declared}) do not match the path ${input.path}`);
  return {
    auth: API_KEY_OR_SESSION,
    role: "marketer",
    errors: [],
    ...input,
    responses: [...input.responses],
    query: [...(input.query ?? [])],
    params,
    handler: input.handler as AnyHandler,
  };
}

export const pathParams = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);

/** The errors an operation answers because of how it is called: auth, role, an id in the path, its inputs. */
export function standardErrors(op: ApiOperation): ErrorSpec[] {
  const errors: ErrorSpec[] = [];
  const hasCursor = op.query.some((q) => "shape" in q && typeof q.shape === "object" && q.shape !== null && "cursor" in q.shape);
  if (op.body) {
    errors.push({ status: 400, code: "bad_request", message: "The request body is not valid JSON" });
    errors.push({ status: 413, code: "payload_too_large", message: "The body is larger than 1 MiB" });
  }
  if (op.auth.length > 0) {
    errors.push({ status: 401, code: "unauthorized", message: "The API key is not valid or has been revoked" });
  }
  if (op.auth.includes("session") && ROLE_RANK[op.role] > ROLE_RANK.marketer) {
    errors.push({ status: 403, code: "forbidden", message: `This needs the ${op.role} role or higher` });
  }
  if (op.auth.includes("session")) {
    errors.push({ status: 403, code: "password_change_required", message: "An admin set your password: choose your own on your Account page first" });
  }
  if (pathParams(op.path).length > 0) {
    errors.push({ status: 404, code: "not_found", message: "Not found" });
  }
  if (hasCursor) {
    errors.push({
      status: 422,
      code: "invalid_cursor",
      message: "The cursor is not valid; start again from the first page.",
      details: { fieldErrors: { cursor: ["Not a cursor of this list"] } },
    });
  }
  if (op.body || op.query.length > 0) {
    errors.push({
      status: 422,
      code: "unprocessable",
      message: "The request is not valid",
      details: { formErrors: [], fieldErrors: { field: ["What is wrong with it"] } },
    });
  }
  errors.push({ status: 500, code: "internal", message: "Something went wrong on our side (request 7f1c…). The request id is in the server's log." });
  errors.push({ status: 503, code: "unavailable", message: "The database could not be reached; please retry" });
  return errors;
}

/** Standard and specific errors of an operation, grouped by status (specific ones first, no duplicate codes). */
export function operationErrors(op: ApiOperation): Map<ErrorStatus, ErrorSpec[]> {
  const byStatus = new Map<ErrorStatus, ErrorSpec[]>();
  const standard = standardErrors(op).filter((e) => !op.omitStandardErrors?.includes(e.code));
  for (const e of [...op.errors, ...standard]) {
    const list = byStatus.get(e.status) ?? [];
    if (!list.some((x) => x.code === e.code)) list.push(e);
    byStatus.set(e.status, list);
  }
  return new Map([...byStatus.entries()].sort(([a], [b]) => a - b));
}
