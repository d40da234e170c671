// Provider-neutral shapes the webhook parsers (Meta Cloud API, Gupshup, Green API) emit, and helpers they share.
import { MAX_TIME_MS } from "@/lib/query-params";
import { z } from "zod";

/** `code`: Meta's and Gupshup's numbers; Green API's words (`noAccount`, `SWE004`). */
export type WebhookError = { code: number | string | null; title: string | null; message: string | null; details: string | null };

export type NormalisedContact = {
  waId: string | null;
  userId: string | null; // business-scoped user id (BSUID), e.g. "US.13491208655302741918"
  parentUserId: string | null;
  username: string | null;
  profileName: string | null;
};

export type NormalisedReferral = {
  sourceType: string | null;
  sourceId: string | null;
  sourceUrl: string | null;
  headline: string | null;
  body: string | null;
  mediaType: string | null;
  imageUrl: string | null;
  videoUrl: string | null;
  thumbnailUrl: string | null;
  ctwaClid: string | null; // absent for Status-placement ads and posts: nothing to attribute then
  welcomeText: string | null;
  raw: Record<string, unknown>;
};

export type MessageContext = {
  id: string | null; // the wamid of our message being replied to / tapped
  from: string | null;
  forwarded: boolean;
  frequentlyForwarded: boolean;
  referredProduct: { catalogId: string | null; productRetailerId: string | null } | null;
};

export type InboundMedia = {
  id: string | null; // Meta media id (GET /{media-id}); Gupshup sends a url instead
  url: string | null;
  mimeType: string | null;
  caption: string | null;
  filename: string | null;
  voice: boolean | null;
  animated: boolean | null;
};

/**
 * Set only on coexistence messages: a `history` sync (either side of past chats) or an `smb_message_echoes`
 * echo (a reply the business sent from the WhatsApp Business app). threadId is the customer's wa_id.
 */
export type HistoryInfo = {
  threadId: string | null;
  threadUserId?: string | null;
  status: string | null;
  direction: "inbound" | "outbound";
  source?: "history" | "echo";
};

export type InboundMessage = {
  kind: "message";
  phoneNumberId: string | null;
  displayPhoneNumber: string | null;
  wabaId: string | null;
  wamid: string;
  from: string | null; // digits as sent; absent for users who hide their number (then fromUserId)
  fromUserId: string | null;
  contact: NormalisedContact | null;
  timestamp: Date;
  type: string; // Meta type verbatim (Gupshup types are mapped onto Meta's names)
  textPreview: string;
  payload: Record<string, unknown>; // the provider's message object, untouched
  referral: NormalisedReferral | null;
  context: MessageContext | null;
  media: InboundMedia | null;
  reaction?: { messageId: string; emoji: string | null }; // emoji null = reaction removed
  system?: { type: string; newWaId: string | null; newUserId?: string | null; previousUserId?: string | null; body: string | null };
  history?: HistoryInfo;
  errors: WebhookError[];
};

export type StatusUpdate = {
  kind: "status";
  phoneNumberId: string | null;
  wabaId: string | null;
  wamid: string; // the WhatsApp id when the event carries one, else the provider's id
  providerMessageId?: string | null; // Gupshup's own message id
  /** Every id this event names (wamid, Gupshup ids): BSPs disagree on which one `id` holds, so match on any. */
  matchIds: string[];
  status: "sent" | "delivered" | "read" | "failed" | "deleted" | "enqueued" | string;
  timestamp: Date;
  recipientId: string | null;
  recipientUserId: string | null;
  conversation: { id: string | null; originType: string | null; expiresAt: Date | null } | null;
  pricing: { billable: boolean | null; model: string | null; category: string | null; type: string | null } | null;
  errors: WebhookError[];
  bizOpaqueCallbackData: string | null;
};

type TemplateRef = { wabaId: string | null; templateId: string | null; name: string | null; language: string | null; raw: Record<string, unknown> };

export type ChangeEvent =
  | ({ kind: "template_status"; event: string; reason: string | null } & TemplateRef)
  | ({ kind: "template_category" | "template_quality" } & TemplateRef)
  | {
      kind: "number_quality";
      wabaId: string | null;
      displayPhoneNumber: string | null;
      event: string | null;
      currentLimit: string | null;
      raw: Record<string, unknown>;
    }
  | { kind: "account_update"; wabaId: string | null; event: string | null; raw: Record<string, unknown> }
  | { kind: "value_errors"; phoneNumberId: string | null; errors: WebhookError[] }
  | { kind: "user_event"; phone: string | null; event: "opted-in" | "opted-out" | string }
  /** Meta `user_preferences`: a customer stopped (or resumed) a category of messages, e.g. marketing_messages. */
  | {
      kind: "user_preference";
      phoneNumberId: string | null;
      waId: string | null;
      userId: string | null;
      category: string;
      value: string;
      detail: string | null;
      timestamp: Date;
    }
  /** Green API `stateInstanceChanged`: the linked WhatsApp session's state (authorized, notAuthorized, blocked…). */
  | { kind: "instance_state"; state: string; timestamp: Date }
  | { kind: "ignored"; field: string; reason: string };

export type WebhookItem = InboundMessage | StatusUpdate | ChangeEvent;

export type ParsedWebhook = { provider: "meta" | "gupshup" | "green"; items: WebhookItem[]; phoneNumberIds: string[] };

export type ParseOptions = {
  /** When the POST arrived; stands in for missing or unreadable provider timestamps. Defaults to now. */
  receivedAt?: Date;
};

/** Optional and forgiving: a missing or mistyped field becomes undefined instead of failing its parent object. */
export function lenient<T extends z.ZodType>(schema: T) {
  return schema.optional().catch(undefined);
}

export const lenientString = lenient(z.string());
export const lenientStringOrNumber = lenient(z.union([z.string(), z.number()]));
export const lenientBoolean = lenient(z.boolean());
// ids are strings except where Meta sends integers (message_template_id, some catalog ids)
export const lenientId = lenient(z.union([z.string(), z.number()]).transform(String));
export const lenientList = lenient(z.array(z.unknown()));
export const recordSchema = z.record(z.string(), z.unknown());

export const webhookErrorsSchema = lenient(
  z.array(
    z.looseObject({
      code: lenientStringOrNumber,
      title: lenientString,
      message: lenientString,
      error_data: lenient(z.looseObject({ details: lenientString })),
    }),
  ),
);

export function toErrorCode(code: string | number | undefined): number | null {
  const n = typeof code === "number" ? code : code !== undefined && /^\d+$/.test(code) ? Number(code) : NaN;
  return Number.isFinite(n) ? n : null;
}

export function toWebhookErrors(errors: z.infer<typeof webhookErrorsSchema>): WebhookError[] {
  return (errors ?? []).map((e) => ({
    code: toErrorCode(e.code),
    title: e.title ?? null,
    message: e.message ?? null,
    details: e.error_data?.details ?? null,
  }));
}

const referralSchema = z.looseObject({
  source_url: lenientString,
  source_id: lenientId,
  source_type: lenientString,
  body: lenientString,
  headline: lenientString,
  media_type: lenientString,
  image_url: lenientString,
  video_url: lenientString,
  thumbnail_url: lenientString,
  ctwa_clid: lenientString,
  welcome_message: lenient(z.looseObject({ text: lenientString })),
});

/** The referral block of a Click-to-WhatsApp (or post) message; same keys in Meta and Gupshup v2 payloads. */
export function normaliseReferral(raw: unknown): NormalisedReferral | null {
  const record = recordSchema.safeParse(raw);
  const parsed = referralSchema.safeParse(raw);
  if (!record.success || !parsed.success) return null;
  const r = parsed.data;
  return {
    sourceType: r.source_type ?? null,
    sourceId: r.source_id ?? null,
    sourceUrl: r.source_url ?? null,
    headline: r.headline ?? null,
    body: r.body ?? null,
    mediaType: r.media_type ?? null,
    imageUrl: r.image_url ?? null,
    videoUrl: r.video_url ?? null,
    thumbnailUrl: r.thumbnail_url ?? null,
    ctwaClid: nonEmpty(r.ctwa_clid),
    welcomeText: r.welcome_message?.text ?? null,
    raw: record.data,
  };
}

export function ignoredItem(field: string, reason: string): ChangeEvent {
  return { kind: "ignored", field, reason };
}

/** Why a body is not a webhook at all, for the thrown error (never echoes values, only keys). */
export function describeBody(json: unknown, missing: string): string {
  if (json === null || typeof json !== "object") return `body is ${json === null ? "null" : typeof json}`;
  if (Array.isArray(json)) return "body is an array";
  return `${missing} (keys: ${Object.keys(json).slice(0, 8).join(", ") || "none"})`;
}

const MS_THRESHOLD = 1e12; // 1e12 ms is 2001-09-09; 1e12 s is ~33,000 years from now

/** Unix seconds or milliseconds (number or numeric string) → Date; null for anything unreadable. */
export function toDate(value: string | number | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === "number" ? value : /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n) || n <= 0) return null;
  const date = new Date(n >= MS_THRESHOLD ? n : n * 1000);
  // past 9999-12-31 Postgres cannot store it (and no provider means it): treated as absent
  return Number.isNaN(date.getTime()) || date.getTime() > MAX_TIME_MS ? null : date;
}

/** Empty strings carry no information in these payloads (e.g. `"emoji": ""`, `"text": ""`). */
export function nonEmpty(value: string | null | undefined): string | null {
  return value === undefined || value === null || value.trim() === "" ? null : value;
}

export function uniqueStrings(values: Array<string | null | undefined>): string[] {
  return [...new Set(values.filter((v): v is string => typeof v === "string" && v !== ""))];
}

type Media = { caption?: string; filename?: string; voice?: boolean; animated?: boolean };

/** The fields of a Meta-shaped message that a preview reads (zod-parsed messages satisfy this). */
export type PreviewableMessage = {
  type?: string;
  text?: { body?: string };
  image?: Media;
  video?: Media;
  audio?: Media;
  document?: Media;
  sticker?: Media;
  voice?: Media; // legacy on-premises API type for voice notes
  location?: { latitude?: string | number; longitude?: string | number; name?: string; address?: string };
  contacts?: Array<{ name?: { formatted_name?: string; first_name?: string; last_name?: string } }>;
  interactive?: {
    type?: string;
    button_reply?: { id?: string; title?: string };
    list_reply?: { id?: string; title?: string; description?: string };
    nfm_reply?: { name?: string; body?: string };
  };
  button?: { text?: string; payload?: string };
  reaction?: { emoji?: string };
  order?: { text?: string; product_items?: Array<{ product_retailer_id?: string; quantity?: string | number }> };
  system?: { type?: string; body?: string; wa_id?: string; user_id?: string };
  unsupported?: { type?: string };
  errors?: Array<{ code?: string | number; title?: string }>;
};

const PREVIEW_MAX = 500;

function join(parts: Array<string | null | undefined>, separator: string): string {
  return parts.filter((p): p is string => !!p && p.trim() !== "").join(separator);
}

function withDetail(label: string, detail: string): string {
  return detail ? `${label}: ${detail}` : label;
}

function previewMedia(icon: string, label: string, media: Media | undefined): string {
  const caption = nonEmpty(media?.caption);
  const filename = nonEmpty(media?.filename);
  const detail = caption && filename ? `${caption} (${filename})` : (caption ?? filename ?? "");
  return withDetail(`${icon} ${label}`, detail);
}

function previewLocation(location: PreviewableMessage["location"]): string {
  const coords = location?.latitude !== undefined && location.longitude !== undefined ? `(${location.latitude}, ${location.longitude})` : "";
  const place = join([location?.name, location?.address], ", ");
  return withDetail("📍 Location", join([place, coords], " "));
}

function previewInteractive(interactive: PreviewableMessage["interactive"]): string {
  if (interactive?.button_reply) return `🔘 ${interactive.button_reply.title ?? interactive.button_reply.id ?? "Button reply"}`;
  if (interactive?.list_reply) {
    const reply = interactive.list_reply;
    return `📋 ${join([reply.title ?? reply.id ?? "List reply", reply.description], " — ")}`;
  }
  if (interactive?.nfm_reply) return `📝 ${join(["Flow response", interactive.nfm_reply.body], ": ")}`;
  return withDetail("Interactive reply", interactive?.type ?? "");
}

function previewOrder(order: PreviewableMessage["order"]): string {
  const items = order?.product_items ?? [];
  const lines = items.map((item) => `${item.product_retailer_id ?? "item"} ×${item.quantity ?? 1}`).join(", ");
  const summary = `${items.length} item${items.length === 1 ? "" : "s"}${lines ? ` (${lines})` : ""}`;
  return `🛒 Order: ${join([summary, order?.text], " — ")}`;
}

function previewSystem(system: PreviewableMessage["system"]): string {
  if (system?.type === "user_changed_number" && system.wa_id) return `User changed number to +${system.wa_id}`;
  if (system?.type === "user_changed_user_id" && system.user_id) return `User's WhatsApp user id changed to ${system.user_id}`;
  return system?.body ?? `System message${system?.type ? ` (${system.type})` : ""}`;
}

function previewUnsupported(message: PreviewableMessage): string {
  const errors = (message.errors ?? []).map((e) => join([e.code === undefined ? null : String(e.code), e.title], " "));
  const label = message.unsupported?.type ? `Unsupported message: ${message.unsupported.type}` : "Unsupported message";
  return errors.length > 0 ? `${label} (${errors.join("; ")})` : label;
}

function previewByType(message: PreviewableMessage): string {
  switch (message.type) {
    case "text":
      return message.text?.body ?? "";
    case "image":
      return previewMedia("📷", "Image", message.image);
    case "video":
      return previewMedia("🎥", "Video", message.video);
    case "audio":
      return previewMedia(message.audio?.voice ? "🎤" : "🎵", message.audio?.voice ? "Voice message" : "Audio", message.audio);
    case "document":
      return previewMedia("📄", "Document", message.document);
    case "sticker":
      return message.sticker?.animated ? "🏷️ Sticker (animated)" : "🏷️ Sticker";
    case "location":
      return previewLocation(message.location);
    case "contacts": {
      const names = (message.contacts ?? []).map((c) => c.name?.formatted_name ?? join([c.name?.first_name, c.name?.last_name], " "));
      return withDetail(names.length > 1 ? "👤 Contacts" : "👤 Contact", join(names, ", "));
    }
    case "interactive":
      return previewInteractive(message.interactive);
    case "button":
      return `🔘 ${message.button?.text ?? message.button?.payload ?? "Button"}`;
    case "reaction":
      return nonEmpty(message.reaction?.emoji) ? `${message.reaction?.emoji} reacted to a message` : "Reaction removed";
    case "order":
      return previewOrder(message.order);
    case "system":
      return previewSystem(message.system);
    case "voice":
      return previewMedia("🎤", "Voice message", message.voice);
    case "unsupported":
    case "unknown":
      return previewUnsupported(message);
    case "request_welcome":
      return "👋 Opened the chat (welcome request)";
    case "media_placeholder":
      return "Media (not included in history sync)";
    default:
      return `[${message.type ?? "unknown"}]`;
  }
}

/** A one-line, human-readable summary of a message for lists (the full message stays in `payload`). */
export function messagePreview(message: PreviewableMessage): string {
  const line = previewByType(message).replace(/\s+/g, " ").trim();
  return line.length > PREVIEW_MAX ? `${line.slice(0, PREVIEW_MAX - 1)}…` : line;
}
