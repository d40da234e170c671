// The bot's form schemas, shared by the settings card (client) and the server actions: zod only.
import { z } from "zod";

/** A bot token as @BotFather gives it: `<bot id>:<secret>`. */
export const telegramTokenSchema = z
  .string()
  .trim()
  .regex(/^\d{5,20}:[A-Za-z0-9_-]{30,60}$/, "That does not look like a bot token: @BotFather gives one like 123456789:AAF…");

export const telegramConnectSchema = z.object({ token: telegramTokenSchema });

export const telegramNoticesSchema = z.object({
  notifyNewLead: z.boolean(),
  notifyDripReply: z.boolean(),
  notifyDripFailed: z.boolean(),
  notifyQualityDrop: z.boolean(),
});
export type TelegramNotices = z.infer<typeof telegramNoticesSchema>;
