// Meta's Graph API over fetch: one request shape, one failure shape (Graph's error verbatim, or a
// timeout / network failure), never a hang. The base URL is configurable so tests use a fake server.
import { z } from "zod";

export type GraphConfig = {
  base: string; // GRAPH_API_BASE, e.g. https://graph.facebook.com
  version: string; // GRAPH_API_VERSION, e.g. v24.0
  timeoutMs?: number;
  fetch?: typeof fetch;
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
};
export type TransportError = { kind: "timeout" | "network" | "bad_response"; httpStatus?: number; message: string };
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
  };
}

/** Calls the Graph API and validates a successful body with `schema`. The token never appears in errors. */
export async function graphRequest<S extends z.ZodType>(
  config: GraphConfig,
  opts: { method?: "GET" | "POST" | "DELETE"; path: string; token: string; query?: Record<string, string>; body?: unknown; schema: S },
): Promise<GraphResult<z.output<S>>> {
  const timeoutMs = config.timeoutMs ?? DEFAULT_GRAPH_TIMEOUT_MS;
  const doFetch = config.fetch ?? fetch;
  let res: Response;
  let body: unknown;
  try {
    res = await doFetch(graphUrl(config, opts.path, opts.query), {
      method: opts.method ?? "GET",
      headers: {
        authorization: `Bearer ${opts.token}`,
        accept: "application/json",
        ...(opts.body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: AbortSignal.timeout(timeoutMs),
      cache: "no-store",
    });
    const text = await res.text();
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      return { ok: false, error: { kind: "bad_response", httpStatus: res.status, message: `Graph API answered HTTP ${res.status} with a body that is not JSON` } };
    }
  } catch (e) {
    return { ok: false, error: transportFailure(e, timeoutMs, "Meta's Graph API") };
  }
  if (!res.ok) return { ok: false, error: parseGraphError(res.status, body) };
  const parsed = opts.schema.safeParse(body);
  if (!parsed.success) {
    return { ok: false, error: { kind: "bad_response", httpStatus: res.status, message: `Graph API answered with an unexpected body: ${z.prettifyError(parsed.error)}` } };
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
