// Green API notifications (specs/other-providers.md B.5) → the same normalised items as Meta's and Gupshup's.
// One notification is one fact: an incoming message (mapped onto Meta's message types and keys, so previews,
// media, opt-out keywords and counters follow one vocabulary; the notification itself stays in `payload`),
// a status of one of our messages, or the instance's authorisation state. Chat ids are `<digits>@c.us`.
import { z } from "zod";
import {
  type ChangeEvent,
  type ParsedWebhook,
  type ParseOptions,
  type StatusUpdate,
  type WebhookError,
  type WebhookItem,
  describeBody,
  ignoredItem,
  lenient,
  lenientBoolean,
  lenientString,
  lenientStringOrNumber,
  nonEmpty,
  recordSchema,
  toDate,
} from "@/lib/whatsapp/normalised";
import { type ValueScope, normaliseMetaMessage } from "@/lib/whatsapp/parse";

const str = lenientString;
const strOrNum = lenientStringOrNumber;
const bool = lenientBoolean;
const obj = <T extends z.core.$ZodLooseShape>(shape: T) => lenient(z.looseObject(shape));

const fileSchema = obj({ downloadUrl: str, caption: str, fileName: str, mimeType: str, isAnimated: bool, isForwarded: bool, forwardingScore: strOrNum });
const quotedSchema = obj({ stanzaId: str, participant: str, typeMessage: str });
const contactSchema = z.looseObject({ displayName: str, vcard: str });

const messageDataSchema = z.looseObject({
  typeMessage: str,
  textMessageData: obj({ textMessage: str, isTemplateMessage: bool }),
  extendedTextMessageData: obj({ text: str, description: str, title: str, stanzaId: str, participant: str, isForwarded: bool, forwardingScore: strOrNum }),
  fileMessageData: fileSchema,
  locationMessageData: obj({ nameLocation: str, address: str, latitude: strOrNum, longitude: strOrNum }),
  contactMessageData: lenient(contactSchema),
  messages: lenient(z.array(z.looseObject({ contactMessageData: lenient(contactSchema) }))),
  quotedMessage: quotedSchema,
  buttonsResponseMessage: obj({ stanzaId: str, selectedButtonId: str, selectedButtonText: str }),
  templateButtonReplyMessage: obj({ stanzaId: str, selectedId: str, selectedDisplayText: str }),
  listResponseMessage: obj({ stanzaId: str, title: str, description: str, selectedRowId: str, singleSelectReply: obj({ selectedRowId: str }) }),
});

const notificationSchema = z.looseObject({
  typeWebhook: z.string().min(1),
  instanceData: obj({ idInstance: strOrNum, wid: str, typeInstance: str }),
  timestamp: strOrNum,
  idMessage: str,
  senderData: obj({ chatId: str, chatName: str, sender: str, senderName: str, senderContactName: str }),
  messageData: lenient(messageDataSchema),
  chatId: str,
  status: str,
  description: str,
  sendByApi: bool,
  stateInstance: str,
});

type Notification = z.infer<typeof notificationSchema>;
type MessageData = z.infer<typeof messageDataSchema>;

/** `79001234567@c.us` → `79001234567`; groups (`@g.us`) and hidden numbers (`@lid`) are not a person's phone. */
export function chatPhone(chatId: string | undefined): string | null {
  const m = /^(\d{7,15})@c\.us$/.exec(chatId?.trim() ?? "");
  return m ? m[1]! : null;
}

// Green API puts an "API exception" code in place of content it could not fetch (e.g. textMessage = "SWE001").
const SWE_CODE = /^\s*(SWE\d{3})\b/;

const media = (f: MessageData["fileMessageData"], extra: Record<string, unknown> = {}) => ({
  url: f?.downloadUrl,
  mime_type: f?.mimeType,
  caption: f?.caption,
  filename: f?.fileName,
  ...extra,
});

/** Green's message types onto Meta's keys: the rest of the pipeline (previews, media, opt-out keywords) sees one vocabulary. */
function toMetaBody(d: MessageData): Record<string, unknown> {
  const quoted = d.quotedMessage?.stanzaId ?? d.extendedTextMessageData?.stanzaId;
  const text = d.textMessageData?.textMessage ?? d.extendedTextMessageData?.text;
  switch (d.typeMessage) {
    case "textMessage":
    case "extendedTextMessage":
    case "quotedMessage":
      return { type: "text", text: { body: text ?? "" }, ...(quoted ? { context: { id: quoted, from: d.quotedMessage?.participant } } : {}) };
    case "imageMessage":
    case "videoMessage":
    case "audioMessage":
    case "documentMessage": {
      const type = d.typeMessage.replace("Message", "");
      return { type, [type]: media(d.fileMessageData) };
    }
    case "stickerMessage":
      return { type: "sticker", sticker: media(d.fileMessageData, { animated: d.fileMessageData?.isAnimated }) };
    case "locationMessage":
    case "liveLocationMessage": {
      const l = d.locationMessageData;
      return { type: "location", location: { latitude: l?.latitude, longitude: l?.longitude, name: l?.nameLocation, address: l?.address } };
    }
    case "contactMessage":
    case "contactsArrayMessage": {
      const all = d.contactMessageData ? [d.contactMessageData] : (d.messages ?? []).flatMap((m) => (m.contactMessageData ? [m.contactMessageData] : []));
      return { type: "contacts", contacts: all.map((c) => ({ name: { formatted_name: c.displayName } })) };
    }
    case "reactionMessage":
      return { type: "reaction", reaction: { message_id: quoted, emoji: d.extendedTextMessageData?.text ?? "" } };
    case "buttonsResponseMessage": {
      const b = d.buttonsResponseMessage;
      return { type: "button", button: { text: b?.selectedButtonText, payload: b?.selectedButtonId }, ...(b?.stanzaId ? { context: { id: b.stanzaId } } : {}) };
    }
    case "templateButtonsReplyMessage": {
      const b = d.templateButtonReplyMessage;
      return { type: "button", button: { text: b?.selectedDisplayText, payload: b?.selectedId }, ...(b?.stanzaId ? { context: { id: b.stanzaId } } : {}) };
    }
    case "listResponseMessage": {
      const l = d.listResponseMessage;
      const reply = { id: l?.selectedRowId ?? l?.singleSelectReply?.selectedRowId, title: l?.title, description: l?.description };
      return { type: "interactive", interactive: { type: "list_reply", list_reply: reply }, ...(l?.stanzaId ? { context: { id: l.stanzaId } } : {}) };
    }
    default:
      return { type: "unsupported", unsupported: { type: d.typeMessage ?? "unknown" } };
  }
}

/** A stored Green notification's message as Meta's message object (type, its keys and `context`), for rendering. */
export function greenMessageBody(notification: Record<string, unknown>): Record<string, unknown> {
  const parsed = messageDataSchema.safeParse(notification.messageData ?? {});
  return parsed.success ? toMetaBody(parsed.data) : {};
}

/** An API exception in place of the content: the message is kept as unsupported, with the code as its error. */
function apiException(d: MessageData): WebhookError | null {
  const code = SWE_CODE.exec(d.textMessageData?.textMessage ?? d.extendedTextMessageData?.text ?? d.fileMessageData?.downloadUrl ?? "")?.[1];
  return code ? { code, title: `Green API could not deliver the content (${code})`, message: null, details: null } : null;
}

// Notifications about a message that is not new: nothing to count or to attribute.
const NOT_NEW = new Set(["editedMessage", "deletedMessage"]);

function parseIncoming(n: Notification, receivedAt: Date): WebhookItem {
  const record = recordSchema.parse(n);
  const chat = n.senderData?.chatId ?? "";
  if (!n.idMessage) return ignoredItem(n.typeWebhook, "message without idMessage");
  if (chat.endsWith("@g.us")) return ignoredItem(n.typeWebhook, "group chat message");
  const from = chatPhone(n.senderData?.sender ?? chat);
  if (!from) return ignoredItem(n.typeWebhook, "the sender is not a phone (@c.us) chat");
  const data = n.messageData ?? {};
  if (NOT_NEW.has(data.typeMessage ?? "")) return ignoredItem(n.typeWebhook, `${data.typeMessage}: not a new message`);
  const exception = apiException(data);
  const body = exception
    ? { type: "unsupported", unsupported: { type: data.typeMessage ?? "unknown" }, errors: [{ title: exception.title }] }
    : toMetaBody(data);
  const forwarded = data.fileMessageData?.isForwarded ?? data.extendedTextMessageData?.isForwarded;
  const context = (body.context as Record<string, unknown> | undefined) ?? (forwarded ? {} : undefined);
  const metaShaped = { ...body, id: n.idMessage, from, timestamp: n.timestamp, ...(context ? { context: { ...context, forwarded } } : {}) };
  const scope: ValueScope = { wabaId: null, phoneNumberId: null, displayPhoneNumber: chatPhone(n.instanceData?.wid), receivedAt };
  const profileName = nonEmpty(n.senderData?.senderName) ?? nonEmpty(n.senderData?.chatName);
  const item = normaliseMetaMessage(metaShaped, scope, [{ waId: from, userId: null, parentUserId: null, username: null, profileName }]);
  if (item.kind !== "message") return item;
  return { ...item, payload: record, errors: exception ? [exception] : item.errors };
}

// Statuses that mean the message will not arrive, with what the console shows for them.
const FAILURES: Record<string, string> = {
  failed: "Green API reported the message failed",
  noAccount: "The number has no WhatsApp account",
  notInGroup: "The instance is not a member of this group",
  yellowCard: "Sending is suspended: WhatsApp gave the instance a yellow card for spam-like activity",
};

function parseStatus(n: Notification, receivedAt: Date): WebhookItem {
  if (!n.idMessage) return ignoredItem(n.typeWebhook, "status without idMessage");
  const raw = n.status ?? "unknown";
  const failure = FAILURES[raw];
  const description = nonEmpty(n.description);
  const code = failure ? (SWE_CODE.exec(description ?? "")?.[1] ?? raw) : null;
  const status: StatusUpdate = {
    kind: "status",
    phoneNumberId: null,
    wabaId: null,
    wamid: n.idMessage,
    providerMessageId: null,
    matchIds: [n.idMessage],
    status: failure ? "failed" : raw,
    timestamp: toDate(n.timestamp) ?? receivedAt,
    recipientId: chatPhone(n.chatId),
    recipientUserId: null,
    conversation: null,
    pricing: null,
    errors: failure ? [{ code, title: description ?? failure, message: failure, details: description }] : [],
    bizOpaqueCallbackData: null,
  };
  return status;
}

function parseState(n: Notification, receivedAt: Date): ChangeEvent {
  if (!n.stateInstance) return ignoredItem(n.typeWebhook, "no stateInstance");
  return { kind: "instance_state", state: n.stateInstance, timestamp: toDate(n.timestamp) ?? receivedAt };
}

/**
 * Parses one Green API notification. Messages sent from the phone or through the API (`outgoing…Received`)
 * and the other types are kept as `ignored` items (the stored body keeps them). Throws a plain Error only when
 * the body is not a notification at all.
 */
export function parseGreenWebhook(json: unknown, options: ParseOptions = {}): ParsedWebhook {
  const parsed = notificationSchema.safeParse(json);
  if (!parsed.success) throw new Error(`not a Green API notification: ${describeBody(json, "no typeWebhook")}`);
  const n = parsed.data;
  const receivedAt = options.receivedAt ?? new Date();
  const item =
    n.typeWebhook === "incomingMessageReceived"
      ? parseIncoming(n, receivedAt)
      : n.typeWebhook === "outgoingMessageStatus"
        ? parseStatus(n, receivedAt)
        : n.typeWebhook === "stateInstanceChanged"
          ? parseState(n, receivedAt)
          : ignoredItem(n.typeWebhook, "notification type not handled");
  return { provider: "green", items: [item], phoneNumberIds: [] };
}

/**
 * The redelivery key of a notification: Green resends the same notification until it gets a 200, so the
 * message id (with the type, and the status for statuses) names it; a state change has no id, its time does.
 */
export function greenNotificationKey(json: unknown): string | null {
  const parsed = notificationSchema.safeParse(json);
  if (!parsed.success) return null;
  const n = parsed.data;
  if (n.idMessage) return [n.typeWebhook, n.idMessage, n.status ?? ""].join(":");
  if (n.timestamp !== undefined) return [n.typeWebhook, String(n.timestamp), n.stateInstance ?? ""].join(":");
  return null;
}
