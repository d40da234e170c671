// Marking a chat read: unread 0 and the read mark now, and for a Meta Cloud API number Meta's read receipt
// for the latest inbound message (the customer sees blue ticks). A receipt that fails never fails the call.
import type { Db } from "@/db/client";
import { getNumberById } from "@/db/queries";
import { getLatestInboundMessage } from "@/db/queries/chat-transcript";
import { getChatKeys, markChatRead } from "@/db/queries/inbox";
import { AppError } from "@/lib/errors";
import { describeGraphFailure, type GraphConfig, graphRequest } from "@/lib/graph/client";
import { numberAccessToken } from "@/lib/numbers/numbers";
import { z } from "zod";

export type ReadDeps = { encryptionKey: string; graph: GraphConfig };
export type ReceiptOutcome = "sent" | "failed" | "not_applicable";

const receiptAnswer = z.looseObject({ success: z.boolean().optional() });

/** Marks the chat read, then sends the read receipt where there is one to send (Cloud API, not demo, an inbound message). */
export async function markChatAsRead(
  db: Db,
  deps: ReadDeps,
  { tenantId, chatId, now }: { tenantId: string; chatId: string; now: Date },
): Promise<ReceiptOutcome> {
  const chat = await getChatKeys(db, { tenantId, id: chatId });
  if (!chat) throw new AppError("not_found", "Conversation not found");
  await markChatRead(db, { tenantId, id: chatId, now });
  const number = await getNumberById(db, { tenantId, id: chat.numberId });
  if (!number || number.provider !== "cloud" || number.demo || !number.phoneNumberId || !number.accessTokenEnc) return "not_applicable";
  const latest = await getLatestInboundMessage(db, { tenantId, subscriberId: chat.subscriberId, numberId: chat.numberId });
  if (!latest) return "not_applicable";
  try {
    const res = await graphRequest(deps.graph, {
      method: "POST",
      path: `${number.phoneNumberId}/messages`,
      token: numberAccessToken(number, deps.encryptionKey),
      body: { messaging_product: "whatsapp", status: "read", message_id: latest.wamid },
      schema: receiptAnswer,
    });
    if (res.ok) return "sent";
    console.warn(`[clicktrail] read receipt for ${latest.wamid} on ${number.label} failed: ${describeGraphFailure(res.error)}`);
  } catch (e) {
    // an unreadable token: the chat is read all the same
    console.warn(`[clicktrail] read receipt for ${latest.wamid} on ${number.label} not sent`, e);
  }
  return "failed";
}
