// The Telegram Bot API over lib/outbound-http.ts: POST {TELEGRAM_API_BASE}/bot<token>/<method> with a JSON body,
// only to TELEGRAM_API_BASE's host (lib/egress.ts), never following a redirect, answers read up to 64 KiB. The
// token is in the path: no URL is ever logged or shown, and it is scrubbed from every message we keep.
import { z } from "zod";
import { type EgressPolicy, type HostRule, checkEgressUrl, guardedLookup, parseHostRule } from "@/lib/egress";
import { getEnv } from "@/lib/env";
import { transportFailure } from "@/lib/graph/client";
import { outboundRequest } from "@/lib/outbound-http";

export const TELEGRAM_MAX_RESPONSE_BYTES = 64 * 1024;
export const TELEGRAM_TIMEOUT_MS = 10_000;
export const TELEGRAM_DEFAULT_API_BASE = "https://api.telegram.org";

export type TelegramDeps = {
  apiBase: string;
  egress: EgressPolicy;
  /** ENCRYPTION_KEY: the bot token is stored sealed with it */
  encryptionKey: string;
  /** where Telegram reaches us: {appUrl}/api/telegram/{key} */
  appUrl: string;
  timeoutMs?: number;
};

/**
 * Calls go to TELEGRAM_API_BASE's host only. Telegram's own host is a provider host (https, public addresses);
 * any other base (a Bot API server of the operator's, a fake on 127.0.0.1 in tests) is the operator's choice,
 * trusted as configured on its port.
 */
export function telegramEgressPolicy(apiBase: string, resolve?: EgressPolicy["resolve"]): EgressPolicy {
  const url = new URL(apiBase);
  const rule: HostRule = parseHostRule(url.port ? `${url.hostname}:${url.port}` : url.hostname) ?? { host: url.hostname, wildcard: false, port: null };
  const official = url.hostname === new URL(TELEGRAM_DEFAULT_API_BASE).hostname && url.protocol === "https:";
  return { provider: official ? [rule] : [], trusted: official ? [] : [rule], ...(resolve ? { resolve } : {}) };
}

export function telegramDepsFromEnv(): TelegramDeps {
  const env = getEnv();
  return { apiBase: env.TELEGRAM_API_BASE, egress: telegramEgressPolicy(env.TELEGRAM_API_BASE), encryptionKey: env.ENCRYPTION_KEY, appUrl: env.APP_URL };
}

/** `errorCode`: Telegram's error_code (0 when it never answered); `description` is Telegram's own text. */
export type TelegramFailure = { errorCode: number; description: string; retryable: boolean; retryAfterSec?: number };
export type TelegramAnswer<T> = { ok: true; result: T } | { ok: false; error: TelegramFailure };

const envelopeSchema = z.object({
  ok: z.boolean(),
  result: z.unknown().optional(),
  error_code: z.number().int().optional(),
  description: z.string().optional(),
  parameters: z.object({ retry_after: z.number().optional() }).partial().optional(),
});

const scrub = (s: string, token: string) => (token ? s.replaceAll(token, "•••") : s).slice(0, 500);

/** One Bot API call; the answer's `result` is parsed with `resultSchema`. Never throws for Telegram's or the network's failures. */
export async function telegramCall<S extends z.ZodType>(
  deps: Pick<TelegramDeps, "apiBase" | "egress" | "timeoutMs">,
  token: string,
  method: string,
  body: Record<string, unknown>,
  resultSchema: S,
): Promise<TelegramAnswer<z.output<S>>> {
  const url = `${deps.apiBase.replace(/\/+$/, "")}/bot${token}/${method}`;
  const verdict = checkEgressUrl(url, deps.egress);
  if (!verdict.ok) return { ok: false, error: { errorCode: 0, description: `Telegram API URL refused: ${verdict.reason}`, retryable: false } };
  const timeoutMs = deps.timeoutMs ?? TELEGRAM_TIMEOUT_MS;
  let res;
  try {
    res = await outboundRequest(url, {
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/json" },
      body: JSON.stringify(body),
      timeoutMs,
      maxBytes: TELEGRAM_MAX_RESPONSE_BYTES,
      lookup: guardedLookup(deps.egress, verdict.trusted),
    });
  } catch (e) {
    const failure = transportFailure(e, timeoutMs, "Telegram");
    return { ok: false, error: { errorCode: 0, description: scrub(failure.message, token), retryable: true } };
  }
  if (res.status >= 300 && res.status < 400) {
    return {
      ok: false,
      error: { errorCode: res.status, description: `Telegram answered with a redirect (HTTP ${res.status}), which is not followed`, retryable: false },
    };
  }
  let parsed: z.infer<typeof envelopeSchema> | null = null;
  try {
    const r = envelopeSchema.safeParse(JSON.parse(res.text));
    parsed = r.success ? r.data : null;
  } catch {
    parsed = null;
  }
  if (!parsed) {
    return {
      ok: false,
      error: { errorCode: res.status, description: `Telegram answered HTTP ${res.status} with an unreadable body`, retryable: res.status >= 500 },
    };
  }
  if (!parsed.ok) {
    const errorCode = parsed.error_code ?? res.status;
    const retryAfterSec = parsed.parameters?.retry_after;
    const description = scrub(parsed.description ?? `HTTP ${res.status}`, token);
    return { ok: false, error: { errorCode, description, retryable: errorCode === 429 || errorCode >= 500, ...(retryAfterSec ? { retryAfterSec } : {}) } };
  }
  const result = resultSchema.safeParse(parsed.result);
  if (!result.success)
    return { ok: false, error: { errorCode: res.status, description: `Telegram's answer to ${method} is not what was expected`, retryable: false } };
  return { ok: true, result: result.data };
}

export const botUserSchema = z.object({ id: z.number().int(), is_bot: z.boolean().optional(), first_name: z.string(), username: z.string() });
export const sentMessageSchema = z.object({ message_id: z.number().int(), chat: z.object({ id: z.union([z.number(), z.string()]) }).optional() });
/** editMessageText answers the message, or `true` for inline messages */
export const editedSchema = z.union([z.literal(true), sentMessageSchema]);
export const trueSchema = z.literal(true);

export type InlineKeyboard = { inline_keyboard: { text: string; callback_data: string }[][] };

/** sendMessage with HTML text (what we put in it is escaped with escapeHtml). */
export function sendTelegramMessage(
  deps: TelegramDeps,
  token: string,
  { chatId, text, keyboard }: { chatId: string; text: string; keyboard?: InlineKeyboard },
) {
  return telegramCall(
    deps,
    token,
    "sendMessage",
    { chat_id: chatId, text, parse_mode: "HTML", link_preview_options: { is_disabled: true }, ...(keyboard ? { reply_markup: keyboard } : {}) },
    sentMessageSchema,
  );
}

/** editMessageText; without `keyboard` the buttons are removed. */
export function editTelegramMessage(
  deps: TelegramDeps,
  token: string,
  { chatId, messageId, text, keyboard }: { chatId: string; messageId: string; text: string; keyboard?: InlineKeyboard },
) {
  return telegramCall(
    deps,
    token,
    "editMessageText",
    {
      chat_id: chatId,
      message_id: Number(messageId),
      text,
      parse_mode: "HTML",
      link_preview_options: { is_disabled: true },
      reply_markup: keyboard ?? { inline_keyboard: [] },
    },
    editedSchema,
  );
}

export function answerCallbackQuery(deps: TelegramDeps, token: string, { id, text }: { id: string; text?: string }) {
  return telegramCall(deps, token, "answerCallbackQuery", { callback_query_id: id, ...(text ? { text } : {}) }, trueSchema);
}

export function escapeHtml(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
