"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db/client";
import { defineAction } from "@/lib/action";
import {
  connectTelegramBot,
  createTelegramUserLinkCode,
  disconnectTelegramBot,
  renewTelegramLinkCode,
  saveTelegramNotices,
  telegramNoticesSchema,
  telegramTokenSchema,
  unlinkTelegramUser,
} from "@/lib/telegram/bot";
import { telegramDepsFromEnv } from "@/lib/telegram/client";

const admin = "admin" as const;
const nothing = z.object({});
const done = <T>(value: T) => {
  revalidatePath("/settings");
  return value;
};

/** Connects or replaces the bot; answers the one-time chat link code (the token never comes back). */
export const connectTelegramBotAction = defineAction({ role: admin, schema: z.object({ token: telegramTokenSchema }) }, async ({ token }, user) => {
  const r = await connectTelegramBot(await getDb(), telegramDepsFromEnv(), { tenantId: user.tenantId, token, now: new Date() });
  return done({ botUsername: r.botUsername, linkCode: r.linkCode, linkCodeExpiresAt: r.linkCodeExpiresAt.getTime() });
});

export const renewTelegramLinkCodeAction = defineAction({ role: admin, schema: nothing }, async (_input, user) => {
  const r = await renewTelegramLinkCode(await getDb(), { tenantId: user.tenantId, now: new Date() });
  return done({ linkCode: r.linkCode, linkCodeExpiresAt: r.linkCodeExpiresAt.getTime() });
});

export const disconnectTelegramBotAction = defineAction({ role: admin, schema: nothing }, async (_input, user) =>
  done(await disconnectTelegramBot(await getDb(), telegramDepsFromEnv(), { tenantId: user.tenantId })),
);

export const saveTelegramNoticesAction = defineAction({ role: admin, schema: telegramNoticesSchema }, async (notices, user) =>
  done(await saveTelegramNotices(await getDb(), { tenantId: user.tenantId, notices, now: new Date() })),
);

// Your account → Telegram: any member links their own Telegram account (what they press is recorded as them)
const own = { role: "marketer", allowPasswordChange: true } as const;

export const createTelegramUserLinkCodeAction = defineAction({ ...own, schema: nothing }, async (_input, user) => {
  const r = await createTelegramUserLinkCode(await getDb(), { tenantId: user.tenantId, userId: user.id, now: new Date() });
  revalidatePath("/account");
  return { code: r.code, expiresAt: r.expiresAt.getTime(), botUsername: r.botUsername };
});

export const unlinkTelegramUserAction = defineAction({ ...own, schema: nothing }, async (_input, user) => {
  await unlinkTelegramUser(await getDb(), { tenantId: user.tenantId, userId: user.id });
  revalidatePath("/account");
  return null;
});
