// Meta Cloud API webhook bodies → normalised items. Lenient by design: Meta adds types and fields without
// versioning them all, so unknown shapes become `ignored` items instead of errors; only a body that is not a
// WhatsApp Business Account webhook at all throws.
import { z } from "zod";
import {
  type ChangeEvent,
  type InboundMedia,
  type InboundMessage,
  type MessageContext,
  type NormalisedContact,
  type ParsedWebhook,
  type ParseOptions,
  type StatusUpdate,
  type WebhookError,
  type WebhookItem,
  describeBody,
  ignoredItem,
  lenient,
  lenientBoolean,
  lenientId,
  lenientList,
  lenientString,
  lenientStringOrNumber,
  messagePreview,
  nonEmpty,
  normaliseReferral,
  recordSchema,
  toDate,
  toErrorCode,
  toWebhookErrors,
  uniqueStrings,
  webhookErrorsSchema,
} from "./normalised";

const optional = lenient;
const str = lenientString;
const strOrNum = lenientStringOrNumber;
const bool = lenientBoolean;
const id = lenientId;
const list = lenientList;

const media = optional(z.looseObject({ id, url: str, mime_type: str, sha256: str, caption: str, filename: str, voice: bool, animated: bool }));

const messageSchema = z.looseObject({
  id: z.string().min(1),
  from: str,
  from_user_id: str,
  timestamp: strOrNum,
  type: str,
  context: optional(
    z.looseObject({
      from: str,
      id: str,
      forwarded: bool,
      frequently_forwarded: bool,
      referred_product: optional(z.looseObject({ catalog_id: id, product_retailer_id: str })),
    }),
  ),
  errors: webhookErrorsSchema,
  text: optional(z.looseObject({ body: str })),
  image: media,
  video: media,
  audio: media,
  document: media,
  sticker: media,
  voice: media, // legacy on-premises type for voice notes; Cloud API sends `audio` with voice: true
  location: optional(z.looseObject({ latitude: strOrNum, longitude: strOrNum, name: str, address: str })),
  contacts: optional(z.array(z.looseObject({ name: optional(z.looseObject({ formatted_name: str, first_name: str, last_name: str })) }))),
  interactive: optional(
    z.looseObject({
      type: str,
      button_reply: optional(z.looseObject({ id: str, title: str })),
      list_reply: optional(z.looseObject({ id: str, title: str, description: str })),
      nfm_reply: optional(z.looseObject({ name: str, body: str })),
    }),
  ),
  button: optional(z.looseObject({ text: str, payload: str })),
  reaction: optional(z.looseObject({ message_id: str, emoji: str })),
  order: optional(z.looseObject({ text: str, product_items: optional(z.array(z.looseObject({ product_retailer_id: str, quantity: strOrNum }))) })),
  system: optional(z.looseObject({ type: str, body: str, wa_id: str, new_wa_id: str, user_id: str, previous_user_id: str })),
  unsupported: optional(z.looseObject({ type: str })),
});

const contactSchema = z.looseObject({
  wa_id: str,
  user_id: str,
  parent_user_id: str,
  profile: optional(z.looseObject({ name: str, username: str })),
});

const statusSchema = z.looseObject({
  id: z.string().min(1),
  status: str,
  timestamp: strOrNum,
  recipient_id: str,
  recipient_user_id: str,
  biz_opaque_callback_data: str,
  conversation: optional(z.looseObject({ id: str, expiration_timestamp: strOrNum, origin: optional(z.looseObject({ type: str })) })),
  pricing: optional(z.looseObject({ billable: bool, pricing_model: str, category: str, type: str })),
  errors: webhookErrorsSchema,
  // Gupshup v3 relay extras: `id` may be Gupshup's id with the wamid in `meta_msg_id`; flat code/reason on failures
  meta_msg_id: str,
  gs_id: str,
  code: strOrNum,
  reason: str,
});

const metadataSchema = optional(z.looseObject({ phone_number_id: id, display_phone_number: id }));
const messagesValueSchema = z.looseObject({ metadata: metadataSchema, contacts: list, messages: list, statuses: list, errors: webhookErrorsSchema });
const historyValueSchema = z.looseObject({ metadata: metadataSchema, history: list });
const historyChunkSchema = z.looseObject({ threads: list, errors: webhookErrorsSchema });
const threadSchema = z.looseObject({ id, messages: list });
const historyContextSchema = z.looseObject({ status: str });
const templateValueSchema = z.looseObject({
  event: str,
  message_template_id: id,
  message_template_name: str,
  message_template_language: str,
  reason: optional(z.string().nullable()),
});
const qualityValueSchema = z.looseObject({ event: str, display_phone_number: id, current_limit: str, max_daily_conversations_per_business: str });
const changeSchema = z.looseObject({ field: str, value: z.unknown().optional() });
const entrySchema = z.looseObject({ id, changes: list });
const envelopeSchema = z.looseObject({ object: str, entry: z.array(z.unknown()) });

/** Where a `value` came from: the WABA (entry.id), the business number (metadata) and the delivery time. */
export type ValueScope = { wabaId: string | null; phoneNumberId: string | null; displayPhoneNumber: string | null; receivedAt: Date };

function toContact(raw: unknown): NormalisedContact[] {
  const parsed = contactSchema.safeParse(raw);
  if (!parsed.success) return [];
  const c = parsed.data;
  return [
    {
      waId: c.wa_id ?? null,
      userId: c.user_id ?? null,
      parentUserId: c.parent_user_id ?? null,
      username: c.profile?.username ?? null,
      profileName: c.profile?.name ?? null,
    },
  ];
}

// wa_id may differ from `from` (e.g. Brazil's 9th digit), so a lone contact is taken as the sender.
function pickContact(contacts: NormalisedContact[], from: string | null, fromUserId: string | null): NormalisedContact | null {
  const match = contacts.find((c) => (from !== null && c.waId === from) || (fromUserId !== null && c.userId === fromUserId));
  return match ?? (contacts.length === 1 ? (contacts[0] ?? null) : null);
}

type ParsedMessage = z.infer<typeof messageSchema>;

function toContext(context: ParsedMessage["context"]): MessageContext | null {
  if (!context) return null;
  const product = context.referred_product;
  return {
    id: context.id ?? null,
    from: context.from ?? null,
    forwarded: context.forwarded === true,
    frequentlyForwarded: context.frequently_forwarded === true,
    referredProduct: product ? { catalogId: product.catalog_id ?? null, productRetailerId: product.product_retailer_id ?? null } : null,
  };
}

const MEDIA_TYPES = ["image", "video", "audio", "document", "sticker", "voice"] as const;

function toMedia(message: ParsedMessage, type: string): InboundMedia | null {
  const mediaType = MEDIA_TYPES.find((t) => t === type);
  const m = mediaType ? message[mediaType] : undefined;
  if (!m) return null;
  return {
    id: m.id ?? null,
    url: m.url ?? null,
    mimeType: m.mime_type ?? null,
    caption: m.caption ?? null,
    filename: m.filename ?? null,
    voice: mediaType === "voice" ? true : (m.voice ?? null),
    animated: m.animated ?? null,
  };
}

// Content keys that name a message's type, for the few published payloads that leave `type` out.
const TYPE_KEYS = [
  "text",
  "image",
  "video",
  "audio",
  "voice",
  "document",
  "sticker",
  "location",
  "contacts",
  "interactive",
  "button",
  "reaction",
  "order",
  "system",
] as const;

function typeOf(m: ParsedMessage, record: Record<string, unknown>): string {
  return m.type ?? TYPE_KEYS.find((key) => record[key] !== undefined && record[key] !== null) ?? "unknown";
}

/** One `messages[]` item (Meta shape) → InboundMessage; an item without an id becomes `ignored`. */
export function normaliseMetaMessage(raw: unknown, scope: ValueScope, contacts: NormalisedContact[]): InboundMessage | ChangeEvent {
  const record = recordSchema.safeParse(raw);
  const parsed = messageSchema.safeParse(raw);
  if (!record.success || !parsed.success) return ignoredItem("messages", "message without an id");
  const m = parsed.data;
  const type = typeOf(m, record.data);
  const from = m.from ?? null;
  const contact = pickContact(contacts, from, m.from_user_id ?? null);
  const message: InboundMessage = {
    kind: "message",
    phoneNumberId: scope.phoneNumberId,
    displayPhoneNumber: scope.displayPhoneNumber,
    wabaId: scope.wabaId,
    wamid: m.id,
    from,
    fromUserId: m.from_user_id ?? contact?.userId ?? null,
    contact,
    timestamp: toDate(m.timestamp) ?? scope.receivedAt,
    type,
    textPreview: messagePreview({ ...m, type }),
    payload: record.data,
    referral: normaliseReferral(record.data.referral),
    context: toContext(m.context),
    media: toMedia(m, type),
    errors: toWebhookErrors(m.errors),
  };
  if (type === "reaction" && m.reaction?.message_id) message.reaction = { messageId: m.reaction.message_id, emoji: nonEmpty(m.reaction.emoji) };
  if (type === "system" && m.system) {
    message.system = {
      type: m.system.type ?? "unknown",
      newWaId: m.system.wa_id ?? m.system.new_wa_id ?? null,
      newUserId: m.system.user_id ?? null,
      previousUserId: m.system.previous_user_id ?? null,
      body: m.system.body ?? null,
    };
  }
  return message;
}

function toStatusErrors(s: z.infer<typeof statusSchema>): WebhookError[] {
  if (s.errors && s.errors.length > 0) return toWebhookErrors(s.errors);
  if (s.code === undefined) return [];
  return [{ code: toErrorCode(s.code), title: s.reason ?? null, message: s.reason ?? null, details: null }];
}

/** One `statuses[]` item → StatusUpdate; an item without an id becomes `ignored`. */
export function normaliseMetaStatus(raw: unknown, scope: ValueScope): StatusUpdate | ChangeEvent {
  const parsed = statusSchema.safeParse(raw);
  if (!parsed.success) return ignoredItem("messages", "status without an id");
  const s = parsed.data;
  const wamid = s.meta_msg_id ?? s.id;
  const { conversation, pricing } = s;
  return {
    kind: "status",
    phoneNumberId: scope.phoneNumberId,
    wabaId: scope.wabaId,
    wamid,
    providerMessageId: s.gs_id ?? (s.meta_msg_id ? s.id : null),
    matchIds: uniqueStrings([wamid, s.id, s.gs_id]),
    status: s.status ?? "unknown",
    timestamp: toDate(s.timestamp) ?? scope.receivedAt,
    recipientId: s.recipient_id ?? null,
    recipientUserId: s.recipient_user_id ?? null,
    conversation: conversation
      ? { id: conversation.id ?? null, originType: conversation.origin?.type ?? null, expiresAt: toDate(conversation.expiration_timestamp) }
      : null,
    pricing: pricing
      ? { billable: pricing.billable ?? null, model: pricing.pricing_model ?? null, category: pricing.category ?? null, type: pricing.type ?? null }
      : null,
    errors: toStatusErrors(s),
    bizOpaqueCallbackData: s.biz_opaque_callback_data ?? null,
  };
}

function withMetadata(scope: ValueScope, metadata: z.infer<typeof metadataSchema>): ValueScope {
  return { ...scope, phoneNumberId: metadata?.phone_number_id ?? null, displayPhoneNumber: metadata?.display_phone_number ?? null };
}

function parseMessagesValue(value: unknown, entryScope: ValueScope): WebhookItem[] {
  const parsed = messagesValueSchema.safeParse(value);
  if (!parsed.success) return [ignoredItem("messages", "value is not an object")];
  const v = parsed.data;
  const scope = withMetadata(entryScope, v.metadata);
  const contacts = (v.contacts ?? []).flatMap(toContact);
  const items: WebhookItem[] = [
    ...(v.messages ?? []).map((m) => normaliseMetaMessage(m, scope, contacts)),
    ...(v.statuses ?? []).map((s) => normaliseMetaStatus(s, scope)),
  ];
  if (v.errors && v.errors.length > 0) items.push({ kind: "value_errors", phoneNumberId: scope.phoneNumberId, errors: toWebhookErrors(v.errors) });
  return items.length > 0 ? items : [ignoredItem("messages", "value has no messages, statuses or errors")];
}

// Coexistence history sync: threads are keyed by the customer's wa_id and hold both sides of the chat.
function toHistoryMessage(raw: unknown, scope: ValueScope, threadId: string | null): WebhookItem {
  const item = normaliseMetaMessage(raw, scope, []);
  if (item.kind !== "message") return item;
  const historyContext = historyContextSchema.safeParse(item.payload.history_context);
  const outbound = item.from !== null && (item.from === scope.displayPhoneNumber || (threadId !== null && item.from !== threadId));
  const status = historyContext.success ? (historyContext.data.status ?? null) : null;
  return { ...item, history: { threadId, status, direction: outbound ? "outbound" : "inbound" } };
}

function parseHistoryChunk(raw: unknown, scope: ValueScope): WebhookItem[] {
  const chunk = historyChunkSchema.safeParse(raw);
  if (!chunk.success) return [ignoredItem("history", "history chunk is not an object")];
  const items = (chunk.data.threads ?? []).flatMap((rawThread): WebhookItem[] => {
    const thread = threadSchema.safeParse(rawThread);
    if (!thread.success) return [ignoredItem("history", "thread is not an object")];
    return (thread.data.messages ?? []).map((m) => toHistoryMessage(m, scope, thread.data.id ?? null));
  });
  const errors = toWebhookErrors(chunk.data.errors);
  return errors.length > 0 ? [...items, { kind: "value_errors", phoneNumberId: scope.phoneNumberId, errors }] : items;
}

function parseHistoryValue(value: unknown, entryScope: ValueScope): WebhookItem[] {
  const parsed = historyValueSchema.safeParse(value);
  if (!parsed.success) return [ignoredItem("history", "value is not an object")];
  const scope = withMetadata(entryScope, parsed.data.metadata);
  const items = (parsed.data.history ?? []).flatMap((chunk) => parseHistoryChunk(chunk, scope));
  return items.length > 0 ? items : [ignoredItem("history", "history value has no messages")];
}

// Coexistence echoes: what the business sent from the WhatsApp Business app, to the customer in `to`.
const echoesValueSchema = z.looseObject({ metadata: metadataSchema, message_echoes: list });
const echoSchema = z.looseObject({ to: str, to_user_id: str });

function parseEchoesValue(value: unknown, entryScope: ValueScope): WebhookItem[] {
  const parsed = echoesValueSchema.safeParse(value);
  if (!parsed.success) return [ignoredItem("smb_message_echoes", "value is not an object")];
  const scope = withMetadata(entryScope, parsed.data.metadata);
  const items = (parsed.data.message_echoes ?? []).map((raw): WebhookItem => {
    const item = normaliseMetaMessage(raw, scope, []);
    if (item.kind !== "message") return item;
    const echo = echoSchema.safeParse(raw);
    const to = echo.success ? { threadId: echo.data.to ?? null, threadUserId: echo.data.to_user_id ?? null } : { threadId: null, threadUserId: null };
    return { ...item, history: { ...to, status: "sent", direction: "outbound", source: "echo" } };
  });
  return items.length > 0 ? items : [ignoredItem("smb_message_echoes", "value has no message echoes")];
}

const preferencesValueSchema = z.looseObject({ metadata: metadataSchema, user_preferences: list });
const preferenceSchema = z.looseObject({ wa_id: str, user_id: str, category: str, value: str, detail: str, timestamp: strOrNum });

function parsePreferencesValue(value: unknown, entryScope: ValueScope): WebhookItem[] {
  const parsed = preferencesValueSchema.safeParse(value);
  if (!parsed.success) return [ignoredItem("user_preferences", "value is not an object")];
  const scope = withMetadata(entryScope, parsed.data.metadata);
  const items = (parsed.data.user_preferences ?? []).map((raw): WebhookItem => {
    const p = preferenceSchema.safeParse(raw);
    if (!p.success || !p.data.category || !p.data.value || (!p.data.wa_id && !p.data.user_id))
      return ignoredItem("user_preferences", "preference without a user, category or value");
    const { wa_id, user_id, category, value: choice, detail, timestamp } = p.data;
    return {
      kind: "user_preference",
      phoneNumberId: scope.phoneNumberId,
      waId: wa_id ?? null,
      userId: user_id ?? null,
      category,
      value: choice,
      detail: detail ?? null,
      timestamp: toDate(timestamp) ?? scope.receivedAt,
    };
  });
  return items.length > 0 ? items : [ignoredItem("user_preferences", "value has no preferences")];
}

/** Projects that route by URL publish bodies without `field`: read it off the value's shape. */
function inferField(value: unknown): string {
  const v = recordSchema.safeParse(value);
  if (!v.success) return "(none)";
  if (v.data.messages !== undefined || v.data.statuses !== undefined) return "messages";
  if (v.data.message_echoes !== undefined) return "smb_message_echoes";
  if (v.data.user_preferences !== undefined) return "user_preferences";
  if (v.data.history !== undefined) return "history";
  return "(none)";
}

function parseTemplateValue(field: string, value: unknown, wabaId: string | null): ChangeEvent {
  const record = recordSchema.safeParse(value);
  const parsed = templateValueSchema.safeParse(value);
  if (!record.success || !parsed.success) return ignoredItem(field, "value is not an object");
  const t = parsed.data;
  const ref = {
    wabaId,
    templateId: t.message_template_id ?? null,
    name: t.message_template_name ?? null,
    language: t.message_template_language ?? null,
    raw: record.data,
  };
  if (field === "message_template_status_update") return { kind: "template_status", ...ref, event: t.event ?? "UNKNOWN", reason: t.reason ?? null };
  return { kind: field === "template_category_update" ? "template_category" : "template_quality", ...ref };
}

function parseAccountValue(field: string, value: unknown, wabaId: string | null): ChangeEvent {
  const record = recordSchema.safeParse(value);
  const parsed = qualityValueSchema.safeParse(value);
  if (!record.success || !parsed.success) return ignoredItem(field, "value is not an object");
  const v = parsed.data;
  if (field === "account_update") return { kind: "account_update", wabaId, event: v.event ?? null, raw: record.data };
  // current_limit is being retired (Feb 2026) in favour of the portfolio-level messaging limit
  const currentLimit = v.current_limit ?? v.max_daily_conversations_per_business ?? null;
  return { kind: "number_quality", wabaId, displayPhoneNumber: v.display_phone_number ?? null, event: v.event ?? null, currentLimit, raw: record.data };
}

function parseChange(raw: unknown, scope: ValueScope): WebhookItem[] {
  const change = changeSchema.safeParse(raw);
  if (!change.success) return [ignoredItem("(change)", "change is not an object")];
  const { value } = change.data;
  const field = change.data.field ?? inferField(value);
  switch (field) {
    case "messages":
      return parseMessagesValue(value, scope);
    case "smb_message_echoes":
      return parseEchoesValue(value, scope);
    case "user_preferences":
      return parsePreferencesValue(value, scope);
    case "history":
      return parseHistoryValue(value, scope);
    case "message_template_status_update":
    case "template_category_update":
    case "message_template_quality_update":
      return [parseTemplateValue(field, value, scope.wabaId)];
    case "phone_number_quality_update":
    case "account_update":
      return [parseAccountValue(field, value, scope.wabaId)];
    default:
      return [ignoredItem(field, "field not handled")];
  }
}

function parseEntry(raw: unknown, receivedAt: Date): WebhookItem[] {
  const entry = entrySchema.safeParse(raw);
  if (!entry.success) return [ignoredItem("(entry)", "entry is not an object")];
  const scope: ValueScope = { wabaId: entry.data.id ?? null, phoneNumberId: null, displayPhoneNumber: null, receivedAt };
  return (entry.data.changes ?? []).flatMap((change) => parseChange(change, scope));
}

/**
 * Flattens every entry, change, message, status and value-level error of a Meta webhook into one list.
 * Throws a plain Error only when the body is not a WhatsApp Business Account webhook at all.
 */
export function parseMetaWebhook(json: unknown, options: ParseOptions = {}): ParsedWebhook {
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) throw new Error(`not a WhatsApp Business Account webhook: ${describeBody(json, "no entry[] array")}`);
  const { object } = envelope.data;
  if (object !== undefined && object !== "whatsapp_business_account") {
    throw new Error(`not a WhatsApp Business Account webhook: object is "${object}"`);
  }
  const receivedAt = options.receivedAt ?? new Date();
  const items = envelope.data.entry.flatMap((entry) => parseEntry(entry, receivedAt));
  return { provider: "meta", items, phoneNumberIds: extractPhoneNumberIds(json) };
}

/** Distinct `metadata.phone_number_id`s, in order: routes the body and picks app secrets before parsing. Never throws. */
export function extractPhoneNumberIds(json: unknown): string[] {
  // a plain walk, not a schema: this runs on every webhook request before the answer
  const entries = (json as { entry?: unknown } | null)?.entry;
  if (!Array.isArray(entries)) return [];
  const ids: (string | null)[] = [];
  for (const entry of entries) {
    const changes = (entry as { changes?: unknown } | null)?.changes;
    if (!Array.isArray(changes)) continue;
    for (const change of changes) {
      const raw = (change as { value?: { metadata?: { phone_number_id?: unknown } } } | null)?.value?.metadata?.phone_number_id;
      ids.push(typeof raw === "string" ? raw.trim() : typeof raw === "number" && Number.isFinite(raw) ? String(raw) : null);
    }
  }
  return uniqueStrings(ids);
}
