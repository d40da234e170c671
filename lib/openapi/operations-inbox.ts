// The inbox's operations: chats newest activity first with the inbox page's filters, one chat, its transcript
// (with referral cards and conversions), assignment, and marking read (with Meta's read receipt).
import { z } from "zod";
import { MESSAGE_DIRECTIONS, PROVIDERS } from "@/db/schema";
import { assignChat } from "@/lib/inbox/assign";
import { chatFiltersSchema, chatPageParamsSchema, listChats, type PublicChat, requireChat } from "@/lib/inbox/list";
import { markChatAsRead, type ReceiptOutcome } from "@/lib/inbox/read";
import { getTranscript, type Transcript } from "@/lib/inbox/transcript";
import { getEnv } from "@/lib/env";
import { type ApiOperation, defineOperation } from "./registry";
import { type Equal, type Jsonified, pageOf } from "./schemas";

const uuid = z.uuid();
const isoTime = z.string().meta({ format: "date-time" });
const nullableText = z.string().nullable();

const CHAT_ID_DESCRIPTION =
  "A conversation (chat) id as GET /api/v1/conversations lists it, or the id of one of its 24-hour conversations (the `conversionId`/`conversationId` the conversions API uses), which resolves to its chat. An unknown id, another workspace's id or anything that is not a UUID answers 404";
const chatParams = z.object({ id: z.uuid().meta({ description: CHAT_ID_DESCRIPTION }) });

export const chatSchema = z
  .object({
    id: uuid.meta({ description: "The chat: one per subscriber and number" }),
    latestConversationId: uuid.nullable().meta({ description: "The latest 24-hour conversation (the conversions API's conversationId)" }),
    subscriber: z.object({ id: uuid, name: nullableText.meta({ description: "WhatsApp profile name" }), phone: nullableText.meta({ description: "E.164" }) }),
    number: z.object({ id: uuid, label: z.string(), provider: z.enum(PROVIDERS) }),
    lastMessage: z
      .object({
        id: uuid,
        direction: z.enum(MESSAGE_DIRECTIONS),
        type: z.string(),
        preview: nullableText.meta({ description: "Up to 200 characters" }),
        at: isoTime,
      })
      .nullable(),
    lastInboundAt: isoTime.nullable(),
    unreadCount: z.number().int(),
    windowExpiresAt: isoTime.nullable().meta({ description: "When the 24-hour customer service window closes (null: the person never wrote)" }),
    windowOpen: z.boolean(),
    assignee: z.object({ id: uuid, name: z.string() }).nullable(),
    assignedAt: isoTime.nullable(),
    ad: z
      .object({
        conversationId: uuid,
        adId: nullableText,
        adName: nullableText,
        campaignName: nullableText,
        headline: nullableText,
        ctwaClid: nullableText.meta({ description: "The Click-to-WhatsApp click id" }),
      })
      .nullable()
      .meta({ description: "The latest conversation of the chat that began from an ad" }),
    demo: z.boolean(),
  })
  .meta({ id: "Chat" });
const _chatIsExact: Equal<z.output<typeof chatSchema>, Jsonified<PublicChat>> = true;

export const chatMessageSchema = z
  .object({
    id: uuid,
    conversationId: uuid.nullable(),
    direction: z.enum(MESSAGE_DIRECTIONS),
    type: z.string().meta({ description: "Meta's type: text, image, video, audio, document, sticker, location, contacts, interactive, button, …" }),
    text: nullableText.meta({ description: "The text, or a media message's caption" }),
    status: z.string(),
    at: isoTime.meta({ description: "The provider's time of the message" }),
    sentAt: isoTime.nullable(),
    deliveredAt: isoTime.nullable(),
    readAt: isoTime.nullable(),
    failedAt: isoTime.nullable(),
    error: z.object({ code: nullableText, title: nullableText, detail: nullableText }).nullable().meta({ description: "Why it failed, as the provider said" }),
    media: z
      .object({
        url: z.string().meta({ description: "GET it: /api/v1/messages/{id}/media (or, for media a reply sent by link, that public https link)" }),
        mimeType: nullableText,
        filename: nullableText,
        caption: nullableText,
      })
      .nullable(),
    location: z.object({ latitude: z.number(), longitude: z.number(), name: nullableText, address: nullableText }).nullable(),
    contacts: z.array(z.object({ name: nullableText, phones: z.array(z.string()) })).nullable(),
    reply: z.object({ id: nullableText, title: nullableText }).nullable().meta({ description: "The button or list row the person tapped" }),
    reactions: z
      .array(z.object({ emoji: z.string(), from: z.enum(MESSAGE_DIRECTIONS), at: isoTime }))
      .meta({ description: "Reactions on this message, the latest of each side (reactions are not listed as messages)" }),
    context: z
      .object({
        messageId: uuid.nullable().meta({ description: "The quoted message (null: older than our records)" }),
        preview: nullableText,
      })
      .nullable()
      .meta({ description: "The message this one replies to" }),
    sentBy: z.object({ id: uuid, name: z.string() }).nullable().meta({ description: "Who sent it from the console" }),
    drip: z
      .object({
        outboundId: uuid.meta({ description: "Its drip queue row" }),
        templateId: uuid.nullable(),
        templateName: nullableText.meta({ description: "The drip template's name" }),
        metaTemplate: z
          .object({ name: z.string(), language: z.string() })
          .nullable()
          .meta({ description: "The approved Meta template it was sent as (outside the 24-hour window); null: sent as free text" }),
      })
      .nullable()
      .meta({ description: "Set on a message the drip sent" }),
  })
  .meta({ id: "ChatMessage" });

export const transcriptSchema = z
  .object({
    rows: z.array(chatMessageSchema).meta({ description: "Newest first" }),
    nextCursor: z.string().nullable().meta({ description: "Pass as `cursor` for older messages; null on the last page" }),
    conversations: z
      .array(
        z.object({
          id: uuid,
          startedAt: isoTime,
          windowExpiresAt: isoTime,
          referral: z
            .object({
              sourceType: nullableText,
              sourceUrl: nullableText,
              headline: nullableText,
              body: nullableText,
              imageUrl: nullableText,
              thumbnailUrl: nullableText,
              ctwaClid: nullableText,
              adId: nullableText,
              adName: nullableText,
              campaignName: nullableText,
            })
            .nullable()
            .meta({ description: "The ad or post the conversation began from" }),
        }),
      )
      .meta({ description: "The 24-hour conversations of this page's messages" }),
    conversions: z
      .array(
        z.object({
          id: uuid,
          conversationId: uuid,
          eventName: z.string(),
          value: z.number().nullable(),
          currency: nullableText,
          status: z.string(),
          at: isoTime,
        }),
      )
      .meta({ description: "Conversions recorded on those conversations" }),
  })
  .meta({ id: "ChatTranscript" });
const _transcriptIsExact: Equal<z.output<typeof transcriptSchema>, Jsonified<Transcript>> = true;

const readResultSchema = chatSchema
  .extend({
    receipt: z.enum(["sent", "failed", "not_applicable"]).meta({
      description:
        "Meta's read receipt for the latest inbound message: `sent`; `failed` (logged; the chat is read all the same); `not_applicable` for Green API, Gupshup and demo numbers, or a chat without inbound messages",
    }),
  })
  .meta({ id: "ChatRead" });
const _receiptIsExact: Equal<z.output<typeof readResultSchema>["receipt"], ReceiptOutcome> = true;

const assignBodySchema = z.strictObject({ assignedUserId: z.uuid().nullable() });

const readDeps = () => {
  const env = getEnv();
  return { encryptionKey: env.ENCRYPTION_KEY, graph: { base: env.GRAPH_API_BASE, version: env.GRAPH_API_VERSION } };
};
const pageNotes = { cursor: "`nextCursor` of the previous page; omit for the first page", limit: "Rows per page, 1–100 (default 50)" };

export const inboxOperations: ApiOperation[] = [
  defineOperation({
    method: "get",
    path: "/api/v1/conversations",
    operationId: "listConversations",
    tag: "Inbox",
    summary: "List conversations",
    description: "The inbox: one row per subscriber and number, newest activity first, keyset-paginated, with the filters of the inbox page.",
    query: [chatFiltersSchema, chatPageParamsSchema],
    queryNotes: {
      numberId: "Only chats on this number",
      assigned: "`me` (needs a console session: an API key answers 422 `assigned_me_needs_user`), `unassigned` or `anyone` (default)",
      unread: "`true`: only chats with unread messages",
      windowOpen: "`true`: only chats whose 24-hour window is open now",
      adId: "Only chats whose latest ad conversation came from this ad",
      q: "The subscriber's phone (3 digits or more, a prefix) or name (3 characters or more)",
      ...pageNotes,
    },
    responses: [{ status: 200, description: "One page of conversations", schema: pageOf(chatSchema) }],
    errors: [{ status: 422, code: "assigned_me_needs_user", message: "assigned=me needs a signed-in user: …" }],
    handler: async ({ db, principal, tenantId, query }) => {
      const { cursor, limit, ...filters } = query;
      return listChats(db, { tenantId, viewerUserId: principal.userId, filters, cursor, limit, now: new Date() });
    },
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/conversations/{id}",
    operationId: "getConversation",
    tag: "Inbox",
    summary: "Get a conversation",
    description: "One chat, as the list shows it. `{id}` may also be a 24-hour conversation's id (the conversions API's), which resolves to its chat.",
    params: chatParams,
    responses: [{ status: 200, description: "The conversation", schema: chatSchema }],
    handler: async ({ db, tenantId, params }) => requireChat(db, { tenantId, id: params.id, now: new Date() }),
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/conversations/{id}/messages",
    operationId: "listConversationMessages",
    tag: "Inbox",
    summary: "A conversation's messages",
    description:
      "The chat's transcript newest first, keyset-paginated: each message rendered for a person (text or caption, media through /api/v1/messages/{id}/media, location, contacts, tapped replies, the quoted message, reactions on the message they react to), with the page's 24-hour conversations (their referral) and the conversions recorded on them.",
    params: chatParams,
    query: [chatPageParamsSchema],
    queryNotes: pageNotes,
    responses: [{ status: 200, description: "One page of messages", schema: transcriptSchema }],
    handler: async ({ db, tenantId, params, query }) => {
      const chat = await requireChat(db, { tenantId, id: params.id, now: new Date() });
      return getTranscript(db, { tenantId, chatId: chat.id, ...query });
    },
  }),
  defineOperation({
    method: "patch",
    path: "/api/v1/conversations/{id}",
    operationId: "assignConversation",
    tag: "Inbox",
    summary: "Assign a conversation",
    description:
      "Managers and admins (and API keys) assign anyone of the workspace, or unassign with null. A marketer may take an unassigned conversation for themselves only.",
    params: chatParams,
    body: assignBodySchema,
    bodyNotes: { assignedUserId: "A user of the workspace, or null to unassign" },
    bodyExample: { assignedUserId: "6c1e2f3a-4b5d-4e6f-8a7b-9c0d1e2f3a4b" },
    responses: [{ status: 200, description: "The conversation", schema: chatSchema }],
    errors: [
      { status: 403, code: "forbidden", message: "A marketer can only take an unassigned conversation for themselves; a manager assigns others or unassigns" },
      { status: 422, code: "user_not_member", message: "That user is not a member of this workspace" },
    ],
    handler: async ({ db, principal, tenantId, params, body }) => {
      const chat = await requireChat(db, { tenantId, id: params.id, now: new Date() });
      await assignChat(db, { principal, chatId: chat.id, assignedUserId: body.assignedUserId, now: new Date() });
      return requireChat(db, { tenantId, id: chat.id, now: new Date() });
    },
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/conversations/{id}/read",
    operationId: "markConversationRead",
    tag: "Inbox",
    summary: "Mark a conversation read",
    description:
      "Sets its unread count to 0 and, for a Meta Cloud API number, sends Meta's read receipt for the latest inbound message (`POST /{phone-number-id}/messages` with `status: read`). A receipt Meta refuses is logged and does not fail the call.",
    params: chatParams,
    responses: [{ status: 200, description: "The conversation, read", schema: readResultSchema }],
    handler: async ({ db, tenantId, params }) => {
      const chat = await requireChat(db, { tenantId, id: params.id, now: new Date() });
      const receipt = await markChatAsRead(db, readDeps(), { tenantId, chatId: chat.id, now: new Date() });
      return { ...(await requireChat(db, { tenantId, id: chat.id, now: new Date() })), receipt };
    },
  }),
];
