// Gupshup webhook bodies → the same normalised items as Meta's. Version 2 is Gupshup's own envelope
// ({app, timestamp(ms), version, type, payload}); version 3 relays Meta's envelope plus `gs_app_id`, so it is
// delegated to the Meta parser.
import { z } from "zod";
import {
  type InboundMessage,
  type ParsedWebhook,
  type ParseOptions,
  type StatusUpdate,
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
  uniqueStrings,
} from "@/lib/whatsapp/normalised";
import { type ValueScope, normaliseMetaMessage, parseMetaWebhook } from "@/lib/whatsapp/parse";

const optional = lenient;
const str = lenientString;
const strOrNum = lenientStringOrNumber;
const bool = lenientBoolean;

const envelopeSchema = z.looseObject({ app: str, phone: str, timestamp: strOrNum, version: strOrNum, type: z.string(), payload: z.unknown().optional() });
const passthroughSchema = z.looseObject({ entry: z.array(z.unknown()) });

const messageSchema = z.looseObject({
  id: z.string().min(1),
  source: str,
  type: str,
  payload: optional(recordSchema),
  sender: optional(z.looseObject({ phone: str, name: str, userId: str })),
  context: optional(z.looseObject({ id: str, gsId: str, forwarded: bool, frequently_forwarded: bool })),
});

const innerSchema = z.looseObject({
  text: str,
  type: str,
  postbackText: str,
  id: str,
  title: str,
  description: str,
  url: str,
  contentType: str,
  caption: str,
  name: str,
  filename: str,
  latitude: strOrNum,
  longitude: strOrNum,
  address: str,
  contacts: optional(z.array(z.unknown())),
});

const messageEventSchema = z.looseObject({
  id: z.string().min(1),
  gsId: str,
  type: str,
  destination: str,
  userId: str,
  payload: optional(z.looseObject({ ts: strOrNum, code: strOrNum, reason: str, whatsappMessageId: str })),
  conversation: optional(z.looseObject({ id: str, expiresAt: strOrNum, type: str })),
  pricing: optional(z.looseObject({ policy: str, category: str, type: str, billable: bool })),
});

const userEventSchema = z.looseObject({ phone: str, type: str });
const templateEventSchema = z.looseObject({ type: str, id: str, status: str, elementName: str, languageCode: str, rejectedReason: str });
const accountEventSchema = z.looseObject({
  type: str,
  payload: optional(z.looseObject({ event: str, currentTier: str, newTier: str, currentLimit: str })),
});

type Envelope = z.infer<typeof envelopeSchema>;
type Inner = z.infer<typeof innerSchema>;

const GUPSHUP_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function media(inner: Inner): Record<string, unknown> {
  return { url: inner.url, mime_type: inner.contentType, caption: inner.caption, filename: inner.filename ?? inner.name };
}

// Gupshup v2 names message types its own way; map them onto Meta's types and keys so the rest of the
// pipeline (previews, media, message.type) sees one vocabulary. The untouched body stays in `payload`.
function toMetaBody(type: string, inner: Inner): Record<string, unknown> {
  switch (type) {
    case "text":
      // a template quick-reply tap arrives as text with inner type "button"
      return inner.type === "button"
        ? { type: "button", button: { text: inner.text, payload: inner.postbackText ?? inner.text } }
        : { type: "text", text: { body: inner.text } };
    case "quick_reply":
      return { type: "button", button: { text: inner.text, payload: inner.postbackText ?? inner.text } };
    case "image":
    case "video":
    case "audio":
    case "sticker":
      return { type, [type]: media(inner) };
    case "file":
      return { type: "document", document: media(inner) };
    case "location":
      return { type, location: { latitude: inner.latitude, longitude: inner.longitude, name: inner.name, address: inner.address } };
    case "contact":
      return { type: "contacts", contacts: inner.contacts };
    case "button_reply":
    case "list_reply": {
      const reply = { id: inner.id ?? inner.postbackText, title: inner.title ?? inner.text, description: inner.description };
      return { type: "interactive", interactive: { type, [type]: reply } };
    }
    default:
      return { type };
  }
}

/** A stored Gupshup v2 message (`{ type, payload, context }`) as Meta's message object, for rendering. */
export function gupshupMessageBody(stored: Record<string, unknown>): Record<string, unknown> {
  const m = messageSchema.safeParse(stored);
  if (!m.success) return {};
  const inner = innerSchema.safeParse(m.data.payload ?? {});
  return { ...toMetaBody(m.data.type ?? "unknown", inner.success ? inner.data : {}), ...(m.data.context ? { context: { id: m.data.context.id } } : {}) };
}

function parseMessage(envelope: Envelope, eventAt: Date, receivedAt: Date): WebhookItem {
  const record = recordSchema.safeParse(envelope.payload);
  const parsed = messageSchema.safeParse(envelope.payload);
  if (!record.success || !parsed.success) return ignoredItem("message", "message without an id");
  const m = parsed.data;
  const inner = innerSchema.safeParse(m.payload ?? {});
  const body = toMetaBody(m.type ?? "unknown", inner.success ? inner.data : {});
  const from = m.source ?? m.sender?.phone;
  const context = m.context ? { id: m.context.id, forwarded: m.context.forwarded, frequently_forwarded: m.context.frequently_forwarded } : undefined;
  const metaShaped = { ...body, id: m.id, from, from_user_id: m.sender?.userId, timestamp: eventAt.getTime(), context, referral: record.data.referral };
  const scope: ValueScope = { wabaId: null, phoneNumberId: null, displayPhoneNumber: envelope.phone ?? null, receivedAt };
  const sender = m.sender;
  const contact = sender
    ? { waId: sender.phone ?? null, userId: sender.userId ?? null, parentUserId: null, username: null, profileName: sender.name ?? null }
    : null;
  const item = normaliseMetaMessage(metaShaped, scope, contact ? [contact] : []);
  return item.kind === "message" ? ({ ...item, payload: record.data } satisfies InboundMessage) : item;
}

/** v2 `message-event`. Which of `id` / `gsId` is the WhatsApp id varies by event and vintage, so ids are told apart by shape. */
function parseMessageEvent(envelope: Envelope, eventAt: Date): WebhookItem {
  const parsed = messageEventSchema.safeParse(envelope.payload);
  if (!parsed.success) return ignoredItem("message-event", "event without an id");
  const e = parsed.data;
  const inner = e.payload;
  const whatsappId = inner?.whatsappMessageId ?? (GUPSHUP_ID.test(e.id) ? null : e.id);
  const failed = e.type === "failed" || inner?.code !== undefined;
  const code = inner?.code === undefined ? null : Number(inner.code);
  const status: StatusUpdate = {
    kind: "status",
    phoneNumberId: null,
    wabaId: null,
    wamid: whatsappId ?? e.id,
    providerMessageId: e.gsId ?? (GUPSHUP_ID.test(e.id) ? e.id : null),
    matchIds: uniqueStrings([e.id, e.gsId, inner?.whatsappMessageId]),
    status: e.type ?? "unknown",
    timestamp: toDate(inner?.ts) ?? eventAt, // inner ts is seconds, envelope timestamp is ms
    recipientId: e.destination ?? null,
    recipientUserId: e.userId ?? null,
    conversation: e.conversation
      ? { id: e.conversation.id ?? null, originType: e.conversation.type ?? null, expiresAt: toDate(e.conversation.expiresAt) }
      : null,
    pricing: e.pricing
      ? { billable: e.pricing.billable ?? null, model: e.pricing.policy ?? null, category: e.pricing.category ?? null, type: e.pricing.type ?? null }
      : null,
    errors: failed ? [{ code: Number.isFinite(code) ? code : null, title: inner?.reason ?? null, message: inner?.reason ?? null, details: null }] : [],
    bizOpaqueCallbackData: null,
  };
  return status;
}

function parseUserEvent(envelope: Envelope): WebhookItem {
  const parsed = userEventSchema.safeParse(envelope.payload);
  if (!parsed.success) return ignoredItem("user-event", "payload is not an object");
  // sandbox-start sent when the callback URL is set carries this literal instead of a phone
  const phone = parsed.data.phone === "callbackSetPhone" ? null : nonEmpty(parsed.data.phone);
  return { kind: "user_event", phone, event: parsed.data.type ?? "unknown" };
}

function parseTemplateEvent(envelope: Envelope): WebhookItem {
  const record = recordSchema.safeParse(envelope.payload);
  const parsed = templateEventSchema.safeParse(envelope.payload);
  if (!record.success || !parsed.success) return ignoredItem("template-event", "payload is not an object");
  const t = parsed.data;
  const ref = { wabaId: null, templateId: t.id ?? null, name: t.elementName ?? null, language: t.languageCode ?? null, raw: record.data };
  if (t.type === "status-update") return { kind: "template_status", ...ref, event: (t.status ?? "unknown").toUpperCase(), reason: t.rejectedReason ?? null };
  if (t.type === "category-update") return { kind: "template_category", ...ref };
  return ignoredItem("template-event", `template event type "${t.type ?? "unknown"}" not handled`);
}

function parseAccountEvent(envelope: Envelope): WebhookItem {
  const record = recordSchema.safeParse(envelope.payload);
  const parsed = accountEventSchema.safeParse(envelope.payload);
  if (!record.success || !parsed.success) return ignoredItem("account-event", "payload is not an object");
  const a = parsed.data;
  if (a.type === "tier-event") {
    const currentLimit = a.payload?.currentLimit ?? a.payload?.newTier ?? a.payload?.currentTier ?? null;
    return {
      kind: "number_quality",
      wabaId: null,
      displayPhoneNumber: envelope.phone ?? null,
      event: a.payload?.event ?? null,
      currentLimit,
      raw: record.data,
    };
  }
  return { kind: "account_update", wabaId: null, event: a.type ?? null, raw: record.data };
}

function parseV2(envelope: Envelope, receivedAt: Date): WebhookItem {
  const eventAt = toDate(envelope.timestamp) ?? receivedAt;
  switch (envelope.type) {
    case "message":
      return parseMessage(envelope, eventAt, receivedAt);
    case "message-event":
      return parseMessageEvent(envelope, eventAt);
    case "user-event":
      return parseUserEvent(envelope);
    case "template-event":
      return parseTemplateEvent(envelope);
    case "account-event":
      return parseAccountEvent(envelope);
    default:
      return ignoredItem(envelope.type, "event type not handled");
  }
}

// v3 only adds Gupshup pseudo-statuses on top of Meta's: `set-callback` is a handshake, not a message status.
function dropPseudoStatus(item: WebhookItem): WebhookItem {
  return item.kind === "status" && item.status === "set-callback" ? ignoredItem("messages", "gupshup set-callback status") : item;
}

/**
 * Parses a Gupshup callback of either subscription version. v3 bodies (Meta's envelope, `gs_app_id`) go
 * through the Meta parser; its `enqueued` status and millisecond timestamps are handled there.
 * Throws a plain Error only when the body is neither a v2 envelope nor a v3 passthrough.
 */
export function parseGupshupWebhook(json: unknown, options: ParseOptions = {}): ParsedWebhook {
  if (passthroughSchema.safeParse(json).success) {
    const parsed = parseMetaWebhook(json, options);
    return { ...parsed, provider: "gupshup", items: parsed.items.map(dropPseudoStatus) };
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) throw new Error(`not a Gupshup webhook: ${describeBody(json, "no type/payload or entry[]")}`);
  return { provider: "gupshup", items: [parseV2(envelope.data, options.receivedAt ?? new Date())], phoneNumberIds: [] };
}
