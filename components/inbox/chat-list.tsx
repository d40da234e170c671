"use client";

// The chat list: the first page is polled every few seconds (new messages appear and reorder without a reload),
// older pages come with "Load more" from the cursor. A chat on both keeps its newer (polled) place.
import { useQuery } from "@tanstack/react-query";
import { Megaphone, MessagesSquare, SearchX, User } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { toast } from "sonner";
import { subscriberName } from "@/components/console/names";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Spinner } from "@/components/ui/spinner";
import { formatPhone } from "@/lib/phone";
import { cn } from "@/lib/utils";
import { type Chat, type ChatPage, inboxApi } from "./api";
import { type FormatContext, formatDate, formatDayMonth, formatTime } from "@/components/console/format";
import { useFormatContext } from "@/components/console/formatted";
import { filterQuery, formatTimeLeft, type InboxFilterValues, inboxHref } from "./format";

export const CHATS_KEY = "inbox-chats";
const POLL_MS = 4_000;

/** 14:05 today, "3 Dec" before, in the reader's locale and time zone. */
function shortTime(at: string, now: number, ctx: FormatContext): string {
  return formatDate(at, "", ctx) === formatDate(now, "", ctx) ? formatTime(at, ctx) : formatDayMonth(at, "", ctx);
}

export function chatTitle(chat: Chat): string {
  return subscriberName({ profileName: chat.subscriber.name, waPhone: chat.subscriber.phone });
}

function ChatRow({ chat, href, selected, now, onOpen }: { chat: Chat; href: string; selected: boolean; now: number; onOpen: (id: string) => void }) {
  const ctx = useFormatContext();
  const last = chat.lastMessage;
  const adLabel = chat.ad ? (chat.ad.adName ?? chat.ad.campaignName ?? chat.ad.headline ?? "From an ad") : null;
  return (
    <li>
      <a
        href={href}
        data-testid="chat-row"
        aria-current={selected ? "true" : undefined}
        onClick={(e) => {
          if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
          e.preventDefault();
          onOpen(chat.id);
        }}
        className={cn("grid gap-1 border-b px-3 py-2.5 text-sm outline-none hover:bg-accent/50 focus-visible:bg-accent", selected && "bg-accent")}
      >
        <div className="flex items-baseline gap-2">
          <span className={cn("min-w-0 flex-1 truncate", chat.unreadCount > 0 ? "font-semibold" : "font-medium")}>{chatTitle(chat)}</span>
          {last ? (
            <time className="shrink-0 text-xs text-muted-foreground" dateTime={last.at}>
              {shortTime(last.at, now, ctx)}
            </time>
          ) : null}
        </div>
        <div className="flex items-center gap-2">
          <span className="min-w-0 flex-1 truncate text-muted-foreground">
            {last ? (
              <>
                {last.direction === "outbound" ? "You: " : ""}
                {last.preview ?? `[${last.type}]`}
              </>
            ) : (
              "No messages"
            )}
          </span>
          {chat.unreadCount > 0 ? (
            <span className="rounded-full bg-primary px-1.5 text-xs font-semibold text-primary-foreground" aria-label={`${chat.unreadCount} unread`}>
              {chat.unreadCount}
            </span>
          ) : null}
        </div>
        <div className="flex flex-wrap items-center gap-1 text-xs text-muted-foreground">
          {chat.subscriber.phone ? <span>{formatPhone(chat.subscriber.phone)}</span> : null}
          <span aria-hidden>·</span>
          <span className="truncate">{chat.number.label}</span>
          <Badge variant={chat.windowOpen ? "success" : "outline"} className="ml-auto">
            {chat.windowOpen ? formatTimeLeft(chat.windowExpiresAt, now) : "Window closed"}
          </Badge>
        </div>
        {adLabel || chat.assignee ? (
          <div className="flex flex-wrap items-center gap-1">
            {adLabel ? (
              <Badge variant="secondary" title={[chat.ad?.campaignName, chat.ad?.adName].filter(Boolean).join(" · ")} className="max-w-48">
                <Megaphone aria-hidden />
                <span className="truncate">{adLabel}</span>
              </Badge>
            ) : null}
            {chat.assignee ? (
              <Badge variant="outline" className="max-w-40">
                <User aria-hidden />
                <span className="truncate">{chat.assignee.name}</span>
              </Badge>
            ) : null}
          </div>
        ) : null}
      </a>
    </li>
  );
}

export function ChatList(props: { values: InboxFilterValues; initial: ChatPage; initialAt: string; selectedId: string | null; onOpen: (id: string) => void }) {
  const query = filterQuery(props.values);
  const [more, setMore] = useState<{ query: string; rows: Chat[]; cursor: string | null } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const { data, error, dataUpdatedAt } = useQuery({
    queryKey: [CHATS_KEY, query],
    queryFn: () => inboxApi.listChats(query),
    initialData: props.initial,
    initialDataUpdatedAt: Date.parse(props.initialAt),
    refetchInterval: POLL_MS,
    refetchIntervalInBackground: false,
  });
  const extra = more?.query === query ? more : null;
  const seen = new Set(data.rows.map((c) => c.id));
  const rows = [...data.rows, ...(extra?.rows.filter((c) => !seen.has(c.id)) ?? [])];
  const cursor = extra ? extra.cursor : data.nextCursor;
  const now = dataUpdatedAt || Date.parse(props.initialAt);
  const filtered = query !== "";

  const loadMore = async () => {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const page = await inboxApi.listChats(query, cursor);
      setMore({ query, rows: [...(extra?.rows ?? []), ...page.rows], cursor: page.nextCursor });
    } catch (e) {
      toast.error(`Could not load more chats: ${(e as Error).message}`);
    } finally {
      setLoadingMore(false);
    }
  };

  return (
    <div className="min-h-0 flex-1 overflow-y-auto">
      {error ? (
        <p role="status" className="border-b bg-destructive/10 px-3 py-2 text-xs text-destructive">
          Not refreshing: {(error as Error).message}
        </p>
      ) : null}
      {rows.length === 0 ? (
        filtered ? (
          <EmptyState
            icon={SearchX}
            title="No chat matches these filters"
            description="Try fewer filters or a shorter search."
            className="m-3"
            data-testid="inbox-empty-filtered"
            action={
              <Button asChild variant="outline" size="sm">
                <Link href={inboxHref({})}>Clear filters</Link>
              </Button>
            }
          />
        ) : (
          <EmptyState
            icon={MessagesSquare}
            title="No chats yet"
            description="Chats appear here as soon as a customer writes to one of your WhatsApp numbers, for example after tapping a Click-to-WhatsApp ad."
            className="m-3"
            data-testid="inbox-empty"
            action={
              <Button asChild size="sm">
                <Link href="/numbers">Set up a number</Link>
              </Button>
            }
          />
        )
      ) : (
        <ul aria-label="Chats, newest activity first">
          {rows.map((chat) => (
            <ChatRow
              key={chat.id}
              chat={chat}
              href={inboxHref(props.values, chat.id)}
              selected={chat.id === props.selectedId}
              now={now}
              onOpen={props.onOpen}
            />
          ))}
        </ul>
      )}
      {cursor && rows.length > 0 ? (
        <div className="p-3">
          <Button type="button" variant="outline" size="sm" className="w-full" onClick={loadMore} disabled={loadingMore}>
            {loadingMore ? <Spinner /> : null}
            Load more
          </Button>
        </div>
      ) : null}
    </div>
  );
}
