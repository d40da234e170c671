// POST /api/telegram/{key}: an update from Telegram for one workspace's bot. The key finds the bot; the
// X-Telegram-Bot-Api-Secret-Token header must hash to the stored secret (constant-time), or nothing is done.
// The database work (binding a chat, linking a user, recording a call) happens before the answer; the calls back to
// Telegram (replies, edits, answering a press) are returned as `followUp`, for the route to run after answering.
import { z } from "zod";
import type { Db } from "@/db/client";
import { claimTelegramUserLink, getTelegramBotByWebhookKey, linkTelegramChat, migrateTelegramChat, type TelegramBotRow } from "@/db/queries/telegram";
import { openSecret, safeEqual, sha256Hex } from "@/lib/crypto";
import { errorBody } from "@/lib/errors";
import { handleCallbackQuery } from "./call-flow";
import { linkCodeHash } from "./bot";
import { sendTelegramMessage, type TelegramDeps, escapeHtml } from "./client";
import { type TelegramMessage, telegramUpdateSchema } from "./update-schema";

export type UpdateOutcome = { status: number; body: unknown; followUp?: () => Promise<void> };

const webhookKeySchema = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);
const COMMAND = /^\/(link|me|start)(?:@([A-Za-z0-9_]+))?(?:\s+(\S+))?\s*$/i;

const ok = (followUp?: () => Promise<void>): UpdateOutcome => ({ status: 200, body: { ok: true }, ...(followUp ? { followUp } : {}) });

/** Verifies and handles one update. Unknown key → 404, missing or wrong secret → 401, unreadable body → 400; all with nothing done. */
export async function handleTelegramUpdate(
  db: Db,
  deps: TelegramDeps,
  { webhookKey, secretToken, rawBody, now }: { webhookKey: string; secretToken: string | null; rawBody: Buffer | string; now: Date },
): Promise<UpdateOutcome> {
  const key = webhookKeySchema.safeParse(webhookKey);
  const found = key.success ? await getTelegramBotByWebhookKey(db, { webhookKey: key.data }) : null;
  if (!found) return { status: 404, body: errorBody("not_found", "No bot listens at this address") };
  if (!secretToken || !safeEqual(sha256Hex(secretToken), found.bot.secretTokenHash)) {
    return { status: 401, body: errorBody("unauthorized", "The secret token is missing or wrong") };
  }
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString());
  } catch {
    return { status: 400, body: errorBody("bad_request", "The body is not JSON") };
  }
  const update = telegramUpdateSchema.safeParse(json);
  // an update of a kind we do not read is acknowledged, or Telegram would send it again
  if (!update.success) return ok();
  const token = openSecret(found.bot.tokenEnc, deps.encryptionKey);
  if (!token) return ok();
  if (update.data.callback_query) {
    const followUp = await handleCallbackQuery(db, deps, { bot: found.bot, token, query: update.data.callback_query, now });
    return ok(followUp ?? undefined);
  }
  const migrated = update.data.message?.migrate_to_chat_id;
  if (migrated !== undefined) {
    const fromChatId = String(update.data.message!.chat.id);
    await migrateTelegramChat(db, { tenantId: found.bot.tenantId, fromChatId, toChatId: String(migrated), now });
    return ok();
  }
  if (update.data.message) return ok(await handleCommand(db, deps, { bot: found.bot, tenantName: found.tenantName, token, message: update.data.message, now }));
  return ok();
}

async function handleCommand(
  db: Db,
  deps: TelegramDeps,
  { bot, tenantName, token, message, now }: { bot: TelegramBotRow; tenantName: string; token: string; message: TelegramMessage; now: Date },
): Promise<(() => Promise<void>) | undefined> {
  const m = COMMAND.exec(message.text?.trim() ?? "");
  // in a group, `/link@other_bot` is another bot's command
  if (!m || (m[2] && m[2].toLowerCase() !== bot.botUsername.toLowerCase())) return undefined;
  const command = m[1]!.toLowerCase();
  const code = m[3];
  const chatId = String(message.chat.id);
  const reply = (text: string) => async () => {
    await sendTelegramMessage(deps, token, { chatId, text });
  };
  if (command === "start" || !code) {
    return reply(
      `This is the Clicktrail bot of <b>${escapeHtml(tenantName)}</b>.\nSend <code>/link CODE</code> with the code from Settings → Telegram bot to post new leads in this chat, or <code>/me CODE</code> with the code from Your account to link your Telegram to your Clicktrail user.`,
    );
  }
  if (command === "link") {
    const title = message.chat.title ?? ([message.chat.first_name, message.chat.username && `@${message.chat.username}`].filter(Boolean).join(" ") || null);
    const linked = await linkTelegramChat(db, {
      tenantId: bot.tenantId,
      linkCodeHash: linkCodeHash(code),
      chat: { id: chatId, title, type: message.chat.type },
      now,
    });
    return reply(
      linked
        ? `✅ Connected to <b>${escapeHtml(tenantName)}</b>. New leads will be posted in this chat.`
        : "❌ That code is wrong or has expired. Get a new one in Clicktrail → Settings → Telegram bot.",
    );
  }
  if (!message.from) return undefined;
  const user = await claimTelegramUserLink(db, {
    tenantId: bot.tenantId,
    linkCodeHash: linkCodeHash(code),
    telegramUserId: String(message.from.id),
    telegramUsername: message.from.username ?? null,
    now,
  });
  return reply(
    user
      ? `✅ Linked: what you press here is recorded as <b>${escapeHtml(user.name)}</b> in ${escapeHtml(tenantName)}.`
      : "❌ That code is wrong or has expired. Get a new one in Clicktrail → Your account → Telegram.",
  );
}
