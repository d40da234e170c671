// The new-lead message in the managers' chat: name, phone, segment, source and the ad the lead's subscriber first
// came from, with a 📞 Called button. Sent once per lead (telegram_lead_messages is unique per lead): the lead's
// request queues a job and runs it at once in the background; the jobs queue runs it when that never happened.
// Nothing here can slow or fail the lead's creation.
import { z } from "zod";
import type { Db } from "@/db/client";
import { getLeadNoticeFields, getTelegramNoticeTarget, insertTelegramLeadMessage, setTelegramLeadMessageId, updateTelegramBot } from "@/db/queries/telegram";
import { openSecret } from "@/lib/crypto";
import { enqueueJob, type JobHandler, runJobNow } from "@/lib/jobs/queue";
import { formatPhone } from "@/lib/phone";
import { escapeHtml, type InlineKeyboard, sendTelegramMessage, type TelegramDeps, type TelegramFailure } from "./client";

export const TELEGRAM_LEAD_JOB = "telegram_new_lead";
/** the job's due time when the request's own run never happened */
const JOB_DELAY_MS = 60_000;

export type LeadNoticeFields = NonNullable<Awaited<ReturnType<typeof getLeadNoticeFields>>>;

/** The lead part of the message (HTML, every value escaped). */
export function leadNoticeText(lead: LeadNoticeFields): string {
  const lines = [`🆕 <b>New lead</b>`, `👤 ${escapeHtml(lead.name)}`, `📱 ${escapeHtml(formatPhone(lead.phone))}`];
  if (lead.segment) lines.push(`🏷 Segment: ${escapeHtml(lead.segment)}`);
  if (lead.source) lines.push(`🌐 Source: ${escapeHtml(lead.source)}`);
  const ad = lead.adName ?? (lead.adId ? `ad ${lead.adId}` : null);
  if (ad) lines.push(`📣 Ad: ${escapeHtml(ad)}${lead.campaignName ? ` · Campaign: ${escapeHtml(lead.campaignName)}` : ""}`);
  return lines.join("\n");
}

/** callback_data is at most 64 bytes: a one-letter action and the message row's id (38 bytes). */
export const callbackData = (action: "c" | "y" | "n" | "a", messageRowId: string) => `${action}:${messageRowId}`;

export const calledKeyboard = (rowId: string): InlineKeyboard => ({ inline_keyboard: [[{ text: "📞 Called", callback_data: callbackData("c", rowId) }]] });

export type NewLeadNoticeResult = { sent: string } | { skipped: "no_bot" | "no_lead" | "already_sent" | "token_unreadable" } | { failed: TelegramFailure };

/**
 * Sends the lead's message to the workspace's chat, once: a lead that already has its message sends nothing.
 * Skips when the workspace has no bot, no linked chat or the new-lead notice off. A Telegram failure is kept on
 * the bot (lastError, shown on its card) and returned, never thrown.
 */
export async function notifyNewLead(
  db: Db,
  deps: TelegramDeps,
  { tenantId, leadId, now = new Date() }: { tenantId: string; leadId: string; now?: Date },
): Promise<NewLeadNoticeResult> {
  const target = await getTelegramNoticeTarget(db, { tenantId, notice: "notifyNewLead" });
  if (!target) return { skipped: "no_bot" };
  const token = openSecret(target.tokenEnc, deps.encryptionKey);
  if (!token) {
    await updateTelegramBot(db, { tenantId }, { lastError: "The bot token cannot be read (ENCRYPTION_KEY changed?): connect the bot again", updatedAt: now });
    return { skipped: "token_unreadable" };
  }
  const lead = await getLeadNoticeFields(db, { tenantId, leadId });
  if (!lead) return { skipped: "no_lead" };
  const { row } = await insertTelegramLeadMessage(db, { tenantId, leadId, chatId: target.chatId, now });
  if (row.messageId) return { skipped: "already_sent" };
  const sent = await sendTelegramMessage(deps, token, { chatId: row.chatId, text: leadNoticeText(lead), keyboard: calledKeyboard(row.id) });
  if (!sent.ok) {
    await updateTelegramBot(db, { tenantId }, { lastError: `New lead message not sent: ${sent.error.description}`, updatedAt: now });
    return { failed: sent.error };
  }
  await setTelegramLeadMessageId(db, { tenantId, id: row.id, messageId: String(sent.result.message_id), now });
  // the card's "last problem" was about sending: it is over
  if (target.lastError) await updateTelegramBot(db, { tenantId }, { lastError: null, updatedAt: now });
  return { sent: String(sent.result.message_id) };
}

const jobPayload = z.object({ tenantId: z.uuid(), leadId: z.uuid() });

/** The jobs queue's side: Telegram's 429 and 5xx and network failures are retried (after Retry-After when given). */
export function telegramLeadJobHandler(db: Db, deps: TelegramDeps): JobHandler {
  return async (job, { now }) => {
    const { tenantId, leadId } = jobPayload.parse(job.payload);
    const result = await notifyNewLead(db, deps, { tenantId, leadId, now });
    if (!("failed" in result)) return { ok: true, result };
    const { retryable, retryAfterSec, description } = result.failed;
    return { ok: false, error: description, retryable, ...(retryAfterSec ? { retryAt: new Date(now.getTime() + retryAfterSec * 1000) } : {}) };
  };
}

/**
 * Call after the lead's transaction committed (lib/leads/create.ts, for a new lead only). Cheap when the workspace
 * has no bot (one indexed read, nothing else). Otherwise records a job (the recovery when this process never sends)
 * and starts the send in the background; `sending` settles when that run ends (tests await it, callers need not).
 * Never throws and never rejects: a failure is logged.
 */
export async function announceNewLead(
  db: Db,
  deps: TelegramDeps,
  { tenantId, leadId, now = new Date() }: { tenantId: string; leadId: string; now?: Date },
): Promise<{ queued: boolean; sending: Promise<unknown> | null }> {
  try {
    const target = await getTelegramNoticeTarget(db, { tenantId, notice: "notifyNewLead" });
    if (!target) return { queued: false, sending: null };
    await enqueueJob(db, {
      tenantId,
      kind: TELEGRAM_LEAD_JOB,
      dedupeKey: leadId,
      payload: { tenantId, leadId },
      runAt: new Date(now.getTime() + JOB_DELAY_MS),
      maxAttempts: 6,
    });
    const sending = runJobNow(db, { kind: TELEGRAM_LEAD_JOB, dedupeKey: leadId, handlers: { [TELEGRAM_LEAD_JOB]: telegramLeadJobHandler(db, deps) } }).catch(
      (e: unknown) => console.error("[clicktrail] telegram new-lead notice failed (the jobs queue retries it)", e),
    );
    return { queued: true, sending };
  } catch (e) {
    console.error("[clicktrail] telegram new-lead notice was not queued", e);
    return { queued: false, sending: null };
  }
}
