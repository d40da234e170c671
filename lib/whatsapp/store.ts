// Storing a webhook request exactly as received: the first thing every webhook route does.
import type { Db } from "@/db/client";
import { type WebhookEventRow, insertWebhookEvent } from "@/db/queries";
import type { NewWebhookEvent } from "@/db/queries/webhook-events";
import type { SIGNATURE_RESULTS, WEBHOOK_PROVIDERS, WEBHOOK_STATUSES } from "@/db/schema";

const KEPT_HEADERS = ["content-type", "content-length", "user-agent", "x-hub-signature-256", "x-forwarded-for", "x-request-id"];

export type StoreWebhookEventInput = {
  provider: (typeof WEBHOOK_PROVIDERS)[number];
  rawBody: string;
  headers?: Headers | Record<string, string | string[] | undefined>;
  signatureResult: (typeof SIGNATURE_RESULTS)[number];
  routedPhoneNumberIds?: string[];
  tenantId?: string | null;
  numberId?: string | null;
  status?: (typeof WEBHOOK_STATUSES)[number];
  error?: string | null;
  receivedAt?: Date;
};

function keptHeaders(headers: StoreWebhookEventInput["headers"]): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const raw = headers instanceof Headers ? headers.get(name) : (headers?.[name] ?? headers?.[name.toUpperCase()]);
    const value = Array.isArray(raw) ? raw.join(", ") : raw;
    if (value) kept[name] = value.slice(0, 512);
  }
  return kept;
}

/**
 * Stores one webhook request body exactly as received (call this before any processing: nothing Meta sends is
 * lost). Postgres text cannot hold NUL characters, so those alone are replaced by U+FFFD and the event says so.
 */
export async function storeWebhookEvent(db: Db, input: StoreWebhookEventInput): Promise<WebhookEventRow> {
  return insertWebhookEvent(db, webhookEventValues(input));
}

/** The row storeWebhookEvent writes (exported for the group-commit writer). */
export function webhookEventValues(input: StoreWebhookEventInput): NewWebhookEvent {
  const hasNul = input.rawBody.includes("\u0000");
  return {
    provider: input.provider,
    rawBody: hasNul ? input.rawBody.replaceAll("\u0000", "\uFFFD") : input.rawBody,
    headers: keptHeaders(input.headers),
    signatureResult: input.signatureResult,
    routedPhoneNumberIds: input.routedPhoneNumberIds ?? [],
    tenantId: input.tenantId ?? null,
    numberId: input.numberId ?? null,
    status: input.status ?? "received",
    error: input.error ?? (hasNul ? "raw body contained NUL characters (stored as U+FFFD)" : null),
    ...(input.receivedAt ? { receivedAt: input.receivedAt } : {}),
  };
}
