// What a stored message shows in the chat view, read from its provider payload: Meta's message object (Cloud
// API, Gupshup v3), a Gupshup v2 message or a Green API notification, each brought to Meta's keys first.
import { gupshupMessageBody } from "@/lib/gupshup/parse";
import { greenMessageBody } from "@/lib/green/parse";
import { mediaOf } from "@/lib/media/media";

export type MessageContent = {
  /** the text, or a media message's caption */
  text: string | null;
  media: { url: string; mimeType: string | null; filename: string | null; caption: string | null } | null;
  location: { latitude: number; longitude: number; name: string | null; address: string | null } | null;
  contacts: { name: string | null; phones: string[] }[] | null;
  /** the button or list row a person tapped */
  reply: { id: string | null; title: string | null } | null;
  /** the provider id of the message this one quotes */
  contextWamid: string | null;
  /** a reaction: the provider id of the message it reacts to, and the emoji (null: the reaction was removed) */
  reaction: { wamid: string; emoji: string | null } | null;
};

type Stored = { id: string; type: string; textPreview: string | null; payload: Record<string, unknown> | null };

const record = (v: unknown): Record<string, unknown> | null => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
const str = (v: unknown): string | null => (typeof v === "string" && v.trim() !== "" ? v : null);
const num = (v: unknown): number | null => {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
};

const MEDIA_KEYS = ["image", "video", "audio", "document", "sticker", "voice"];

/** The stored payload as Meta's message object (`{ type, [type]: …, context }`), whatever the provider. */
export function metaShapedBody(payload: Record<string, unknown> | null): Record<string, unknown> {
  if (!payload) return {};
  if (typeof payload.typeWebhook === "string") return greenMessageBody(payload);
  // Gupshup v2 keeps its content under `payload` (`{ type: "text", payload: { text } }`); Meta's object never has that key
  if (record(payload.payload) && typeof payload.type === "string") return gupshupMessageBody(payload);
  return payload;
}

function textOf(type: string, body: Record<string, unknown>): string | null {
  const own = record(body[type]);
  return str(record(body.text)?.body) ?? str(own?.caption) ?? str(own?.body) ?? str(record(body.button)?.text);
}

function locationOf(body: Record<string, unknown>): MessageContent["location"] {
  const l = record(body.location);
  const latitude = num(l?.latitude);
  const longitude = num(l?.longitude);
  if (!l || latitude === null || longitude === null) return null;
  return { latitude, longitude, name: str(l.name), address: str(l.address) };
}

function contactsOf(body: Record<string, unknown>): MessageContent["contacts"] {
  if (!Array.isArray(body.contacts)) return null;
  return body.contacts.map((c) => {
    const r = record(c);
    const phones = Array.isArray(r?.phones) ? r.phones.flatMap((p) => str(record(p)?.phone) ?? str(record(p)?.wa_id) ?? []) : [];
    return { name: str(record(r?.name)?.formatted_name), phones };
  });
}

function replyOf(body: Record<string, unknown>): MessageContent["reply"] {
  const i = record(body.interactive);
  if (i) {
    const r = record(i.button_reply) ?? record(i.list_reply) ?? record(i.nfm_reply);
    if (r) return { id: str(r.id), title: str(r.title) ?? str(r.name) };
  }
  const b = record(body.button);
  return b ? { id: str(b.payload), title: str(b.text) } : null;
}

/**
 * Media a reply sent by link (the inbox's POST …/messages): Meta's object carries `link` where a received one
 * carries a media id, so the public https link itself is shown (nothing to fetch from the provider).
 */
function sentByLink(type: string, body: Record<string, unknown>): { url: string; mimeType: null; filename: string | null } | null {
  if (!MEDIA_KEYS.includes(type)) return null;
  const own = record(body[type]);
  const link = str(own?.link);
  return link && /^https:\/\//i.test(link) ? { url: link, mimeType: null, filename: str(own?.filename) } : null;
}

/** A message's content for a person: text or caption, media, location, contacts, tapped reply, quote and reaction. */
export function renderContent(message: Stored): MessageContent {
  const body = metaShapedBody(message.payload);
  const type = str(body.type) ?? message.type;
  const media = mediaOf({ type: message.type, payload: message.payload });
  const linked = media ? null : sentByLink(type, body);
  const caption = MEDIA_KEYS.includes(type) ? str(record(body[type])?.caption) : null;
  const reaction = record(body.reaction);
  const reactedTo = str(reaction?.message_id);
  return {
    // a template we sent keeps its filled body as the preview
    text: textOf(type, body) ?? (type === "text" || type === "template" ? message.textPreview : null),
    media: media
      ? { url: `/api/v1/messages/${message.id}/media`, mimeType: media.mimeType, filename: media.filename, caption }
      : linked
        ? { ...linked, caption }
        : null,
    location: locationOf(body),
    contacts: contactsOf(body),
    reply: replyOf(body),
    contextWamid: str(record(body.context)?.id),
    reaction: reactedTo ? { wamid: reactedTo, emoji: str(reaction?.emoji) } : null,
  };
}
