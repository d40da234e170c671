// Meta's Graph API, played on loopback: phone numbers with their tokens, and Graph's error envelope.
import { type FakeResponse, type FakeServer, startFakeServer } from "./http-fake";

export type FakePhoneNumber = {
  id: string;
  token: string;
  display_phone_number: string;
  verified_name?: string;
  quality_rating?: string;
  code_verification_status?: string;
  messaging_limit_tier?: string;
  /** answer this late (for timeout tests) */
  delayMs?: number;
};

export type FakeGraph = FakeServer & {
  addPhoneNumber(n: FakePhoneNumber): void;
  /** Answer every request for this object id with a Graph error. */
  failObject(id: string, error: { status: number; code: number; message: string; subcode?: number; type?: string }): void;
};

let trace = 0;
export function graphError(status: number, code: number, message: string, extra: { subcode?: number; type?: string } = {}): FakeResponse {
  return {
    status,
    json: {
      error: {
        message,
        type: extra.type ?? "OAuthException",
        code,
        ...(extra.subcode ? { error_subcode: extra.subcode } : {}),
        fbtrace_id: `AFakeTrace${(++trace).toString().padStart(4, "0")}`,
      },
    },
  };
}

export const expiredToken = () =>
  graphError(401, 190, "Error validating access token: Session has expired on Friday, 20-Nov-26 10:00:00 PST.", { subcode: 463 });

export function bearer(headers: Record<string, string | string[] | undefined>): string | null {
  const auth = headers.authorization;
  const m = typeof auth === "string" ? auth.match(/^Bearer (.+)$/) : null;
  return m?.[1] ?? null;
}

export async function startFakeGraph(opts: { port?: number } = {}): Promise<FakeGraph> {
  const server = await startFakeServer(opts);
  const numbers = new Map<string, FakePhoneNumber>();
  const failures = new Map<string, FakeResponse>();

  server.on("GET", /^\/v\d+\.\d+\/(\d+)$/, (req, match) => {
    const id = match[1]!;
    const failure = failures.get(id);
    if (failure) return failure;
    const n = numbers.get(id);
    if (!n) {
      return graphError(
        400,
        100,
        `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
        { subcode: 33, type: "GraphMethodException" },
      );
    }
    if (bearer(req.headers) !== n.token) return { ...expiredToken(), delayMs: n.delayMs };
    const fields = (req.query.get("fields") ?? "display_phone_number,verified_name,quality_rating").split(",");
    const { token: _t, delayMs, ...data } = n;
    const body: Record<string, unknown> = { id: n.id };
    for (const f of fields) if (f in data) body[f] = data[f as keyof typeof data];
    return { json: body, delayMs };
  });

  return {
    ...server,
    addPhoneNumber: (n) => void numbers.set(n.id, n),
    failObject: (id, e) => void failures.set(id, graphError(e.status, e.code, e.message, { subcode: e.subcode, type: e.type })),
  };
}
