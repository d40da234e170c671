// One error class for expected failures, one code → HTTP status map, one JSON shape.
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

/**
 * The 422 of an endpoint with precise reasons: `code` is the first issue's `params.reason` (e.g.
 * `event_name_not_allowed`), else `fallbackReason`; the message names each field; `details` is zod's
 * flattened `{ formErrors, fieldErrors }`.
 */
export function preciseValidationError(issues: Issue[], details: unknown, fallbackReason: string): AppError {
  const reason = issues.map((i) => i.params?.reason).find((r): r is string => typeof r === "string") ?? fallbackReason;
  const message = issues
    .map((i) => (i.path.length > 0 && !i.message.startsWith(String(i.path[0])) ? `${i.path.join(".")}: ${i.message}` : i.message))
    .join("; ");
  return new AppError("unprocessable", message, details, reason);
}
