// A chat's transcript as the chat view shows it, oldest first: messages, the referral card where a conversation
// began from an ad (before its first message), and conversions at their time. Pages merge by id.
import type { ChatMessage, ChatTranscript } from "./api";

type Conversation = ChatTranscript["conversations"][number];
type Conversion = ChatTranscript["conversions"][number];

export type TimelineItem =
  | { kind: "message"; key: string; at: string; message: ChatMessage }
  | { kind: "referral"; key: string; at: string; conversation: Conversation & { referral: NonNullable<Conversation["referral"]> } }
  | { kind: "conversion"; key: string; at: string; conversion: Conversion };

/** Transcript pages (any order) as one: each message, conversation and conversion once, the first copy kept. */
export function mergeTranscripts(pages: Pick<ChatTranscript, "rows" | "conversations" | "conversions">[]) {
  const rows = new Map<string, ChatMessage>();
  const conversations = new Map<string, Conversation>();
  const conversions = new Map<string, Conversion>();
  for (const page of pages) {
    for (const m of page.rows) if (!rows.has(m.id)) rows.set(m.id, m);
    for (const c of page.conversations) if (!conversations.has(c.id)) conversations.set(c.id, c);
    for (const c of page.conversions) if (!conversions.has(c.id)) conversions.set(c.id, c);
  }
  return { rows: [...rows.values()], conversations: [...conversations.values()], conversions: [...conversions.values()] };
}

// at the same instant a referral card comes first, then the message, then a conversion
const ORDER = { referral: 0, message: 1, conversion: 2 } as const;

export function buildTimeline(t: Pick<ChatTranscript, "rows" | "conversations" | "conversions">): TimelineItem[] {
  const items: TimelineItem[] = t.rows.map((m) => ({ kind: "message", key: `m:${m.id}`, at: m.at, message: m }));
  for (const c of t.conversations) {
    if (!c.referral) continue;
    // the card sits before the conversation's first message on these pages
    const first = t.rows.filter((m) => m.conversationId === c.id).reduce<string | null>((min, m) => (min === null || m.at < min ? m.at : min), null);
    items.push({ kind: "referral", key: `r:${c.id}`, at: first ?? c.startedAt, conversation: { ...c, referral: c.referral } });
  }
  for (const c of t.conversions) items.push({ kind: "conversion", key: `c:${c.id}`, at: c.at, conversion: c });
  const time = (i: TimelineItem) => Date.parse(i.at);
  return items.sort((a, b) => time(a) - time(b) || ORDER[a.kind] - ORDER[b.kind] || a.key.localeCompare(b.key));
}
