// The inbox list: chats newest activity first with the filters of the inbox page, keyset pages, and one chat
// (by its id or one of its conversations) in the same shape.
import { z } from "zod";
import type { Db } from "@/db/client";
import { type ChatListRow, getChatRow, listChatPage } from "@/db/queries/inbox";
import { AppError } from "@/lib/errors";
import { decodeCursor, type Page, toPage } from "@/lib/pagination";
import { filterTextSchema } from "@/lib/query-params";
import { metaIdSchema, optionalParam, parseSubscriberSearch } from "@/lib/subscribers/list-filters";

export const ASSIGNED_FILTERS = ["me", "unassigned", "anyone"] as const;

export const chatFiltersSchema = z.object({
  numberId: optionalParam(z.uuid("Not a valid number id")),
  assigned: z.preprocess((v) => (v === "" ? undefined : v), z.enum(ASSIGNED_FILTERS).default("anyone")),
  unread: optionalParam(z.literal("true")),
  windowOpen: optionalParam(z.literal("true")),
  adId: optionalParam(metaIdSchema),
  q: optionalParam(filterTextSchema(100, "Search for at most 100 characters")),
});
export type ChatFilters = z.output<typeof chatFiltersSchema>;

export const chatPageParamsSchema = z.object({
  cursor: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export type PublicChat = {
  id: string;
  latestConversationId: string | null;
  subscriber: { id: string; name: string | null; phone: string | null };
  number: ChatListRow["number"];
  lastMessage: { id: string; direction: "inbound" | "outbound"; type: string; preview: string | null; at: Date } | null;
  lastInboundAt: Date | null;
  unreadCount: number;
  windowExpiresAt: Date | null;
  windowOpen: boolean;
  assignee: { id: string; name: string } | null;
  assignedAt: Date | null;
  ad: {
    conversationId: string;
    adId: string | null;
    adName: string | null;
    campaignName: string | null;
    headline: string | null;
    ctwaClid: string | null;
  } | null;
  demo: boolean;
};

export function toPublicChat(row: ChatListRow, now: Date): PublicChat {
  const c = row.chat;
  return {
    id: c.id,
    latestConversationId: c.latestConversationId,
    subscriber: { id: row.subscriber.id, name: row.subscriber.profileName, phone: row.subscriber.waPhone },
    number: row.number,
    lastMessage:
      c.lastMessageId && c.lastMessageDirection
        ? { id: c.lastMessageId, direction: c.lastMessageDirection, type: c.lastMessageType ?? "unknown", preview: c.lastMessagePreview, at: c.lastMessageAt }
        : null,
    lastInboundAt: c.lastInboundAt,
    unreadCount: c.unreadCount,
    windowExpiresAt: c.windowExpiresAt,
    windowOpen: c.windowExpiresAt !== null && c.windowExpiresAt > now,
    assignee: row.assignee,
    assignedAt: c.assignedAt,
    ad: row.ad,
    demo: c.demo,
  };
}

/**
 * One page of the workspace's chats, newest activity first. `assigned: "me"` needs a signed-in user (an API
 * key is no one: 422); a cursor this list did not hand out is 422 invalid_cursor; a short name search is 422.
 */
export async function listChats(
  db: Db,
  input: { tenantId: string; viewerUserId: string | null; filters: ChatFilters; cursor?: string; limit: number; now: Date },
): Promise<Page<PublicChat>> {
  const { filters: f } = input;
  if (f.assigned === "me" && !input.viewerUserId) {
    throw new AppError(
      "unprocessable",
      "assigned=me needs a signed-in user: an API key is not a person, so name the chats you want another way (assigned=unassigned or anyone)",
      { fieldErrors: { assigned: ["`me` needs a console session"] } },
      "assigned_me_needs_user",
    );
  }
  const rows = await listChatPage(db, {
    tenantId: input.tenantId,
    numberId: f.numberId,
    assignedUserId: f.assigned === "me" ? input.viewerUserId : f.assigned === "unassigned" ? null : undefined,
    unread: f.unread === "true",
    windowOpenAt: f.windowOpen === "true" ? input.now : undefined,
    adId: f.adId,
    search: parseSubscriberSearch(f.q),
    cursor: input.cursor ? decodeCursor(input.cursor) : undefined,
    limit: input.limit,
  });
  const page = toPage(rows, input.limit, (r) => ({ at: r.chat.lastMessageAt, id: r.chat.id }));
  return { rows: page.rows.map((r) => toPublicChat(r, input.now)), nextCursor: page.nextCursor };
}

/** One chat by its id or the id of one of its 24-hour conversations; another workspace's is not_found. */
export async function requireChat(db: Db, { tenantId, id, now }: { tenantId: string; id: string; now: Date }): Promise<PublicChat> {
  const row = await getChatRow(db, { tenantId, id });
  if (!row) throw new AppError("not_found", "Conversation not found");
  return toPublicChat(row, now);
}
