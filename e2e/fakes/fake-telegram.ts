// The Telegram Bot API, played on loopback: POST /bot<token>/<method> for the methods the managers' bot uses,
// recording every call, plus helpers that send updates to the webhook the bot set (with its secret token, a wrong
// one, or none). A token other than the bot's gets Telegram's own 401 envelope.
import { type FakeRequest, type FakeServer, startFakeServer } from "./http-fake";

export type FakeTelegramCall = { method: string; token: string; body: Record<string, unknown> };
export type FakeTelegramMessage = {
  message_id: number;
  chat_id: string;
  text: string;
  parse_mode?: string;
  reply_markup?: { inline_keyboard: { text: string; callback_data: string }[][] };
};
export type FakeWebhook = { url: string; secret_token?: string; allowed_updates?: string[]; drop_pending_updates?: boolean };
type User = { id: number; first_name: string; last_name?: string; username?: string };
type Chat = { id: number; type: "private" | "group" | "supergroup"; title?: string; first_name?: string; username?: string };

export type FakeTelegram = FakeServer & {
  token: string;
  bot: { id: number; username: string; first_name: string };
  /** every Bot API call with a valid token, in order */
  calls: FakeTelegramCall[];
  callsOf(method: string): FakeTelegramCall[];
  /** the webhook set by setWebhook (null before, or after deleteWebhook) */
  webhook: FakeWebhook | null;
  /** messages as they stand now (sent, then edited), by message_id */
  messages: Map<number, FakeTelegramMessage>;
  /** POSTs an update to the webhook url; `secret`: the recorded secret_token (default), another one, or null for none */
  sendUpdate(update: Record<string, unknown>, opts?: { secret?: string | null }): Promise<{ status: number; json: unknown }>;
  /** a message update (a command in a chat) */
  sendText(chat: Chat, from: User, text: string, opts?: { secret?: string | null }): Promise<{ status: number; json: unknown }>;
  /** a press of an inline button on a message in a chat */
  press(chat: Chat, from: User, messageId: number, data: string, opts?: { secret?: string | null }): Promise<{ status: number; json: unknown }>;
  /** the next answers of `method` fail with this error before the normal behaviour resumes */
  failNext(method: string, error: { error_code: number; description: string }): void;
};

const unauthorized = { status: 401, json: { ok: false, error_code: 401, description: "Unauthorized" } };

export async function startFakeTelegram(opts: { token?: string; botId?: number; username?: string } = {}): Promise<FakeTelegram> {
  const server = await startFakeServer();
  const botId = opts.botId ?? 7_000_000_001;
  const token = opts.token ?? `${botId}:AAFakeTelegramToken_0123456789abcdefghij`;
  const calls: FakeTelegramCall[] = [];
  const messages = new Map<number, FakeTelegramMessage>();
  const failures = new Map<string, { error_code: number; description: string }[]>();
  let nextMessageId = 100;
  let nextUpdateId = 1;
  let nextCallbackId = 1;

  const fake = server as FakeTelegram;
  Object.assign(fake, {
    token,
    bot: { id: botId, username: opts.username ?? "clicktrail_test_bot", first_name: "Clicktrail test" },
    calls,
    messages,
    webhook: null,
  });

  const handle = (req: FakeRequest, m: RegExpMatchArray) => {
    if (m[1] !== token) return unauthorized;
    const method = m[2]!;
    const body = (req.json && typeof req.json === "object" ? req.json : {}) as Record<string, unknown>;
    calls.push({ method, token: m[1]!, body });
    const failure = failures.get(method)?.shift();
    if (failure) return { status: failure.error_code, json: { ok: false, ...failure } };
    switch (method) {
      case "getMe":
        return { json: { ok: true, result: { id: botId, is_bot: true, first_name: fake.bot.first_name, username: fake.bot.username } } };
      case "setWebhook":
        fake.webhook = body as FakeWebhook;
        return { json: { ok: true, result: true, description: "Webhook was set" } };
      case "deleteWebhook":
        fake.webhook = null;
        return { json: { ok: true, result: true, description: "Webhook was deleted" } };
      case "sendMessage": {
        const message_id = nextMessageId++;
        const msg = { message_id, chat_id: String(body.chat_id), text: String(body.text), parse_mode: body.parse_mode as string | undefined };
        messages.set(message_id, { ...msg, reply_markup: body.reply_markup as FakeTelegramMessage["reply_markup"] });
        return { json: { ok: true, result: { message_id, chat: { id: Number(body.chat_id) }, date: Math.floor(Date.now() / 1000), text: body.text } } };
      }
      case "editMessageText":
      case "editMessageReplyMarkup": {
        const msg = messages.get(Number(body.message_id));
        if (!msg || msg.chat_id !== String(body.chat_id))
          return { status: 400, json: { ok: false, error_code: 400, description: "Bad Request: message to edit not found" } };
        if (method === "editMessageText") Object.assign(msg, { text: String(body.text), parse_mode: body.parse_mode });
        msg.reply_markup = body.reply_markup as FakeTelegramMessage["reply_markup"];
        return { json: { ok: true, result: { message_id: msg.message_id, chat: { id: Number(msg.chat_id) }, text: msg.text } } };
      }
      case "answerCallbackQuery":
        return { json: { ok: true, result: true } };
      default:
        return { status: 404, json: { ok: false, error_code: 404, description: "Not Found: method not found" } };
    }
  };
  // Telegram accepts GET and POST for every method
  server.on("POST", /^\/bot([^/]+)\/([A-Za-z]+)$/, handle);
  server.on("GET", /^\/bot([^/]+)\/([A-Za-z]+)$/, handle);

  fake.callsOf = (method) => calls.filter((c) => c.method === method);
  fake.failNext = (method, error) => failures.set(method, [...(failures.get(method) ?? []), error]);
  fake.sendUpdate = async (update, o = {}) => {
    if (!fake.webhook) throw new Error("No webhook was set");
    const secret = o.secret === undefined ? fake.webhook.secret_token : o.secret;
    const res = await fetch(fake.webhook.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(secret ? { "x-telegram-bot-api-secret-token": secret } : {}) },
      body: JSON.stringify({ update_id: nextUpdateId++, ...update }),
    });
    return { status: res.status, json: await res.json().catch(() => null) };
  };
  fake.sendText = (chat, from, text, o) =>
    fake.sendUpdate({ message: { message_id: nextMessageId++, date: Math.floor(Date.now() / 1000), chat, from: { is_bot: false, ...from }, text } }, o);
  fake.press = (chat, from, messageId, data, o) =>
    fake.sendUpdate(
      {
        callback_query: {
          id: String(nextCallbackId++),
          from: { is_bot: false, ...from },
          chat_instance: "1",
          message: { message_id: messageId, date: Math.floor(Date.now() / 1000), chat },
          data,
        },
      },
      o,
    );
  return fake;
}
