// One attempt of one delivery: sign, POST through lib/outbound-http.ts under the webhook egress policy (public
// hosts only, or the operator's WEBHOOK_OUT_HOSTS; addresses checked after DNS; no redirects), read at most 1 KiB
// of the answer, and decide what happens next: 2xx succeeded; 5xx, 408, 429 (Retry-After honoured), timeouts and
// connection errors retried with backoff and jitter for about a day; any other answer failed at once.
import net from "node:net";
import { type EgressPolicy, type HostRule, type Resolve, checkEgressUrl, forbiddenAddressReason, guardedLookup, isEgressRefused } from "@/lib/egress";
import { openSecret } from "@/lib/crypto";
import { outboundRequest } from "@/lib/outbound-http";
import type { ClaimedDelivery, DeliveryOutcome } from "@/db/queries/webhooks-out";
import { webhookBody } from "./events";
import { EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, signatureHeader } from "./sign";

export const DELIVERY_TIMEOUT_MS = 10_000;
export const SNIPPET_MAX_BYTES = 1024;
/**
 * The wait after the n-th failed attempt (plus up to 20 % jitter): 25.6 h in all, so that a delivery still has an
 * attempt left when its endpoint has failed for 24 h (it is then switched off, and the delivery waits for it).
 */
export const RETRY_SCHEDULE_MS = [10_000, 60_000, 5 * 60_000, 30 * 60_000, 3_600_000, 2 * 3_600_000, 4 * 3_600_000, 8 * 3_600_000, 10 * 3_600_000];
export const MAX_ATTEMPTS = RETRY_SCHEDULE_MS.length + 1;
const MAX_RETRY_AFTER_MS = 8 * 3_600_000;

/** Where deliveries may go: public hosts over HTTPS (any port), plus the operator's WEBHOOK_OUT_HOSTS (http too, any address). */
export type WebhookEgress = { trusted: readonly HostRule[]; resolve?: Resolve };

const isTrusted = (url: string, egress: WebhookEgress) => checkEgressUrl(url, { provider: [], trusted: egress.trusted }).ok;

/** The policy the socket's lookup applies: the URL's own host is allowed by name, and every address it resolves to must be public. */
export function webhookEgressPolicy(url: string, egress: WebhookEgress): EgressPolicy {
  let host = "";
  try {
    host = new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, "");
  } catch {
    // webhookUrlRefusal says why
  }
  return { provider: host ? [{ host, wildcard: false, port: null }] : [], trusted: egress.trusted, ...(egress.resolve ? { resolve: egress.resolve } : {}) };
}

/**
 * Why a URL may not be called, before any connection (the same rules as saving an endpoint: https, no credentials,
 * no private address literal or localhost, unless the operator lists the host); null when it may. The addresses a
 * name resolves to are checked by the socket's lookup, at every connection.
 */
export function webhookUrlRefusal(raw: string, egress: WebhookEgress): string | null {
  if (isTrusted(raw, egress)) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "the URL cannot be read";
  }
  if (url.protocol !== "https:") return "only https URLs are allowed (the server's operator can allow an http host in WEBHOOK_OUT_HOSTS)";
  if (url.username || url.password) return "the URL cannot contain a user name or password";
  const host = url.hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "");
  if (net.isIP(host) !== 0) {
    const why = forbiddenAddressReason(host);
    return why ? `${host} is ${why}` : null;
  }
  if (host === "localhost" || host.endsWith(".localhost")) return `${host} is a loopback address`;
  return null;
}

export type DeliverDeps = { encryptionKey: string; egress: WebhookEgress; timeoutMs?: number; random?: () => number };

/** Retry-After as seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now: Date): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return null;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}

/** The wait before attempt n+1 after n failed attempts, plus up to 20 % jitter (so a recovering endpoint is not hit at once by all). */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const base = RETRY_SCHEDULE_MS[Math.min(attempts, RETRY_SCHEDULE_MS.length) - 1] ?? RETRY_SCHEDULE_MS[0]!;
  return Math.round(base * (1 + 0.2 * random()));
}

/** The secrets to sign with: the current one, and the previous one while it is still valid. */
export function signingSecrets(d: Pick<ClaimedDelivery, "secretEnc" | "previousSecretEnc" | "previousSecretExpiresAt">, key: string, now: Date): string[] {
  const current = openSecret(d.secretEnc, key);
  const previous = d.previousSecretExpiresAt && d.previousSecretExpiresAt.getTime() > now.getTime() ? openSecret(d.previousSecretEnc, key) : null;
  return [current, previous].filter((s): s is string => s !== null);
}

type Result = Pick<DeliveryOutcome, "statusCode" | "snippet" | "error" | "status" | "nextAttemptAt" | "gaveUp"> & { latencyMs: number };

function retryOrFail(d: ClaimedDelivery, now: Date, deps: DeliverDeps, fields: Omit<Result, "status" | "nextAttemptAt">, waitMs?: number | null): Result {
  if (d.attempts >= MAX_ATTEMPTS) return { ...fields, status: "failed", nextAttemptAt: null, gaveUp: true };
  const wait = waitMs != null ? Math.min(Math.max(waitMs, 1000), MAX_RETRY_AFTER_MS) : backoffMs(d.attempts, deps.random);
  return { ...fields, status: "pending", nextAttemptAt: new Date(now.getTime() + wait) };
}

/** Posts one claimed delivery and says what it came to (never throws). */
export async function deliverOnce(d: ClaimedDelivery, deps: DeliverDeps, now: () => Date): Promise<Result> {
  const started = now();
  const refusal = webhookUrlRefusal(d.url, deps.egress);
  if (refusal) return { statusCode: null, snippet: null, error: `refused: ${refusal}`, status: "failed", nextAttemptAt: null, latencyMs: 0 };
  const secrets = signingSecrets(d, deps.encryptionKey, started);
  if (secrets.length === 0) {
    const fields = {
      statusCode: null,
      snippet: null,
      error: "The endpoint's signing secret cannot be read (was ENCRYPTION_KEY changed?): rotate it",
      latencyMs: 0,
    };
    return retryOrFail(d, started, deps, fields);
  }
  const body = webhookBody({ id: d.eventId, type: d.type, createdAt: d.createdAt, tenantId: d.tenantId, data: d.data });
  const policy = webhookEgressPolicy(d.url, deps.egress);
  const t0 = performance.now();
  try {
    const res = await outboundRequest(d.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "Clicktrail-Webhooks/1.0",
        [SIGNATURE_HEADER]: signatureHeader(secrets, Math.floor(started.getTime() / 1000), body),
        [EVENT_ID_HEADER]: d.eventId,
        [EVENT_TYPE_HEADER]: d.type,
      },
      body,
      timeoutMs: deps.timeoutMs ?? DELIVERY_TIMEOUT_MS,
      maxBytes: SNIPPET_MAX_BYTES,
      lookup: guardedLookup(policy, isTrusted(d.url, deps.egress)),
    });
    const latencyMs = performance.now() - t0;
    const snippet = res.text.length > 0 ? res.text : null;
    const fields = { statusCode: res.status, snippet, error: null, latencyMs };
    if (res.status >= 200 && res.status < 300) return { ...fields, status: "succeeded", nextAttemptAt: null };
    if (res.status >= 500 || res.status === 408 || res.status === 429) {
      return retryOrFail(d, now(), deps, { ...fields, error: `HTTP ${res.status}` }, retryAfterMs(res.headers["retry-after"], now()));
    }
    const why = res.status >= 300 && res.status < 400 ? `HTTP ${res.status}: redirects are not followed (use the final URL)` : `HTTP ${res.status}`;
    return { ...fields, error: why, status: "failed", nextAttemptAt: null };
  } catch (e) {
    const latencyMs = performance.now() - t0;
    const err = e as Error & { cause?: { code?: string } };
    const message = isEgressRefused(e)
      ? `refused: ${err.message}`
      : err.name === "TimeoutError"
        ? `timeout: no answer within ${deps.timeoutMs ?? DELIVERY_TIMEOUT_MS} ms`
        : `connection failed: ${err.cause?.code ?? ""} ${err.message}`.replace(/\s+/g, " ").trim();
    return retryOrFail(d, now(), deps, { statusCode: null, snippet: null, error: message.slice(0, 500), latencyMs });
  }
}
