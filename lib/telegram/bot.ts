// Connecting the workspace's bot: the admin's token is checked with getMe, stored sealed, and the bot's webhook is
// set to /api/telegram/{key} with a secret Telegram sends back on every update (only its SHA-256 is kept). The chat
// is picked by a one-time code sent to the bot as `/link CODE`; console users link their Telegram the same way with
// `/me CODE`. Codes are shown once and stored as hashes.
import { randomBytes } from "node:crypto";
import type { Db } from "@/db/client";
import {
  deleteTelegramBot,
  deleteTelegramUserLink,
  getTelegramBot,
  getTelegramUserLink,
  updateTelegramBot,
  upsertTelegramBot,
  upsertTelegramUserLinkCode,
} from "@/db/queries/telegram";
import { encryptSecret, openSecret, randomToken, sha256Hex } from "@/lib/crypto";
import { AppError } from "@/lib/errors";
import { botUserSchema, type TelegramDeps, telegramCall, trueSchema } from "./client";
import { type TelegramNotices, telegramTokenSchema } from "./schemas";

export { telegramNoticesSchema, telegramTokenSchema, type TelegramNotices } from "./schemas";

export const LINK_CODE_TTL_MS = 30 * 60_000;
const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"; // no 0/O, 1/I: read off a screen and typed
export const ALLOWED_UPDATES = ["message", "callback_query"] as const;

/** 8 characters of a 32-letter alphabet (40 bits), valid 30 minutes, usable once. */
export function newLinkCode(): string {
  return [...randomBytes(8)].map((b) => CODE_ALPHABET[b % 32]).join("");
}

export const linkCodeHash = (code: string) => sha256Hex(`telegram-link:${code.trim().toUpperCase()}`);

export const webhookUrl = (appUrl: string, key: string) => new URL(`/api/telegram/${key}`, appUrl).toString();

/** What the console shows: never the token, the secret or a code's hash. */
export type TelegramBotView =
  | { connected: false }
  | {
      connected: true;
      botUsername: string;
      chat: { title: string | null; type: string | null } | null;
      linkCodeExpiresAt: number | null;
      notices: TelegramNotices;
      lastError: string | null;
    };

export async function getTelegramBotView(db: Db, { tenantId, now }: { tenantId: string; now: Date }): Promise<TelegramBotView> {
  const bot = await getTelegramBot(db, { tenantId });
  if (!bot) return { connected: false };
  const pending = bot.linkCodeHash && bot.linkCodeExpiresAt && bot.linkCodeExpiresAt > now ? bot.linkCodeExpiresAt.getTime() : null;
  return {
    connected: true,
    botUsername: bot.botUsername,
    chat: bot.chatId ? { title: bot.chatTitle, type: bot.chatType } : null,
    linkCodeExpiresAt: pending,
    notices: {
      notifyNewLead: bot.notifyNewLead,
      notifyDripReply: bot.notifyDripReply,
      notifyDripFailed: bot.notifyDripFailed,
      notifyQualityDrop: bot.notifyQualityDrop,
    },
    lastError: bot.lastError,
  };
}

function refusedToken(description: string, errorCode: number): AppError {
  const why =
    errorCode === 401 || errorCode === 404
      ? `Telegram does not accept this token ("${description}"): it was mistyped, or revoked in @BotFather. Copy the current token from @BotFather (/mybots → API Token).`
      : `Telegram refused the token: ${description}`;
  return new AppError("unprocessable", why, { formErrors: [], fieldErrors: { token: [why] } }, "telegram_token_refused");
}

/**
 * Connects (or replaces) the workspace's bot. Refuses a token Telegram does not accept, with Telegram's own words;
 * throws provider_error when Telegram cannot be reached or refuses the webhook. Returns the one-time chat link code.
 */
export async function connectTelegramBot(
  db: Db,
  deps: TelegramDeps,
  { tenantId, token: rawToken, now }: { tenantId: string; token: string; now: Date },
): Promise<{ botUsername: string; linkCode: string; linkCodeExpiresAt: Date }> {
  const token = telegramTokenSchema.parse(rawToken);
  const me = await telegramCall(deps, token, "getMe", {}, botUserSchema);
  if (!me.ok) {
    if (me.error.errorCode === 401 || me.error.errorCode === 404 || me.error.errorCode === 400) throw refusedToken(me.error.description, me.error.errorCode);
    throw new AppError("provider_error", `Telegram could not check the token: ${me.error.description}`);
  }
  const webhookKey = randomToken(18);
  const secretToken = randomToken(32);
  const set = await telegramCall(
    deps,
    token,
    "setWebhook",
    { url: webhookUrl(deps.appUrl, webhookKey), secret_token: secretToken, allowed_updates: ALLOWED_UPDATES, drop_pending_updates: true },
    trueSchema,
  );
  if (!set.ok) throw new AppError("provider_error", `Telegram did not accept the bot's webhook (${webhookUrl(deps.appUrl, "…")}): ${set.error.description}`);
  const previous = await getTelegramBot(db, { tenantId });
  const linkCode = newLinkCode();
  const linkCodeExpiresAt = new Date(now.getTime() + LINK_CODE_TTL_MS);
  await upsertTelegramBot(db, {
    tenantId,
    tokenEnc: encryptSecret(token, deps.encryptionKey),
    botId: String(me.result.id),
    botUsername: me.result.username,
    webhookKey,
    secretTokenHash: sha256Hex(secretToken),
    linkCodeHash: linkCodeHash(linkCode),
    linkCodeExpiresAt,
    now,
  });
  // a replaced bot stops calling us (best effort: its webhook key is gone anyway, so its updates get 404)
  const oldToken = previous && previous.botId !== String(me.result.id) ? openSecret(previous.tokenEnc, deps.encryptionKey) : null;
  if (oldToken) await telegramCall(deps, oldToken, "deleteWebhook", {}, trueSchema);
  return { botUsername: me.result.username, linkCode, linkCodeExpiresAt };
}

/** A new chat link code (the old one stops working); also how the chat is changed later. */
export async function renewTelegramLinkCode(
  db: Db,
  { tenantId, now }: { tenantId: string; now: Date },
): Promise<{ linkCode: string; linkCodeExpiresAt: Date }> {
  const linkCode = newLinkCode();
  const linkCodeExpiresAt = new Date(now.getTime() + LINK_CODE_TTL_MS);
  const updated = await updateTelegramBot(db, { tenantId }, { linkCodeHash: linkCodeHash(linkCode), linkCodeExpiresAt, updatedAt: now });
  if (!updated) throw new AppError("not_found", "No Telegram bot is connected");
  return { linkCode, linkCodeExpiresAt };
}

/** Removes the bot: its webhook is deleted at Telegram (a failure is reported, the bot is removed here anyway). */
export async function disconnectTelegramBot(db: Db, deps: TelegramDeps, { tenantId }: { tenantId: string }): Promise<{ webhookDeleted: boolean }> {
  const bot = await getTelegramBot(db, { tenantId });
  if (!bot) return { webhookDeleted: true };
  const token = openSecret(bot.tokenEnc, deps.encryptionKey);
  const deleted = token ? await telegramCall(deps, token, "deleteWebhook", { drop_pending_updates: true }, trueSchema) : null;
  await deleteTelegramBot(db, { tenantId });
  return { webhookDeleted: deleted?.ok === true };
}

export async function saveTelegramNotices(db: Db, { tenantId, notices, now }: { tenantId: string; notices: TelegramNotices; now: Date }) {
  const updated = await updateTelegramBot(db, { tenantId }, { ...notices, updatedAt: now });
  if (!updated) throw new AppError("not_found", "No Telegram bot is connected");
  return notices;
}

/** A console user's code to send the bot as `/me CODE` (30 minutes, once). */
export async function createTelegramUserLinkCode(
  db: Db,
  { tenantId, userId, now }: { tenantId: string; userId: string; now: Date },
): Promise<{ code: string; expiresAt: Date; botUsername: string | null }> {
  const code = newLinkCode();
  const expiresAt = new Date(now.getTime() + LINK_CODE_TTL_MS);
  await upsertTelegramUserLinkCode(db, { tenantId, userId, linkCodeHash: linkCodeHash(code), expiresAt, now });
  const bot = await getTelegramBot(db, { tenantId });
  return { code, expiresAt, botUsername: bot?.botUsername ?? null };
}

export type TelegramUserLinkView = { botUsername: string | null; linked: { username: string | null; at: number | null } | null };

export async function getTelegramUserLinkView(db: Db, { tenantId, userId }: { tenantId: string; userId: string }): Promise<TelegramUserLinkView> {
  const [bot, link] = await Promise.all([getTelegramBot(db, { tenantId }), getTelegramUserLink(db, { tenantId, userId })]);
  return {
    botUsername: bot?.botUsername ?? null,
    linked: link?.telegramUserId ? { username: link.telegramUsername, at: link.linkedAt?.getTime() ?? null } : null,
  };
}

export async function unlinkTelegramUser(db: Db, { tenantId, userId }: { tenantId: string; userId: string }) {
  await deleteTelegramUserLink(db, { tenantId, userId });
}
