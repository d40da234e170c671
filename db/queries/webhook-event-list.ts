// webhook_events as the console and /api/v1/webhook-events read them: strictly the tenant's own rows
// (tenant_id = caller; events no tenant owns yet are visible to nobody here), the list without raw bodies.
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { type WEBHOOK_PROVIDERS, type WEBHOOK_STATUSES, webhookEvents, whatsappNumbers } from "../schema";
import { type Cursor, beforeCursor, takeFirstOrNull, newestFirst } from "./keyset";

export type WebhookEventListFilters = {
  tenantId: string;
  status?: (typeof WEBHOOK_STATUSES)[number];
  provider?: (typeof WEBHOOK_PROVIDERS)[number];
  numberId?: string;
  cursor?: Cursor;
  limit: number;
};

// Cheap facts read from the raw text without parsing it (regular expressions stop at the first match).
const summaryColumns = {
  bodyBytes: sql<number>`octet_length(${webhookEvents.rawBody})`.mapWith(Number),
  changeField: sql<string | null>`substring(${webhookEvents.rawBody} from '"field"\\s*:\\s*"([A-Za-z_]+)"')`,
  gupshupType: sql<string | null>`substring(${webhookEvents.rawBody} from '"type"\\s*:\\s*"(message-event|user-event|billing-event|message)"')`,
  hasMessages: sql<boolean>`(${webhookEvents.rawBody} ~ '"messages"\\s*:\\s*\\[')`.mapWith(Boolean),
  hasStatuses: sql<boolean>`(${webhookEvents.rawBody} ~ '"statuses"\\s*:\\s*\\[')`.mapWith(Boolean),
};

const numberColumns = { numberLabel: whatsappNumbers.label, numberPhone: whatsappNumbers.phoneE164 };

const listColumns = {
  id: webhookEvents.id,
  provider: webhookEvents.provider,
  receivedAt: webhookEvents.receivedAt,
  status: webhookEvents.status,
  signatureResult: webhookEvents.signatureResult,
  error: webhookEvents.error,
  attempts: webhookEvents.attempts,
  processedAt: webhookEvents.processedAt,
  numberId: webhookEvents.numberId,
  routedPhoneNumberIds: webhookEvents.routedPhoneNumberIds,
  ...numberColumns,
  ...summaryColumns,
};

/** The number an event belongs to, only when it is the same tenant's (never another tenant's label). */
const ownNumber = and(eq(whatsappNumbers.id, webhookEvents.numberId), eq(whatsappNumbers.tenantId, webhookEvents.tenantId));

/** Keyset page (limit + 1 rows) of the tenant's events, newest first; served by webhook_events_tenant_received_idx. */
export async function listTenantWebhookEventSummaries(db: Db, f: WebhookEventListFilters) {
  return db
    .select(listColumns)
    .from(webhookEvents)
    .leftJoin(whatsappNumbers, ownNumber)
    .where(
      and(
        eq(webhookEvents.tenantId, f.tenantId),
        f.status ? eq(webhookEvents.status, f.status) : undefined,
        f.provider ? eq(webhookEvents.provider, f.provider) : undefined,
        f.numberId ? eq(webhookEvents.numberId, f.numberId) : undefined,
        beforeCursor(webhookEvents.receivedAt, webhookEvents.id, f.cursor),
      ),
    )
    .orderBy(...newestFirst(webhookEvents.receivedAt, webhookEvents.id))
    .limit(f.limit + 1);
}

export type WebhookEventSummaryRow = Awaited<ReturnType<typeof listTenantWebhookEventSummaries>>[number];

/** One event of the tenant with its raw body and headers, or null (another tenant's or an unowned event). */
export async function getTenantWebhookEvent(db: Db, { tenantId, id }: { tenantId: string; id: string }) {
  return takeFirstOrNull(
    await db
      .select({ event: webhookEvents, ...numberColumns })
      .from(webhookEvents)
      .leftJoin(whatsappNumbers, ownNumber)
      .where(and(eq(webhookEvents.id, id), eq(webhookEvents.tenantId, tenantId)))
      .limit(1),
  );
}
