// POST /api/telegram/{key} – updates from the workspace's managers' bot (Telegram's webhook; X-Telegram-Bot-Api-Secret-Token)
import { getDb } from "@/db/client";
import { afterResponse, jsonError } from "@/lib/http";
import { telegramDepsFromEnv } from "@/lib/telegram/client";
import { handleTelegramUpdate } from "@/lib/telegram/updates";
import { readRawBody, unreadBodyResponse } from "@/lib/webhook-http";

export const dynamic = "force-dynamic";

// updates are small (a message or a button press): nothing larger is read
const MAX_UPDATE_BYTES = 64 * 1024;

export async function POST(req: Request, ctx: { params: Promise<{ key: string }> }) {
  const { key } = await ctx.params;
  const body = await readRawBody(req, MAX_UPDATE_BYTES);
  if (!body.ok) return body.status === 413 ? jsonError(413, "payload_too_large", "An update is never larger than 64 KiB") : unreadBodyResponse(body.status);
  const outcome = await handleTelegramUpdate(await getDb(), telegramDepsFromEnv(), {
    webhookKey: key,
    secretToken: req.headers.get("x-telegram-bot-api-secret-token"),
    rawBody: body.bytes,
    now: new Date(),
  });
  // Telegram waits for the answer before sending the next update: reply first, then talk back to Telegram
  if (outcome.followUp) afterResponse(outcome.followUp);
  return Response.json(outcome.body, { status: outcome.status });
}
