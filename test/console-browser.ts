// A signed-in browser for tests that drive the console's real entry points (route handlers, server actions,
// requireUser) in-process: a real Auth.js session cookie (a JWT minted with AUTH_SECRET), plus the workspace
// the browser chose. The test file mocks next/headers to read `state.headers` and record cookies set into
// `state.set`; this module builds those requests.
import { encode } from "next-auth/jwt";

export const CONSOLE_APP = "http://console.test";
export const SESSION_COOKIE = "authjs.session-token";

export type SetCookie = { name: string; value: string; options: Record<string, unknown> };
export type RequestState = { headers: Headers; set: SetCookie[] };
/** A browser: its raw session cookie (as Auth.js set it) or one minted for uid at version sv, and its chosen workspace. */
export type Browser = { uid: string; sv?: number; token?: string; workspace?: string };
type Handler = (req: Request, ctx: never) => Promise<Response>;
/** A call's request: `id` fills the route's {id}; `query` is a query string ("?a=1" or "a=1", sent as written) or its pairs. */
export type CallOptions = {
  method?: string;
  id?: string;
  body?: unknown;
  bearer?: string;
  query?: string | Record<string, string> | URLSearchParams;
  /** Extra request headers, e.g. { "idempotency-key": key }; they win over the defaults. */
  headers?: Record<string, string>;
};

function queryString(query: CallOptions["query"]): string {
  if (query === undefined) return "";
  const s = typeof query === "string" ? query.replace(/^\?/, "") : new URLSearchParams(query).toString();
  return s ? `?${s}` : "";
}

/**
 * `J` types the answers' JSON for the test file (null when the body is empty, e.g. a 204): files that read deep into
 * answers pass a loose record type instead of narrowing every access.
 */
export function consoleBrowsers<J = Record<string, unknown> | null>(state: RequestState, secret: string) {
  async function cookieOf(b: Browser) {
    const token = b.token ?? (await encode({ token: { sub: b.uid, uid: b.uid, sv: b.sv ?? 0 }, secret, salt: SESSION_COOKIE }));
    const session = `${SESSION_COOKIE}=${token}`;
    return b.workspace === undefined ? session : `${session}; ct_workspace=${b.workspace}`;
  }

  /** Calls a /api/v1 route handler as browser `b` (same-origin JSON, as the console sends it), or with a bearer key. */
  async function call(handler: Handler, b: Browser | null, opts: CallOptions = {}): Promise<{ status: number; json: J }> {
    const headers = new Headers({ host: "console.test", "x-forwarded-proto": "http", "content-type": "application/json", origin: CONSOLE_APP });
    if (b) headers.set("cookie", await cookieOf(b));
    if (opts.bearer) headers.set("authorization", `Bearer ${opts.bearer}`);
    for (const [name, value] of Object.entries(opts.headers ?? {})) headers.set(name, value);
    state.headers = headers;
    // the handler is chosen by the test, so the path only shows in messages; the query string is what the route reads
    const res = await handler(
      new Request(`${CONSOLE_APP}/api/v1/x${queryString(opts.query)}`, {
        method: opts.method ?? "GET",
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      }),
      { params: Promise.resolve({ id: opts.id ?? "" }) } as never,
    );
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : null) as J };
  }

  /** Runs a server action (or a page's first step) as browser `b`: its result, the cookies it set, and the session cookie among them. */
  async function act<T>(b: Browser | null, run: () => Promise<T>) {
    state.headers = new Headers({ host: "console.test", "x-forwarded-proto": "http", origin: CONSOLE_APP, ...(b ? { cookie: await cookieOf(b) } : {}) });
    state.set = [];
    const result = await run();
    return { result, set: state.set, session: state.set.find((c) => c.name === SESSION_COOKIE && c.value)?.value };
  }

  return { cookieOf, call, act };
}
