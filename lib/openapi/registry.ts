// The shape of one documented operation, and the errors every operation answers without saying so.
// Adding an endpoint to the docs is one `defineOperation({ … })` entry in operations.ts.
import type { z } from "zod";
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
  Attribution: "Conversations, conversions and value per campaign → ad set → ad.",
  Numbers: "Connected WhatsApp numbers (Meta Cloud API, Green API, Gupshup): connect, edit, test, datasets.",
  "Webhook events": "Stored deliveries from Meta and Gupshup, exactly as received, and replaying one.",
  Leads: "Leads from the website form or the console, the managers' call flow, and enrolling them in the drip.",
  Templates: "The drip's message templates with their revisions, per-segment variables and bound approved Meta templates.",
  Queue: "The drip queue: live figures, the list, and retrying or cancelling a message.",
  Workspace: "Who is calling, and the dashboard.",
  Users: "The workspace's users and their roles (admin).",
  "API keys": "Keys for server-to-server calls (admin). An API key acts as an admin of its workspace.",
  "Developer tools": "The simulator's set-up and this document.",
} as const;
export type Tag = keyof typeof TAGS;

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 502 | 503;

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
  /** Document the body's field types from this schema instead (e.g. a PATCH validated after merging) */
  bodyTypesFrom?: z.ZodType;
  bodyNotes?: Record<string, string>;
  bodyExample?: unknown;
  responses: SuccessResponse[];
  /** Errors beyond the standard ones (401/403/404/422… are added from auth, role, path and inputs) */
  errors: ErrorSpec[];
  /** Standard error codes this operation never answers (e.g. its 422s always carry a precise reason) */
  omitStandardErrors?: string[];
};

export type OperationInput = Omit<ApiOperation, "auth" | "role" | "query" | "errors"> &
  Partial<Pick<ApiOperation, "auth" | "role" | "query" | "errors">>;

/** One entry of the registry, with the defaults filled in. */
export function defineOperation(input: OperationInput): ApiOperation {
  return { auth: API_KEY_OR_SESSION, role: "marketer", query: [], errors: [], ...input };
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
  if (pathParams(op.path).length > 0) {
    errors.push({ status: 404, code: "not_found", message: "Not found" });
  }
  if (hasCursor) {
    errors.push({ status: 422, code: "invalid_cursor", message: "The cursor is not valid; start again from the first page.", details: { fieldErrors: { cursor: ["Not a cursor of this list"] } } });
  }
  if (op.body || op.query.length > 0) {
    errors.push({
      status: 422,
      code: "unprocessable",
      message: "The request is not valid",
      details: { formErrors: [], fieldErrors: { field: ["What is wrong with it"] } },
    });
  }
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
