// The seed's call flow from the lead's message (seeds/003): 📞 Called → "Target and interested?" → ✅ Yes (enrolls
// the lead in the drip), ❌ No (not target), No answer; each through lib/leads/call.ts recordCall, as the console's
// buttons do. A step moves only from the step before it, in the same transaction as the call, so a second press
// (or two managers at once) records nothing and only hears who already did it.
import type { Db } from "@/db/client";
import {
  advanceTelegramLeadMessage,
  findLinkedConsoleUser,
  getLeadNoticeFields,
  getTelegramLeadMessage,
  type TelegramBotRow,
  type TelegramLeadMessageRow,
} from "@/db/queries/telegram";
import { recordCall } from "@/lib/leads/call";
import { answerCallbackQuery, editTelegramMessage, escapeHtml, type InlineKeyboard, type TelegramDeps } from "./client";
import { callbackData, leadNoticeText } from "./lead-notice";
import type { TelegramCallbackQuery, TelegramUser } from "./update-schema";

const CALLBACK = /^([cyna]):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export const displayName = (u: TelegramUser) => (u.username ? `@${u.username}` : [u.first_name, u.last_name].filter(Boolean).join(" "));
const hhmm = (d: Date) => `${d.toISOString().slice(11, 16)} UTC`;

const askKeyboard = (rowId: string): InlineKeyboard => ({
  inline_keyboard: [
    [
      { text: "✅ Yes", callback_data: callbackData("y", rowId) },
      { text: "❌ No", callback_data: callbackData("n", rowId) },
      { text: "No answer", callback_data: callbackData("a", rowId) },
    ],
  ],
});

function outcomeLine(outcome: string, queued: number, notQueued: string | null): string {
  if (outcome === "enrolled") {
    if (notQueued) return `✅ Target — nothing queued: ${escapeHtml(notQueued)}`;
    return `✅ Enrolled — ${queued} message${queued === 1 ? "" : "s"} queued`;
  }
  return outcome === "not_target" ? "❌ Not target — no messages" : "📵 No answer";
}

const alreadyText = (row: TelegramLeadMessageRow) =>
  row.step === "done"
    ? `Already recorded by ${row.actedByTelegramName ?? "someone"}`
    : row.step === "asked"
      ? `Already marked called by ${row.actedByTelegramName ?? "someone"}`
      : "Press 📞 Called first";

/**
 * A button press. Does nothing (null) for a press from another chat than the bot's linked one, for another
 * workspace's message, or for data that is not ours. Otherwise records it and returns the Telegram calls to make
 * (answer the press, edit the message), which the route runs after answering Telegram.
 */
export async function handleCallbackQuery(
  db: Db,
  deps: TelegramDeps,
  { bot, token, query, now }: { bot: TelegramBotRow; token: string; query: TelegramCallbackQuery; now: Date },
): Promise<(() => Promise<void>) | null> {
  const m = CALLBACK.exec(query.data ?? "");
  const chatId = query.message ? String(query.message.chat.id) : null;
  if (!m || !chatId || !bot.chatId || chatId !== bot.chatId) return null;
  const [, action, rowId] = m as unknown as [string, "c" | "y" | "n" | "a", string];
  const row = await getTelegramLeadMessage(db, { tenantId: bot.tenantId, id: rowId });
  if (!row || row.chatId !== chatId || (row.messageId && row.messageId !== String(query.message!.message_id))) return null;
  const who = displayName(query.from);
  const linked = await findLinkedConsoleUser(db, { tenantId: bot.tenantId, telegramUserId: String(query.from.id) });
  const by = { actedByTelegramUserId: String(query.from.id), actedByTelegramName: who, actedByUserId: linked?.userId ?? null, actedAt: now, updatedAt: now };
  const answer = (text: string) => answerCallbackQuery(deps, token, { id: query.id, text }).then(() => undefined);
  const base = async () => {
    const lead = await getLeadNoticeFields(db, { tenantId: bot.tenantId, leadId: row.leadId });
    return lead ? leadNoticeText(lead) : "🆕 <b>Lead</b>";
  };
  const signature = `by ${escapeHtml(who)}${linked ? ` (${escapeHtml(linked.name)})` : ""} at ${hhmm(now)}`;
  const edit = (text: string, keyboard?: InlineKeyboard) =>
    editTelegramMessage(deps, token, { chatId, messageId: row.messageId ?? String(query.message!.message_id), text, keyboard });

  if (action === "c") {
    const moved = await db.transaction(async (tx) => {
      const next = await advanceTelegramLeadMessage(tx, { tenantId: bot.tenantId, id: row.id, from: "new", set: { step: "asked", ...by } });
      if (next) await recordCall(tx, { tenantId: bot.tenantId, leadId: row.leadId, callStatus: "called", userId: linked?.userId ?? null, now });
      return next;
    });
    if (!moved) return async () => answer(alreadyText((await getTelegramLeadMessage(db, { tenantId: bot.tenantId, id: row.id })) ?? row));
    return async () => {
      await answer("Noted: called");
      await edit(`${await base()}\n\n📞 Called ${signature}\n<b>Target and interested?</b>`, askKeyboard(row.id));
    };
  }

  const outcome = action === "y" ? "enrolled" : action === "n" ? "not_target" : "no_answer";
  const result = await db.transaction(async (tx) => {
    const next = await advanceTelegramLeadMessage(tx, { tenantId: bot.tenantId, id: row.id, from: "asked", set: { step: "done", outcome, ...by } });
    if (!next) return null;
    return recordCall(tx, {
      tenantId: bot.tenantId,
      leadId: row.leadId,
      callStatus: action === "a" ? "no_answer" : "called",
      ...(action === "a" ? {} : { isTarget: action === "y" }),
      userId: linked?.userId ?? null,
      now,
    });
  });
  if (!result) return async () => answer(alreadyText((await getTelegramLeadMessage(db, { tenantId: bot.tenantId, id: row.id })) ?? row));
  const line = outcomeLine(outcome, result.queued, result.notQueued?.message ?? null);
  return async () => {
    await answer(line.replace(/<[^>]+>/g, ""));
    await edit(`${await base()}\n\n${line} · ${signature}`);
  };
}
