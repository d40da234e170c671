// A chat's transcript for the chat view: messages newest first in keyset pages, each rendered for a person,
// reactions on the message they react to, quotes with their preview, and the page's conversations (with the
// referral that started them) and the conversions recorded on them.
import type { Db } from "@/db/client";
import {
  getChatMessagesByWamid,
  getConversationsByIds,
  getTranscriptRowById,
  listChatReactions,
  listConversionsOfConversations,
  listTranscriptPage,
  type TranscriptRow,
} from "@/db/queries/chat-transcript";
import { DRIP_OUTBOUND_KEY } from "@/db/queries/drip";
import { getChatKeys } from "@/db/queries/inbox";
import { AppError } from "@/lib/errors";
import { decodeCursor, toPage } from "@/lib/pagination";
import { type MessageContent, renderContent } from "./render";

type Direction = "inbound" | "outbound";
export type Reaction = { emoji: string; from: Direction; at: Date };

export type TranscriptMessage = {
  id: string;
  conversationId: string | null;
  direction: Direction;
  type: string;
  text: string | null;
  status: string;
  at: Date;
  sentAt: Date | null;
  deliveredAt: Date | null;
  readAt: Date | null;
  failedAt: Date | null;
  error: { code: string | null; title: string | null; detail: string | null } | null;
  media: MessageContent["media"];
  location: MessageContent["location"];
  contacts: MessageContent["contacts"];
  reply: MessageContent["reply"];
  reactions: Reaction[];
  context: { messageId: string | null; preview: string | null } | null;
  sentBy: { id: string; name: string } | null;
  drip: DripMark | null;
};

/** A drip send: its queue row, its drip template (id and name) and the approved Meta template it went out as, if any. */
export type DripMark = {
  outboundId: string;
  templateId: string | null;
  templateName: string | null;
  metaTemplate: { name: string; language: string } | null;
};

export type TranscriptConversation = {
  id: string;
  startedAt: Date;
  windowExpiresAt: Date;
  referral: {
    sourceType: string | null;
    sourceUrl: string | null;
    headline: string | null;
    body: string | null;
    imageUrl: string | null;
    thumbnailUrl: string | null;
    ctwaClid: string | null;
    adId: string | null;
    adName: string | null;
    campaignName: string | null;
  } | null;
};

export type TranscriptConversion = {
  id: string;
  conversationId: string;
  eventName: string;
  value: number | null;
  currency: string | null;
  status: string;
  at: Date;
};

export type Transcript = {
  rows: TranscriptMessage[];
  nextCursor: string | null;
  conversations: TranscriptConversation[];
  conversions: TranscriptConversion[];
};

/** The latest reaction of each side on each message (WhatsApp keeps one per person; an empty emoji removes it). */
function reactionsByTarget(rows: TranscriptRow[]): Map<string, Reaction[]> {
  const latest = new Map<string, { emoji: string | null; from: Direction; at: Date }>();
  for (const r of rows) {
    const reaction = renderContent(r).reaction;
    if (reaction) latest.set(`${reaction.wamid}\n${r.direction}`, { emoji: reaction.emoji, from: r.direction, at: r.providerTimestamp });
  }
  const byTarget = new Map<string, Reaction[]>();
  for (const [key, v] of latest) {
    if (!v.emoji) continue;
    const wamid = key.split("\n")[0]!;
    byTarget.set(wamid, [...(byTarget.get(wamid) ?? []), { emoji: v.emoji, from: v.from, at: v.at }]);
  }
  return byTarget;
}

const text = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

/** The drip mark of a message the drip sent (finishOutbounds writes these keys into its payload), else null. */
function dripOf(payload: Record<string, unknown> | null): DripMark | null {
  const outboundId = text(payload?.[DRIP_OUTBOUND_KEY]);
  if (!payload || !outboundId) return null;
  const t = payload.template && typeof payload.template === "object" ? (payload.template as Record<string, unknown>) : null;
  const name = text(t?.name);
  const language = text(t?.language);
  return {
    outboundId,
    templateId: text(payload.drip_template_id),
    templateName: text(payload.drip_template_name),
    metaTemplate: name && language ? { name, language } : null,
  };
}

function toMessage(row: TranscriptRow, content: MessageContent, reactions: Reaction[], quoted: Map<string, { id: string; preview: string | null }>) {
  const q = content.contextWamid ? quoted.get(content.contextWamid) : undefined;
  const hasError = row.errorCode !== null || row.errorTitle !== null || row.errorDetail !== null;
  return {
    id: row.id,
    conversationId: row.conversationId,
    direction: row.direction,
    type: row.type,
    text: content.text,
    status: row.status,
    at: row.providerTimestamp,
    sentAt: row.sentAt,
    deliveredAt: row.deliveredAt,
    readAt: row.readAt,
    failedAt: row.failedAt,
    error: hasError ? { code: row.errorCode, title: row.errorTitle, detail: row.errorDetail } : null,
    media: content.media,
    location: content.location,
    contacts: content.contacts,
    reply: content.reply,
    reactions,
    // a quote of a message we do not have (older than our records) keeps no id or preview, but still says it quotes
    context: content.contextWamid ? { messageId: q?.id ?? null, preview: q?.preview ?? null } : null,
    sentBy: row.sentByUserId && row.sentByName ? { id: row.sentByUserId, name: row.sentByName } : null,
    drip: row.direction === "outbound" ? dripOf(row.payload) : null,
  } satisfies TranscriptMessage;
}

/**
 * One page of a chat's transcript, newest first (provider time, then id). Reactions are not listed on their
 * own; each message carries its reactions. A chat of another workspace is not_found.
 */
export async function getTranscript(db: Db, input: { tenantId: string; chatId: string; cursor?: string; limit: number }): Promise<Transcript> {
  const chat = await getChatKeys(db, { tenantId: input.tenantId, id: input.chatId });
  if (!chat) throw new AppError("not_found", "Conversation not found");
  const keys = { tenantId: input.tenantId, subscriberId: chat.subscriberId, numberId: chat.numberId };
  const cursor = input.cursor ? decodeCursor(input.cursor) : undefined;
  const page = toPage(await listTranscriptPage(db, { ...keys, cursor, limit: input.limit }), input.limit, (r) => ({ at: r.providerTimestamp, id: r.id }));
  const oldest = page.rows[page.rows.length - 1];
  const contents = page.rows.map((r) => renderContent(r));
  const wamids = contents.flatMap((c) => c.contextWamid ?? []);
  const conversationIds = [...new Set(page.rows.flatMap((r) => r.conversationId ?? []))];
  const [reactionRows, quotedRows, conversationRows, conversionRows] = await Promise.all([
    oldest ? listChatReactions(db, { ...keys, since: oldest.providerTimestamp }) : [],
    getChatMessagesByWamid(db, { ...keys, wamids }),
    getConversationsByIds(db, { tenantId: input.tenantId, ids: conversationIds }),
    listConversionsOfConversations(db, { tenantId: input.tenantId, subscriberId: chat.subscriberId, ids: conversationIds }),
  ]);
  const reactions = reactionsByTarget(reactionRows);
  const quoted = new Map(quotedRows.flatMap((m) => (m.wamid === null ? [] : [[m.wamid, { id: m.id, preview: m.textPreview }] as const])));
  return {
    rows: page.rows.map((r, i) => toMessage(r, contents[i]!, (r.wamid !== null && reactions.get(r.wamid)) || [], quoted)),
    nextCursor: page.nextCursor,
    conversations: conversationRows.map((c) => ({
      id: c.id,
      startedAt: c.startedAt,
      windowExpiresAt: c.windowExpiresAt,
      referral:
        c.referral || c.ctwaClid || c.sourceType
          ? {
              sourceType: c.sourceType,
              sourceUrl: c.sourceUrl,
              headline: c.headline,
              body: c.body,
              imageUrl: c.imageUrl,
              thumbnailUrl: c.thumbnailUrl,
              ctwaClid: c.ctwaClid,
              adId: c.adId,
              adName: c.adName,
              campaignName: c.campaignName,
            }
          : null,
    })),
    conversions: conversionRows.map((c) => ({
      id: c.id,
      conversationId: c.conversationId!,
      eventName: c.eventName,
      value: c.value === null ? null : Number(c.value),
      currency: c.currency,
      status: c.status,
      at: c.eventTime,
    })),
  };
}

/** One message as the transcript shows it (its quote resolved; reactions are not read): a reply's answer. */
/**
 * A reply just stored pending, as getTranscriptMessage would read it back: built from what the request wrote (the
 * row) and the message it quotes, without another read.
 */
export function pendingReplyMessage(row: TranscriptRow, quoted: { wamid: string; id: string; preview: string | null } | null): TranscriptMessage {
  const quotes = new Map(quoted ? [[quoted.wamid, { id: quoted.id, preview: quoted.preview }] as const] : []);
  return toMessage(row, renderContent(row), [], quotes);
}

export async function getTranscriptMessage(db: Db, { tenantId, id }: { tenantId: string; id: string }): Promise<TranscriptMessage | null> {
  const row = await getTranscriptRowById(db, { tenantId, id });
  if (!row) return null;
  const content = renderContent(row);
  const quotedRows =
    content.contextWamid && row.numberId
      ? await getChatMessagesByWamid(db, { tenantId, subscriberId: row.subscriberId, numberId: row.numberId, wamids: [content.contextWamid] })
      : [];
  const quoted = new Map(quotedRows.flatMap((m) => (m.wamid === null ? [] : [[m.wamid, { id: m.id, preview: m.textPreview }] as const])));
  return toMessage(row, content, [], quoted);
}
