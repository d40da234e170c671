// Runs declared /api/v1 operations as Next route handlers: one place for authentication, the role check,
// path/query/body parsing, the JSON error shape, 405 with `Allow` for the methods a path does not have,
// and the test suites' contract check (every answer is validated against the OpenAPI document).
import { ZodError, z } from "zod";
import { getDb } from "@/db/client";
import { type ApiPrincipal, requireApiPrincipal } from "@/lib/auth";
import { safeEqual } from "@/lib/crypto";
import { getEnv } from "@/lib/env";
import { AppError, preciseValidationError } from "@/lib/errors";
import { bearerToken, jsonError, readJson, searchParamsObject, toErrorResponse } from "@/lib/http";
import { type ApiOperation, type HandlerContext, type HttpMethod, HTTP_METHODS, isReply, runHandler } from "@/lib/openapi/registry";

type RouteContext = { params: Promise<Record<string, string | string[]>> };
export type RouteHandler = (req: Request, ctx: RouteContext) => Promise<Response>;
type MethodName = Uppercase<HttpMethod>;

/**
 * Test suites observe every answer (test/api-contract.ts validates it against the document). Production
 * never sets it.
 */
export type ApiObserver = (op: ApiOperation, req: Request, res: Response) => void;
const observed = globalThis as unknown as { __clicktrailApiObserver?: ApiObserver };
export function setApiObserver(observer: ApiObserver | undefined): void {
  observed.__clicktrailApiObserver = observer;
}

const noPrincipal = (op: ApiOperation) => () => {
  throw new Error(`${op.operationId} has no authentication: its handler cannot read the caller`);
};

/** Connection-level database failures: the request may succeed again shortly (503), not our bug (500). */
export function isDatabaseUnavailable(e: unknown): boolean {
  for (let cur: unknown = e, i = 0; cur && i < 5; cur = (cur as { cause?: unknown }).cause, i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code !== "string") continue;
    if (
      ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "CONNECT_TIMEOUT", "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED"].includes(
        code,
      )
    )
      return true;
    // admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections
    if (["57P01", "57P02", "57P03", "53300"].includes(code)) return true;
  }
  return false;
}

const noDatabase = (op: ApiOperation) => () => {
  throw new Error(`${op.operationId} has no authentication, so it is given no database`);
};

type Caller = { principal: ApiPrincipal | null; viaCronSecret: boolean };

async function authenticate(op: ApiOperation, req: Request): Promise<Caller> {
  if (op.auth.length === 0) return { principal: null, viaCronSecret: false };
  if (op.auth.includes("cronSecret")) {
    const token = bearerToken(req.headers.get("authorization"));
    if (token && safeEqual(token, getEnv().CRON_SECRET)) return { principal: null, viaCronSecret: true };
  }
  return { principal: await requireApiPrincipal(req, { role: op.role }), viaCronSecret: false };
}

async function parseParams(op: ApiOperation, ctx: RouteContext | undefined): Promise<Record<string, unknown>> {
  const parsed = op.params.safeParse((await ctx?.params) ?? {});
  // a path segment that cannot name anything is a 404, like an id of another workspace
  if (!parsed.success) throw new AppError("not_found", "Not found");
  return parsed.data;
}

function parseQuery(op: ApiOperation, req: Request): Record<string, unknown> {
  const raw = searchParamsObject(new URL(req.url).searchParams);
  const query: Record<string, unknown> = {};
  const issues: ZodError["issues"] = [];
  for (const schema of op.query) {
    const parsed = schema.safeParse(raw);
    if (parsed.success) Object.assign(query, parsed.data);
    else issues.push(...parsed.error.issues);
  }
  if (issues.length > 0) throw new ZodError(issues);
  return query;
}

function parseBody(op: ApiOperation, schema: z.ZodType, raw: unknown): unknown {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  if (op.invalidBodyReason) throw preciseValidationError(parsed.error.issues, z.flattenError(parsed.error), op.invalidBodyReason);
  throw parsed.error;
}

/** The Response for what a handler returned: a Response as it is, a reply(), or the first success status. */
function toResponse(op: ApiOperation, result: unknown): Response {
  if (result instanceof Response) return result;
  if (isReply(result)) return Response.json(result.body, { status: result.status, headers: result.headers });
  const status = op.responses[0]?.status ?? 200;
  return Response.json(result, { status });
}

/** The route handler of one operation. */
export function handlerOf(op: ApiOperation): RouteHandler {
  return async (req, routeCtx) => {
    let res: Response;
    try {
      const { principal, viaCronSecret } = await authenticate(op, req);
      const params = await parseParams(op, routeCtx);
      const query = parseQuery(op, req);
      const body = op.body ? parseBody(op, op.body, await readJson(req)) : undefined;
      // an operation without authentication (the document) needs no database, and answers without one
      const db = op.auth.length > 0 ? await getDb() : undefined;
      const ctx = { req, params, query, body, viaCronSecret } as HandlerContext;
      Object.defineProperties(ctx, {
        db: db ? { value: db, enumerable: true } : { get: noDatabase(op) },
        principal: principal ? { value: principal, enumerable: true } : { get: noPrincipal(op) },
        tenantId: principal ? { value: principal.tenantId, enumerable: true } : { get: noPrincipal(op) },
      });
      res = toResponse(op, await runHandler(op, ctx));
    } catch (e) {
      // Next's redirect()/notFound() interrupts must keep propagating
      if (e instanceof Error && typeof (e as { digest?: unknown }).digest === "string") throw e;
      res = isDatabaseUnavailable(e) ? databaseUnavailable(e) : toErrorResponse(e);
    }
    observed.__clicktrailApiObserver?.(op, req, res);
    return res;
  };
}

function databaseUnavailable(e: unknown): Response {
  console.error("[clicktrail] the database could not be reached", e);
  return jsonError(503, "unavailable", "The database could not be reached; please retry", undefined, { "retry-after": "5" });
}

/** 405 with `Allow` and the JSON error shape, for a method the path does not have. */
export function methodNotAllowed(method: string, allowed: string[]): Response {
  return jsonError(405, "method_not_allowed", `${method} is not allowed here; use ${allowed.join(", ")}`, { allowed }, { allow: allowed.join(", ") });
}

/**
 * Every method of a route file: the declared operations (all of one path), 405 for the others, and
 * OPTIONS naming what is allowed. `export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serve(a, b)`.
 */
export function serve(...ops: ApiOperation[]): Record<MethodName | "OPTIONS", RouteHandler> {
  const paths = new Set(ops.map((op) => op.path));
  if (ops.length === 0 || paths.size !== 1) throw new Error(`serve() takes the operations of one path, got ${[...paths].join(", ") || "none"}`);
  const allowed = ops.map((op) => op.method.toUpperCase());
  if (new Set(allowed).size !== allowed.length) throw new Error(`serve(): ${[...paths][0]} declares a method twice`);
  if (allowed.includes("GET")) allowed.push("HEAD");
  const handlers = {} as Record<MethodName | "OPTIONS", RouteHandler>;
  for (const method of HTTP_METHODS) {
    const op = ops.find((o) => o.method === method);
    const name = method.toUpperCase() as MethodName;
    handlers[name] = op ? Object.assign(handlerOf(op), { operation: op }) : async (req) => methodNotAllowed(req.method, allowed);
  }
  handlers.OPTIONS = async () => new Response(null, { status: 204, headers: { allow: [...allowed, "OPTIONS"].join(", ") } });
  return handlers;
}

/** The operation a route handler runs (for the coverage test), if it runs one. */
export const operationOf = (handler: unknown): ApiOperation | undefined => (handler as { operation?: ApiOperation } | undefined)?.operation;

/** Every method of a path that names no operation: the JSON 404 (the catch-all route under /api/v1). */
export function notFoundEverywhere(): Record<MethodName | "OPTIONS", RouteHandler> {
  const handler: RouteHandler = async (req) =>
    jsonError(404, "not_found", `No operation at ${req.method} ${new URL(req.url).pathname}; the operations are listed at /api/v1/openapi.json`);
  return { GET: handler, POST: handler, PUT: handler, PATCH: handler, DELETE: handler, OPTIONS: handler };
}
