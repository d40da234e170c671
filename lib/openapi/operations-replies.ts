// Answering from the inbox: sending a reply to a conversation (text, an approved template, media by link) with an
// Idempotency-Key, retrying a failed reply, and the workspace's quick replies.
import { z } from "zod";
import { afterResponse } from "@/lib/http";
import { deliverReplyNow, type ReplyContext, type ReplyDeps, replyDepsFromEnv } from "@/lib/inbox/deliver-reply";
import {
  createQuickReply,
  deleteQuickReply,
  listQuickReplies,
  type PublicQuickReply,
  quickReplyInputSchema,
  quickReplyPatchSchema,
  updateQuickReply,
} from "@/lib/inbox/quick-replies";
import { createReply, idempotencyKeySchema, listReplyTemplates, replyBodySchema, retryReply } from "@/lib/inbox/send";
import { AppError } from "@/lib/errors";
import type { Db } from "@/db/client";
import { chatMessageSchema } from "./operations-inbox";
import { approvedMetaTemplatesSchema } from "./operations-templates";
import { type ApiOperation, defineOperation, reply } from "./registry";
import type { Equal, Jsonified } from "./schemas";

const uuid = z.uuid();
const isoTime = z.string().meta({ format: "date-time" });

const chatParams = z.object({
  id: z.uuid().meta({
    description:
      "A conversation (chat) id as GET /api/v1/conversations lists it, or the id of one of its 24-hour conversations. An unknown id, another workspace's id or anything that is not a UUID answers 404",
  }),
});

const sentMessageSchema = z.object({ message: chatMessageSchema }).meta({ id: "SentChatMessage" });

export const quickReplySchema = z
  .object({ id: uuid, shortcut: z.string(), text: z.string(), createdAt: isoTime, updatedAt: isoTime })
  .meta({ id: "QuickReply" });
const _quickReplyIsExact: Equal<z.output<typeof quickReplySchema>, Jsonified<PublicQuickReply>> = true;

/** The Idempotency-Key header: absent, or 1–200 characters (else 422). */
function idempotencyKeyOf(req: Request): string | null {
  const raw = req.headers.get("idempotency-key");
  if (raw === null) return null;
  const parsed = idempotencyKeySchema.safeParse(raw);
  if (!parsed.success)
    throw new AppError(
      "unprocessable",
      "The Idempotency-Key header must be 1–200 characters",
      { fieldErrors: { "Idempotency-Key": ["1–200 characters"] } },
      "invalid_idempotency_key",
    );
  return parsed.data;
}

/** The send runs after the answer; it never fails the request (its outcome is on the message). */
function sendAfterAnswer(db: Db, deps: ReplyDeps, messageId: string, known?: ReplyContext): void {
  afterResponse(() =>
    deliverReplyNow(db, deps, { messageId, known }).catch((e: unknown) =>
      console.error(`[clicktrail] the send of reply ${messageId} did not run; the jobs queue retries it`, e),
    ),
  );
}

const SEND_DESCRIPTION = [
  "Sends a reply to the conversation's subscriber through its number: free `text` (links get a preview), an approved Meta `template` of the number with its body `parameters` in order, or an `image`, `video`, `audio` or `document` by https `link` (with an optional `caption`, and a document's `filename`). `replyTo` quotes a message of this conversation.",
  "The answer (201) is the message as the transcript shows it with `status: \"pending\"`; the send happens right after the answer, then the message becomes `accepted` (Meta Cloud API: its status webhooks move it to sent, delivered and read) or `sent` (Green API) with the provider's id, or `failed` with the provider's error code and message (POST /api/v1/messages/{id}/retry sends it again).",
  "On a Meta Cloud API number, free text and media need the 24-hour customer service window open (the person wrote in the last 24 hours): otherwise 422 `window_closed`, and an approved template is what can be sent (GET /api/v1/conversations/{id}/templates lists them). Green API numbers send free text and files at any time, but no templates.",
  "Header `Idempotency-Key` (optional, 1–200 characters, unique in the workspace): a request repeated with the same key and the same body answers 200 with the first message and sends nothing again; the same key with another body answers 409 `idempotency_key_reused`.",
].join("\n\n");

export const replyOperations: ApiOperation[] = [
  defineOperation({
    method: "post",
    path: "/api/v1/conversations/{id}/messages",
    operationId: "sendConversationMessage",
    tag: "Inbox",
    summary: "Reply to a conversation",
    description: SEND_DESCRIPTION,
    params: chatParams,
    body: replyBodySchema,
    bodyNotes: {
      type: "`text`, `template`, `image`, `video`, `audio` or `document`",
      text: "1–4096 characters (type text)",
      template: "`{ name, language, parameters }`: an approved template of the number (type template)",
      link: "An https URL the provider downloads (media types)",
      caption: "Up to 1024 characters (media types; audio has none)",
      filename: "The file name the person sees (document)",
      replyTo: "The id of a message of this conversation to quote",
    },
    bodyExample: { type: "text", text: "Hi Ana! Yes, the evening class starts at 19:00." },
    responses: [
      { status: 201, description: "The reply, pending: it is sent right after this answer", schema: sentMessageSchema },
      { status: 200, description: "The first reply of this Idempotency-Key (same body): nothing is sent again", schema: sentMessageSchema },
    ],
    errors: [
      {
        status: 409,
        code: "idempotency_key_reused",
        message: "This Idempotency-Key was already used for a different message; use a new key for a new message",
      },
      {
        status: 422,
        code: "window_closed",
        message:
          "The 24-hour customer service window of this chat is closed: WhatsApp only delivers an approved message template until the person writes again. Send an approved template instead.",
      },
      {
        status: 422,
        code: "number_cannot_send",
        message: "Sales (demo) is a demo number: it has no provider connection, so replies cannot be sent through it",
      },
      { status: 422, code: "template_not_found", message: "Sales has no approved Meta template “order_update” in en_US" },
      {
        status: 422,
        code: "template_unsupported",
        message: "Template “promo” cannot be sent from the inbox: Its header is an image, which Clicktrail cannot supply",
      },
      { status: 422, code: "template_parameters", message: "Template “order_update” takes 2 body parameter(s), 1 given" },
      { status: 422, code: "reply_to_not_sent", message: "The message to quote has not been sent yet" },
      { status: 422, code: "invalid_idempotency_key", message: "The Idempotency-Key header must be 1–200 characters" },
      { status: 502, code: "graph_error", message: "Meta did not return the approved templates: Graph error 190: Error validating access token" },
    ],
    handler: async ({ db, principal, tenantId, params, body, req }) => {
      const idempotencyKey = idempotencyKeyOf(req);
      const deps = replyDepsFromEnv();
      const { message, created, context } = await createReply(db, deps, {
        tenantId,
        chatId: params.id,
        userId: principal.userId,
        idempotencyKey,
        body,
        now: new Date(),
      });
      if (!created) return reply(200, { message });
      sendAfterAnswer(db, deps, message.id, context);
      return { message };
    },
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/conversations/{id}/templates",
    operationId: "listConversationTemplates",
    tag: "Inbox",
    summary: "Templates a reply may send",
    description:
      "The approved message templates of the conversation's number, read from Meta (`GET /{waba-id}/message_templates?status=APPROVED`) with each body's parameters: what POST /api/v1/conversations/{id}/messages sends as `type: \"template\"` when the 24-hour window is closed. Templates marked `unsupported` cannot be sent from the inbox. Any member may read them.",
    params: chatParams,
    responses: [{ status: 200, description: "The approved templates, by name and language", schema: approvedMetaTemplatesSchema }],
    errors: [
      { status: 422, code: "number_not_cloud", message: "Green line is not a Meta Cloud API number: only those have approved message templates" },
      {
        status: 422,
        code: "demo_number",
        message: "Sales (demo) is a demo number: it has no provider connection, so nothing is sent, checked or fetched through it.",
      },
      { status: 422, code: "token_unreadable", message: "The number's access token cannot be read: replace it on the number's page" },
      { status: 502, code: "graph_error", message: "Meta did not return the approved templates: Graph error 190: Error validating access token" },
    ],
    handler: async ({ db, tenantId, params }) => listReplyTemplates(db, replyDepsFromEnv(), { tenantId, chatId: params.id, now: new Date() }),
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/messages/{id}/retry",
    operationId: "retryMessage",
    tag: "Inbox",
    summary: "Retry a failed reply",
    description:
      "Sends a failed reply (one sent through POST /api/v1/conversations/{id}/messages) again: it becomes `pending` and is sent right after the answer, as a new reply is.",
    responses: [{ status: 200, description: "The reply, pending again", schema: sentMessageSchema }],
    errors: [{ status: 409, code: "not_failed", message: "Only a failed reply can be retried; this message is delivered" }],
    handler: async ({ db, tenantId, params }) => {
      const message = await retryReply(db, { tenantId, id: params.id, now: new Date() });
      sendAfterAnswer(db, replyDepsFromEnv(), message.id);
      return { message };
    },
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/quick-replies",
    operationId: "listQuickReplies",
    tag: "Inbox",
    summary: "List quick replies",
    description: "The workspace's saved answers for the inbox composer, by shortcut.",
    responses: [{ status: 200, description: "Every quick reply", schema: z.object({ rows: z.array(quickReplySchema) }) }],
    handler: async ({ db, tenantId }) => listQuickReplies(db, { tenantId }),
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/quick-replies",
    operationId: "createQuickReply",
    tag: "Inbox",
    summary: "Create a quick reply",
    role: "manager",
    body: quickReplyInputSchema,
    bodyNotes: { shortcut: "Letters, digits, _ and -, 1–32; unique in the workspace", text: "1–4096 characters" },
    bodyExample: { shortcut: "hours", text: "We are open Monday to Friday, 9:00–18:00." },
    responses: [{ status: 201, description: "The quick reply", schema: quickReplySchema }],
    errors: [
      { status: 409, code: "shortcut_taken", message: "A quick reply with the shortcut “hours” already exists" },
      { status: 422, code: "too_many_quick_replies", message: "A workspace keeps at most 500 quick replies: delete one first" },
    ],
    handler: async ({ db, principal, tenantId, body }) => createQuickReply(db, { tenantId, userId: principal.userId, input: body, now: new Date() }),
  }),
  defineOperation({
    method: "patch",
    path: "/api/v1/quick-replies/{id}",
    operationId: "updateQuickReply",
    tag: "Inbox",
    summary: "Change a quick reply",
    role: "manager",
    body: quickReplyPatchSchema,
    bodyNotes: { shortcut: "Letters, digits, _ and -, 1–32; unique in the workspace", text: "1–4096 characters" },
    bodyExample: { text: "We are open Monday to Saturday, 9:00–18:00." },
    responses: [{ status: 200, description: "The quick reply", schema: quickReplySchema }],
    errors: [{ status: 409, code: "shortcut_taken", message: "A quick reply with the shortcut “hours” already exists" }],
    handler: async ({ db, tenantId, params, body }) => updateQuickReply(db, { tenantId, id: params.id, patch: body, now: new Date() }),
  }),
  defineOperation({
    method: "delete",
    path: "/api/v1/quick-replies/{id}",
    operationId: "deleteQuickReply",
    tag: "Inbox",
    summary: "Delete a quick reply",
    role: "manager",
    responses: [{ status: 204, description: "Deleted" }],
    handler: async ({ db, tenantId, params }) => {
      await deleteQuickReply(db, { tenantId, id: params.id });
      return new Response(null, { status: 204 });
    },
  }),
];
