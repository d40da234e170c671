// The optional notices in the managers' chat, each behind its toggle on the bot's card: a subscriber replied to a
// drip, a drip message failed, a number's quality dropped. Cheap when the workspace has no bot (or the notice is
// off): one read of the tenant's unique index and nothing else. Never throw: a failure is kept on the bot's card.
import type { Db } from "@/db/client";
import { getTelegramNoticeTarget, type TelegramNoticeKind, updateTelegramBot } from "@/db/queries/telegram";
import { openSecret } from "@/lib/crypto";
import { formatPhone } from "@/lib/phone";
import { escapeHtml, sendTelegramMessage, type TelegramDeps } from "./client";

export type NoticeResult = { sent: string } | { skipped: "off" | "token_unreadable" } | { failed: string };

const clip = (s: string, max = 500) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

async function sendNotice(
  db: Db,
  deps: TelegramDeps,
  { tenantId, notice, text }: { tenantId: string; notice: TelegramNoticeKind; text: string },
): Promise<NoticeResult> {
  try {
    const target = await getTelegramNoticeTarget(db, { tenantId, notice });
    if (!target) return { skipped: "off" };
    const token = openSecret(target.tokenEnc, deps.encryptionKey);
    if (!token) return { skipped: "token_unreadable" };
    const sent = await sendTelegramMessage(deps, token, { chatId: target.chatId, text });
    if (sent.ok) return { sent: String(sent.result.message_id) };
    await updateTelegramBot(db, { tenantId }, { lastError: `Notice not sent: ${sent.error.description}`, updatedAt: new Date() });
    return { failed: sent.error.description };
  } catch (e) {
    console.error("[clicktrail] telegram notice failed", e);
    return { failed: e instanceof Error ? e.message : String(e) };
  }
}

/** "A subscriber replied to a drip": who, from which phone, and the start of what they wrote. */
export function notifyDripReply(
  db: Db,
  deps: TelegramDeps,
  input: { tenantId: string; name: string | null; phone: string; text: string | null; leadName?: string | null },
): Promise<NoticeResult> {
  const who = escapeHtml(input.leadName ?? input.name ?? "A subscriber");
  const body = input.text ? `\n«${escapeHtml(clip(input.text, 300))}»` : "";
  return sendNotice(db, deps, {
    tenantId: input.tenantId,
    notice: "notifyDripReply",
    text: `💬 <b>${who}</b> (${escapeHtml(formatPhone(input.phone))}) replied to a drip message${body}`,
  });
}

/** "A drip message failed": to whom, which template, and the provider's words. */
export function notifyDripFailed(
  db: Db,
  deps: TelegramDeps,
  input: { tenantId: string; recipient: string; templateName: string | null; error: string; leadName?: string | null },
): Promise<NoticeResult> {
  const who = input.leadName ? `${escapeHtml(input.leadName)} (${escapeHtml(formatPhone(input.recipient))})` : escapeHtml(formatPhone(input.recipient));
  const template = input.templateName ? ` “${escapeHtml(input.templateName)}”` : "";
  return sendNotice(db, deps, {
    tenantId: input.tenantId,
    notice: "notifyDripFailed",
    text: `⚠️ Drip message${template} to ${who} failed: ${escapeHtml(clip(input.error))}`,
  });
}

/** "The number's quality dropped": which number, from what to what (Meta's GREEN / YELLOW / RED). */
export function notifyQualityDrop(
  db: Db,
  deps: TelegramDeps,
  input: { tenantId: string; numberLabel: string; phone: string; from: string | null; to: string },
): Promise<NoticeResult> {
  const change = input.from ? `${escapeHtml(input.from)} → <b>${escapeHtml(input.to)}</b>` : `<b>${escapeHtml(input.to)}</b>`;
  return sendNotice(db, deps, {
    tenantId: input.tenantId,
    notice: "notifyQualityDrop",
    text: `📉 Quality of ${escapeHtml(input.numberLabel)} (${escapeHtml(formatPhone(input.phone))}) dropped: ${change}`,
  });
}
