// One error class for expected failures, one code → HTTP status map, one JSON shape.
import { ZodError, z } from "zod";

export const ERROR_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unprocessable: 422,
  rate_limited: 429,
  provider_error: 502,
  unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  /** A more precise code for the JSON body (e.g. `event_too_old` with the status of `unprocessable`). */
  readonly reason?: string;

  constructor(code: ErrorCode, message: string, details?: unknown, reason?: string) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.details = details;
    this.reason = reason;
  }

  /** The code the client reads: the precise reason when there is one. */
  get publicCode(): string {
    return this.reason ?? this.code;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export type ErrorBody = { error: { code: string; message: string; details?: unknown } };

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

export const notFound = (what: string) => new AppError("not_found", `${what} not found`);

/** A validation issue as zod reports it: its path, its message, and (custom issues) the precise reason. */
type Issue = { path: PropertyKey[]; message: string; params?: { reason?: unknown } };

/** Every issue in one sentence, each prefixed with its field unless its message already names it. */
export function issuesMessage(issues: Issue[]): string {
  return issues.map((i) => (i.path.length > 0 && !i.message.startsWith(String(i.path[0])) ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
}

/**
 * The 422 of an endpoint with precise reasons: `code` is the first issue's `params.reason` (e.g.
 * `event_name_not_allowed`), else `fallbackReason`; the message names each field; `details` is zod's
 * flattened `{ formErrors, fieldErrors }`.
 */
export function preciseValidationError(issues: Issue[], details: unknown, fallbackReason: string): AppError {
  const reason = issues.map((i) => i.params?.reason).find((r): r is string => typeof r === "string") ?? fallbackReason;
  return new AppError("unprocessable", issuesMessage(issues), details, reason);
}

/** Parses with zod; a refusal throws the precise 422 (preciseValidationError). */
export function parseWithReasons<S extends z.ZodType>(schema: S, raw: unknown, fallbackReason = "invalid_request"): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw preciseValidationError(parsed.error.issues, z.flattenError(parsed.error), fallbackReason);
}

export type DescribedError = { status: number; code: string; message: string; details?: unknown };

/**
 * Any thrown value as an API error: validation errors 422 (with zod's flattened details), our AppErrors
 * with their status and code, anything else a 500 with a request id that the log line carries. 5xx are
 * logged (`where` names the API). `validationMessage` words a validation error's message.
 */
export function describeError(e: unknown, where: string, validationMessage: (issues: Issue[]) => string): DescribedError {
  if (e instanceof ZodError) return { status: 422, code: "unprocessable", message: validationMessage(e.issues), details: z.flattenError(e) };
  if (e instanceof AppError) {
    if (e.status >= 500) console.error(`[clicktrail] ${where}${e.publicCode}: ${e.message}`, e.details ?? "");
    return { status: e.status, code: e.publicCode, message: e.message, details: e.details };
  }
  const requestId = crypto.randomUUID();
  console.error(`[clicktrail] unhandled error ${where}(request ${requestId})`, e);
  return { status: 500, code: "internal", message: `Something went wrong on our side (request ${requestId}).` };
}
