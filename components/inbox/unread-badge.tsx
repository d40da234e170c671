"use client";

// The Inbox link's badge: how many chats have unread messages (99+ past a page), polled gently. It reads the
// unread filter of the list API (a partial index), one short page per half minute.
import { useQuery } from "@tanstack/react-query";
import { inboxApi } from "./api";

export const UNREAD_COUNT_KEY = "inbox-unread-count";
const POLL_MS = 30_000;
const LIMIT = 99;

export function InboxUnreadBadge() {
  const { data } = useQuery({
    queryKey: [UNREAD_COUNT_KEY],
    queryFn: async () => {
      const page = await inboxApi.listChats(`unread=true&limit=${LIMIT}`);
      return page.nextCursor ? `${LIMIT}+` : page.rows.length > 0 ? String(page.rows.length) : null;
    },
    refetchInterval: POLL_MS,
    refetchIntervalInBackground: false,
    retry: false,
  });
  if (!data) return null;
  return (
    <span className="ml-auto rounded-full bg-primary px-1.5 text-xs font-semibold text-primary-foreground" data-testid="inbox-unread-badge">
      {data}
      <span className="sr-only"> chats with unread messages</span>
    </span>
  );
}
