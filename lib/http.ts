// Transport helpers for route handlers: one JSON error shape, JSON body reading, bearer parsing.
import { after } from "next/server";
import { type ZodError, z } from "zod";
import { AppError, describeError, errorBody } from "./errors";

export const MAX_JSON_BYTES = 1024 * 1024;

export function jsonError(status: number, code: string, message: string, details?: unknown, headers?: Record<string, string>): Response {
  return Response.json(errorBody(code, message, details), { status, headers });
}

export function zodDetails(error: ZodError) {
  return z.flattenError(error);
}

/** Maps any thrown value to the JSON error response (logging only 5xx, with a request id). */
export function toErrorResponse(e: unknown): Response {
  const { status, code, message, details } = describeError(e, "", () => "The request is not valid");
  return jsonError(status, code, message, details);
}

type Handler<C> = (req: Request, ctx: C) => Promise<Response>;

export function withApiErrors<C>(handler: Handler<C>): Handler<C> {
  return async (req, ctx) => {
    try {
      return await handler(req, ctx);
    } catch (e) {
      // Next's redirect()/notFound() interrupts must keep propagating
      if (e instanceof Error && typeof (e as { digest?: unknown }).digest === "string") throw e;
      return toErrorResponse(e);
    }
  };
}

/** Reads a JSON body (size-capped); a body that is not JSON is a 400, not a 500. */
export async function readJson(req: Request): Promise<unknown> {
  let text: string;
  try {
    text = await req.text();
  } catch {
    // the client went away mid-body (a closed connection): nothing to answer, nothing to log as ours
    throw new AppError("bad_request", "The request body was not received completely");
  }
  if (Buffer.byteLength(text) > MAX_JSON_BYTES) throw new AppError("payload_too_large", "The body is larger than 1 MiB");
  if (text.trim() === "") throw new AppError("bad_request", "The request body is empty; send JSON");
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("bad_request", "The request body is not valid JSON");
  }
}

export function bearerToken(authorization: string | null): string | null {
  const match = authorization?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1] ?? null;
}

/** Reads `searchParams` into a plain object for zod (repeated keys become arrays). */
export function searchParamsObject(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    out[key] = all.length > 1 ? all : (all[0] as string);
  }
  return out;
}

export const uuidParamSchema = z.object({ id: z.uuid("Not a valid id") });

/** Route `params` with an id: a malformed id is a 404 (it cannot name anything), never a 500. */
export async function idParam(params: Promise<{ id: string }>): Promise<string> {
  const parsed = uuidParamSchema.safeParse(await params);
  if (!parsed.success) throw new AppError("not_found", "Not found");
  return parsed.data.id;
}

/**
 * A detail page's record by the id in its URL: null when the id is malformed or names nothing of this
 * tenant (the page answers 404), the loader's other errors propagate.
 */
export async function loadByIdOrNull<T>(rawId: string, load: (id: string) => Promise<T>): Promise<T | null> {
  const parsed = uuidParamSchema.safeParse({ id: rawId });
  if (!parsed.success) return null;
  try {
    return await load(parsed.data.id);
  } catch (e) {
    if (e instanceof AppError && e.code === "not_found") return null;
    throw e;
  }
}

/** Runs `task` after the response is sent (Next's after()); outside a request scope (tests, scripts) at once. */
export function afterResponse(task: () => Promise<unknown>): void {
  try {
    after(task);
  } catch {
    void task();
  }
}
