// Replying from the inbox (POST /api/v1/conversations/{id}/messages): free text, an approved Meta template with
// its body parameters, or media by link, to one chat. The reply is checked (the number can send, the 24-hour
// window for free text and media on the Cloud API, the template exists, the quoted message is this chat's),
// recorded pending with its chat's last message and its send job, and answered; the send runs right after the
// answer (lib/inbox/deliver-reply.ts). An Idempotency-Key makes a retried request answer the first reply.
import { z } from "zod";
import type { Db } from "@/db/client";
import type { NumberRow } from "@/db/queries";
import { getChatMessage, getReplyTarget, insertPendingReply, requeueFailedReply } from "@/db/queries/replies";
import { sha256Hex } from "@/lib/crypto";
import { AppError } from "@/lib/errors";
import { type ApprovedMetaTemplate, listApprovedMetaTemplates } from "@/lib/templates/meta-templates";
import type { ReplyContext, ReplyDeps } from "./deliver-reply";
import { requireChat } from "./list";
import { getTranscriptMessage, pendingReplyMessage, type TranscriptMessage } from "./transcript";

/** The request sends it at once; if it never does (the process died), the jobs queue picks it up after this. */
export const REPLY_FALLBACK_MS = 60_000;

const httpsLink = z
  .url({ protocol: /^https$/, error: "Must be an https URL" })
  .max(2048)
  .meta({ description: "A public https URL the provider downloads the file from" });
const replyTo = z.uuid().optional().meta({ description: "The id of a message of this chat to quote" });
const caption = z.string().min(1).max(1024).optional();
const media = <K extends "image" | "video" | "audio">(kind: K) => z.strictObject({ type: z.literal(kind), link: httpsLink, caption, replyTo });

export const replyBodySchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("text"), text: z.string().trim().min(1).max(4096), replyTo }),
  z.strictObject({
    type: z.literal("template"),
    template: z.strictObject({
      name: z.string().min(1).max(512),
      language: z.string().min(2).max(15).meta({ description: "e.g. en_US" }),
      parameters: z.array(z.string().min(1).max(1024)).max(60).default([]).meta({ description: "The body's parameters, in order" }),
    }),
    replyTo,
  }),
  media("image"),
  media("video"),
  media("audio"),
  z.strictObject({ type: z.literal("document"), link: httpsLink, caption, filename: z.string().min(1).max(240).optional(), replyTo }),
]);
export type ReplyBody = z.output<typeof replyBodySchema>;

export const idempotencyKeySchema = z.string().min(1).max(200);

/** Why nothing can be sent through this number, or null when it can send. */
function numberRefusal(number: NumberRow): string | null {
  if (number.demo) return `${number.label} is a demo number: it has no provider connection, so replies cannot be sent through it`;
  if (!number.active) return `${number.label} is inactive: activate it on the number's page to reply`;
  if (number.provider === "gupshup")
    return `${number.label} is a Gupshup number: replying through Gupshup is not supported, only Meta Cloud API and Green API numbers`;
  if (number.provider === "cloud" && (!number.phoneNumberId || !number.accessTokenEnc))
    return `${number.label} has no Phone Number ID or access token: complete it on the number's page`;
  if (number.provider === "green" && (!number.greenApiUrl || !number.greenInstanceId || !number.greenTokenEnc))
    return `${number.label} has no Green API instance or token: complete it on the number's page`;
  return null;
}

const cannotSend = (message: string) => new AppError("unprocessable", message, undefined, "number_cannot_send");

/** The approved template, its parameters bound in order, and its body with them filled (the message's preview). */
async function resolveTemplate(
  db: Db,
  deps: ReplyDeps,
  { tenantId, number, body }: { tenantId: string; number: NumberRow; body: Extract<ReplyBody, { type: "template" }> },
) {
  const { name, language, parameters } = body.template;
  if (number.provider !== "cloud") throw cannotSend(`${number.label} is a Green API number: approved templates are Meta's; send free text instead`);
  const { templates } = await listApprovedMetaTemplates(db, deps, { tenantId, numberId: number.id });
  const found = templates.find((t) => t.name === name && t.language === language);
  if (!found) throw new AppError("unprocessable", `${number.label} has no approved Meta template “${name}” in ${language}`, undefined, "template_not_found");
  if (found.unsupported)
    throw new AppError("unprocessable", `Template “${name}” cannot be sent from the inbox: ${found.unsupported}`, undefined, "template_unsupported");
  if (found.parameters.length !== parameters.length)
    throw new AppError(
      "unprocessable",
      `Template “${name}” takes ${found.parameters.length} body parameter(s), ${parameters.length} given`,
      { fieldErrors: { "template.parameters": [`Give ${found.parameters.length} value(s), in order`] } },
      "template_parameters",
    );
  let preview = found.body ?? `[${name}]`;
  found.parameters.forEach((p, i) => (preview = preview.replaceAll(new RegExp(`\\{\\{\\s*${p}\\s*\\}\\}`, "g"), parameters[i]!)));
  return { keys: found.parameters, preview };
}

/** The stored payload: Meta's message object (so the transcript renders it) plus what the send needs. */
function payloadOf(body: ReplyBody, quoted: string | null, template: { keys: string[] } | null): Record<string, unknown> {
  const context = quoted ? { context: { id: quoted } } : {};
  if (body.type === "text") return { type: "text", text: { body: body.text }, ...context };
  if (body.type === "template") return { type: "template", template: { ...body.template, keys: template?.keys ?? [] }, ...context };
  const { type, link, caption: c } = body;
  const filename = body.type === "document" ? body.filename : undefined;
  return { type, [type]: { link, ...(c ? { caption: c } : {}), ...(filename ? { filename } : {}) }, ...context };
}

/** `context`: what the send right after the answer needs, as this request read it (absent for a repeated key). */
type Created = { message: TranscriptMessage; created: boolean; context?: ReplyContext };

/** The first reply of an Idempotency-Key: answered again for the same request, 409 for another. */
async function answerFirst(
  db: Db,
  { tenantId, first, hash }: { tenantId: string; first: { id: string; requestHash: string | null }; hash: string },
): Promise<Created> {
  if (first.requestHash !== hash)
    throw new AppError(
      "conflict",
      "This Idempotency-Key was already used for a different message; use a new key for a new message",
      undefined,
      "idempotency_key_reused",
    );
  const message = await getTranscriptMessage(db, { tenantId, id: first.id });
  if (!message) throw new AppError("not_found", "Message not found");
  return { message, created: false };
}

/**
 * Records a reply to a chat (its id or one of its conversations' ids) as pending and answers it; `created` false
 * when the Idempotency-Key was used before with the same body (nothing is recorded or sent again). The caller
 * runs the send after answering (deliverReplyNow).
 */
export async function createReply(
  db: Db,
  deps: ReplyDeps,
  input: { tenantId: string; chatId: string; userId: string | null; idempotencyKey: string | null; body: ReplyBody; now: Date },
): Promise<Created> {
  const { tenantId, body, now } = input;
  // the chat, its number and subscriber, and the reply the Idempotency-Key names: one read
  const target = await getReplyTarget(db, { tenantId, id: input.chatId, idempotencyKey: input.idempotencyKey });
  if (!target) throw new AppError("not_found", "Conversation not found");
  const { chat, number, subscriber } = target;
  const hash = sha256Hex(JSON.stringify({ chat: chat.id, body }));
  if (target.first) return answerFirst(db, { tenantId, first: target.first, hash });
  const refusal = numberRefusal(number);
  if (refusal) throw cannotSend(refusal);
  if (!subscriber.waPhone && !subscriber.waId) throw cannotSend(`${subscriber.profileName ?? "This person"} has no WhatsApp phone number we can send to`);
  const windowOpen = chat.windowExpiresAt !== null && chat.windowExpiresAt.getTime() > now.getTime();
  if (number.provider === "cloud" && body.type !== "template" && !windowOpen)
    throw new AppError(
      "unprocessable",
      "The 24-hour customer service window of this chat is closed: WhatsApp only delivers an approved message template until the person writes again. Send an approved template instead.",
      { windowExpiresAt: chat.windowExpiresAt },
      "window_closed",
    );
  let quoted: { wamid: string; id: string; preview: string | null } | null = null;
  if (body.replyTo) {
    const target = await getChatMessage(db, { tenantId, subscriberId: subscriber.id, numberId: number.id, id: body.replyTo });
    if (!target) throw new AppError("not_found", "replyTo is not a message of this conversation");
    if (!target.wamid) throw new AppError("unprocessable", "The message to quote has not been sent yet", undefined, "reply_to_not_sent");
    quoted = { wamid: target.wamid, id: target.id, preview: target.textPreview };
  }
  const template = body.type === "template" ? await resolveTemplate(db, deps, { tenantId, number, body }) : null;
  const preview = body.type === "text" ? body.text : body.type === "template" ? template!.preview : (body.caption ?? null);
  const payload = { ...payloadOf(body, quoted?.wamid ?? null, template), request_sha256: hash };
  const conversationId = windowOpen ? chat.latestConversationId : null;
  const stored = await insertPendingReply(db, {
    row: {
      tenantId,
      subscriberId: subscriber.id,
      numberId: number.id,
      conversationId,
      direction: "outbound",
      type: body.type,
      textPreview: preview,
      payload,
      providerTimestamp: now,
      idempotencyKey: input.idempotencyKey,
      sentByUserId: input.userId,
    },
    jobRunAt: new Date(now.getTime() + REPLY_FALLBACK_MS),
    now,
  });
  if (!stored.created) return answerFirst(db, { tenantId, first: stored, hash });
  // the answer is what the transcript will read back, built from what was just written
  const message = pendingReplyMessage(
    {
      id: stored.id,
      conversationId,
      direction: "outbound",
      wamid: null,
      type: body.type,
      textPreview: preview,
      payload,
      status: "pending",
      sentAt: null,
      deliveredAt: null,
      readAt: null,
      failedAt: null,
      errorCode: null,
      errorTitle: null,
      errorDetail: null,
      providerTimestamp: now,
      sentByUserId: input.userId,
      sentByName: stored.sentByName,
    },
    quoted,
  );
  return {
    message,
    created: true,
    context: { message: { id: stored.id, tenantId, subscriberId: subscriber.id, numberId: number.id, type: body.type, payload }, number, subscriber },
  };
}

/** A failed reply back to pending, to be sent again right after the answer; 409 not_failed for anything else. */
export async function retryReply(db: Db, { tenantId, id, now }: { tenantId: string; id: string; now: Date }): Promise<TranscriptMessage> {
  const before = await getTranscriptMessage(db, { tenantId, id });
  if (!before) throw new AppError("not_found", "Message not found");
  const requeued = await requeueFailedReply(db, { tenantId, id, jobRunAt: new Date(now.getTime() + REPLY_FALLBACK_MS), now });
  if (!requeued) throw new AppError("conflict", `Only a failed reply can be retried; this message is ${before.status}`, undefined, "not_failed");
  return (await getTranscriptMessage(db, { tenantId, id }))!;
}

/**
 * The approved Meta templates a reply to this chat may send (its number's), for the composer outside the window:
 * any member may read them here (the number's own list is for managers binding drip templates).
 */
export async function listReplyTemplates(
  db: Db,
  deps: ReplyDeps,
  { tenantId, chatId, now }: { tenantId: string; chatId: string; now: Date },
): Promise<{ numberId: string; wabaId: string; templates: ApprovedMetaTemplate[] }> {
  const chat = await requireChat(db, { tenantId, id: chatId, now });
  return listApprovedMetaTemplates(db, deps, { tenantId, numberId: chat.number.id });
}
