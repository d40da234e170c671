// The part of Telegram's Update object the bot reads (https://core.telegram.org/bots/api#update): a message's
// chat, sender and text, and a callback query's sender, message and data. Everything else is stripped.
import { z } from "zod";

const chatSchema = z.object({
  id: z.number().int(),
  type: z.string().max(32),
  title: z.string().max(256).optional(),
  username: z.string().max(64).optional(),
  first_name: z.string().max(256).optional(),
});

const userSchema = z.object({
  id: z.number().int(),
  is_bot: z.boolean().optional(),
  first_name: z.string().max(256),
  last_name: z.string().max(256).optional(),
  username: z.string().max(64).optional(),
});

const messageSchema = z.object({
  message_id: z.number().int(),
  chat: chatSchema,
  from: userSchema.optional(),
  text: z.string().max(4096).optional(),
  // a group that became a supergroup gets a new chat id: the old chat says where it went
  migrate_to_chat_id: z.number().int().optional(),
});

const callbackQuerySchema = z.object({
  id: z.string().max(128),
  from: userSchema,
  message: z.object({ message_id: z.number().int(), chat: chatSchema }).optional(),
  data: z.string().max(64).optional(),
});

export const telegramUpdateSchema = z.object({
  update_id: z.number().int(),
  message: messageSchema.optional(),
  callback_query: callbackQuerySchema.optional(),
});

export type TelegramUpdate = z.infer<typeof telegramUpdateSchema>;
export type TelegramMessage = z.infer<typeof messageSchema>;
export type TelegramCallbackQuery = z.infer<typeof callbackQuerySchema>;
export type TelegramUser = z.infer<typeof userSchema>;
export type TelegramChat = z.infer<typeof chatSchema>;
