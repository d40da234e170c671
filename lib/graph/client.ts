// Meta's Graph API over keep-alive HTTP (lib/outbound-http.ts): one request shape, one failure shape (Graph's error verbatim, or a
// timeout / network failure), never a hang. The base URL is configurable so tests use a fake server.
import { z } from "zod";
import { type OutboundResponse, outboundRequest } from "@/lib/outbound-http";

export type GraphConfig = {
  base: string; // GRAPH_API_BASE, e.g. https://graph.facebook.com
  version: string; // GRAPH_API_VERSION, e.g. v24.0
  timeoutMs?: number;
};

export type GraphError = {
  kind: "graph";
  httpStatus: number;
  code: number | null;
  subcode: number | null;
  type: string | null;
  message: string;
  details: string | null;
  fbtraceId: string | null;
  /** Graph's error object exactly as it came (kept verbatim in logs marketers read) */
  raw?: Record<string, unknown>;
  /** from a Retry-After header */
  retryAfterMs?: number;
};
export type TransportError = { kind: "timeout" | "network" | "bad_response"; httpStatus?: number; message: string; retryAfterMs?: number };
export type GraphFailure = GraphError | TransportError;
export type GraphResult<T> = { ok: true; data: T } | { ok: false; error: GraphFailure };

export const DEFAULT_GRAPH_TIMEOUT_MS = 10_000;

const graphErrorBody = z.object({
  error: z.looseObject({
    message: z.string().optional(),
    type: z.string().optional(),
    code: z.coerce.number().optional(),
    error_subcode: z.coerce.number().optional(),
    error_data: z.looseObject({ details: z.string().optional() }).optional(),
    fbtrace_id: z.string().optional(),
  }),
});

function graphUrl(config: GraphConfig, path: string, query?: Record<string, string>): string {
  const url = new URL(`${config.base.replace(/\/+$/, "")}/${config.version}/${path.replace(/^\/+/, "")}`);
  for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
  return url.toString();
}

/** Retry-After as delay-seconds or an HTTP date → milliseconds from now (undefined when absent or unreadable). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function parseGraphError(httpStatus: number, body: unknown): GraphFailure {
  const parsed = graphErrorBody.safeParse(body);
  if (!parsed.success) {
    return { kind: "bad_response", httpStatus, message: `Graph API answered HTTP ${httpStatus} without an error object` };
  }
  const e = parsed.data.error;
  return {
    kind: "graph",
    httpStatus,
    code: e.code ?? null,
    subcode: e.error_subcode ?? null,
    type: e.type ?? null,
    message: e.message ?? `HTTP ${httpStatus}`,
    details: e.error_data?.details ?? null,
    fbtraceId: e.fbtrace_id ?? null,
    raw: e,
  };
}

/** Calls the Graph API and validates a successful body with `schema`. The token never appears in errors. */
export async function graphRequest<S extends z.ZodType>(
  config: GraphConfig,
  opts: { method?: "GET" | "POST" | "DELETE"; path: string; token: string; query?: Record<string, string>; body?: unknown; schema: S },
): Promise<GraphResult<z.output<S>>> {
  const timeoutMs = config.timeoutMs ?? DEFAULT_GRAPH_TIMEOUT_MS;
  let res: OutboundResponse;
  let body: unknown;
  try {
    res = await outboundRequest(graphUrl(config, opts.path, opts.query), {
      method: opts.method ?? "GET",
      headers: {
        authorization: `Bearer ${opts.token}`,
        accept: "application/json",
        ...(opts.body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      timeoutMs,
    });
  } catch (e) {
    return { ok: false, error: transportFailure(e, timeoutMs, "Meta's Graph API") };
  }
  try {
    body = res.text ? JSON.parse(res.text) : null;
  } catch {
    return {
      ok: false,
      error: { kind: "bad_response", httpStatus: res.status, message: `Graph API answered HTTP ${res.status} with a body that is not JSON` },
    };
  }
  if (res.status < 200 || res.status >= 300) {
    const retryAfter = res.headers["retry-after"];
    const retryAfterMs = parseRetryAfter(Array.isArray(retryAfter) ? (retryAfter[0] ?? null) : (retryAfter ?? null));
    const error = parseGraphError(res.status, body);
    return { ok: false, error: retryAfterMs === undefined ? error : { ...error, retryAfterMs } };
  }
  const parsed = opts.schema.safeParse(body);
  if (!parsed.success) {
    return {
      ok: false,
      error: { kind: "bad_response", httpStatus: res.status, message: `Graph API answered with an unexpected body: ${z.prettifyError(parsed.error)}` },
    };
  }
  return { ok: true, data: parsed.data };
}

/** A timeout or network failure in words (never including the URL: some providers put tokens in it). */
export function transportFailure(e: unknown, timeoutMs: number, who: string): TransportError {
  const name = (e as { name?: string })?.name;
  if (name === "TimeoutError" || name === "AbortError") {
    return { kind: "timeout", message: `${who} did not answer within ${Math.round(timeoutMs / 100) / 10} s` };
  }
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  const reason = cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e));
  return { kind: "network", message: `Could not reach ${who} (${reason})` };
}

const RATE_LIMIT_CODES = new Set([4, 17, 32, 613]);
const TEMPORARY_CODES = new Set([1, 2]); // "unknown error", "service temporarily unavailable"

/** Meta's rate limits: app/user/page limits and the 80000–80014 business-use-case ones. */
export function isGraphRateLimit(e: GraphFailure): boolean {
  return e.kind === "graph" && e.code !== null && (RATE_LIMIT_CODES.has(e.code) || (e.code >= 80000 && e.code <= 80014));
}

/** Worth another attempt: timeouts, network failures, 5xx, 429 and Meta's temporary and rate-limit codes. */
export function isTransientGraphFailure(e: GraphFailure): boolean {
  if (e.kind === "timeout" || e.kind === "network") return true;
  if ((e.httpStatus ?? 0) >= 500 || e.httpStatus === 429) return true;
  if (e.kind !== "graph" || e.code === null) return false;
  return TEMPORARY_CODES.has(e.code) || isGraphRateLimit(e);
}

/** One line with Meta's code, subcode, message and trace id, verbatim (or the transport failure). */
export function describeGraphFailure(e: GraphFailure): string {
  if (e.kind !== "graph") return e.message;
  return `Graph error ${e.code ?? `HTTP ${e.httpStatus}`}${e.subcode ? `/${e.subcode}` : ""}: ${e.message}${e.details ? ` (${e.details})` : ""}${e.fbtraceId ? ` [fbtrace_id ${e.fbtraceId}]` : ""}`;
}
