// Green API over lib/outbound-http.ts, only to Green's own hosts (or the operator's GREEN_API_HOSTS): the API
// URL is entered by a user, so every call is checked by lib/egress.ts (host allowed, every resolved address
// public, the socket connects to the checked address). Redirects are refused, answers are read up to 64 KiB,
// and what is kept of an answer is the few fields the console shows, never the whole body.
import { type EgressPolicy, type HostRule, checkEgressTarget, checkEgressUrl, guardedLookup, isEgressRefused } from "@/lib/egress";
import { outboundRequest } from "@/lib/outbound-http";
import { transportFailure } from "@/lib/graph/client";

/**
 * Green API's own hosts (specs/other-providers.md B.1): `https://api.green-api.com` in older docs and
 * instance hosts such as `https://7103.api.greenapi.com` in newer ones. HTTPS on port 443 only.
 */
export const GREEN_API_PROVIDER_HOSTS: readonly HostRule[] = [
  { host: "api.green-api.com", wildcard: false, port: null },
  { host: "api.green-api.com", wildcard: true, port: null },
  { host: "api.greenapi.com", wildcard: false, port: null },
  { host: "api.greenapi.com", wildcard: true, port: null },
];

export const GREEN_MAX_RESPONSE_BYTES = 64 * 1024;
export const GREEN_DEFAULT_TIMEOUT_MS = 10_000;
/** the longest text kept from a provider's answer */
export const SHOWN_TEXT_MAX = 500;

/** Green's hosts plus the operator's allowlist (GREEN_API_HOSTS); `resolve` only in tests. */
export function greenEgressPolicy(trusted: readonly HostRule[] = [], resolve?: EgressPolicy["resolve"]): EgressPolicy {
  return { provider: GREEN_API_PROVIDER_HOSTS, trusted, ...(resolve ? { resolve } : {}) };
}

export type GreenFailure = { kind: "refused" | "redirect" | "timeout" | "network"; message: string; httpStatus?: number };
export type GreenAnswer = { ok: true; status: number; body: unknown; truncated: boolean } | { ok: false; error: GreenFailure };

export const clip = (s: string, max = SHOWN_TEXT_MAX) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

const refusedMessage = (reason: string) =>
  `Green API URL refused: ${reason}. Use the API URL shown in the Green API console (https://api.green-api.com or https://<id>.api.greenapi.com)`;

/** Saving a number: refuses a Green API URL the server may not call (host not allowed, or a non-public address). */
export async function checkGreenApiUrl(apiUrl: string, policy: EgressPolicy): Promise<{ ok: true } | { ok: false; message: string }> {
  const verdict = await checkEgressTarget(apiUrl, policy);
  return verdict.ok ? { ok: true } : { ok: false, message: refusedMessage(verdict.reason) };
}

/** `{apiUrl}/waInstance{id}/{method}/{token}` (B.1). The token is in the path: never log or show this URL. */
export async function greenRequest(
  policy: EgressPolicy,
  opts: { apiUrl: string; instanceId: string; token: string; method: string; httpMethod?: "GET" | "POST"; body?: unknown; timeoutMs?: number },
): Promise<GreenAnswer> {
  const url = `${opts.apiUrl.replace(/\/+$/, "")}/waInstance${opts.instanceId}/${opts.method}/${opts.token}`;
  const verdict = checkEgressUrl(url, policy);
  if (!verdict.ok) return { ok: false, error: { kind: "refused", message: refusedMessage(verdict.reason) } };
  const timeoutMs = opts.timeoutMs ?? GREEN_DEFAULT_TIMEOUT_MS;
  let res;
  try {
    res = await outboundRequest(url, {
      method: opts.httpMethod ?? "GET",
      headers: { accept: "application/json", ...(opts.body === undefined ? {} : { "content-type": "application/json" }) },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      timeoutMs,
      maxBytes: GREEN_MAX_RESPONSE_BYTES,
      lookup: guardedLookup(policy, verdict.trusted),
    });
  } catch (e) {
    if (isEgressRefused(e)) {
      const cause = (e as { cause?: unknown }).cause;
      return {
        ok: false,
        error: { kind: "refused", message: refusedMessage(clip((cause instanceof Error ? cause : (e as Error)).message.replaceAll(opts.token, "•••"))) },
      };
    }
    const failure = transportFailure(e, timeoutMs, "Green API");
    return { ok: false, error: { kind: failure.kind === "timeout" ? "timeout" : "network", message: failure.message.replaceAll(opts.token, "•••") } };
  }
  if (res.status >= 300 && res.status < 400) {
    const message = `Green API answered with a redirect (HTTP ${res.status}), which is not followed: enter the API URL exactly as the Green API console shows it`;
    return { ok: false, error: { kind: "redirect", httpStatus: res.status, message } };
  }
  let body: unknown = null;
  try {
    body = res.text ? JSON.parse(res.text) : null;
  } catch {
    body = null;
  }
  return { ok: true, status: res.status, body, truncated: res.truncated };
}

/** The message of a Green API error answer (`{ "message": "…" }`), clipped; null when there is none. */
export function greenErrorMessage(body: unknown): string | null {
  const m = body && typeof body === "object" ? (body as Record<string, unknown>).message : undefined;
  return typeof m === "string" && m.trim() ? clip(m.trim()) : null;
}
