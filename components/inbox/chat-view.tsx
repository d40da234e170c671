"use client";

// One chat: the header, the transcript (polled for new messages and statuses, "Load earlier" for older pages,
// day separators, referral cards and conversions inline, optimistic bubbles while a reply is being accepted),
// and the composer. Opening a chat with unread messages marks it read.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Megaphone, Target } from "lucide-react";
import { Fragment, useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { toast } from "sonner";
import { formatMoney } from "@/components/console/format";
import { useFormatContext } from "@/components/console/formatted";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { eventLabel } from "@/lib/conversions/schema";
import { Spinner } from "@/components/ui/spinner";
import { type Chat, type ChatMessage, type ChatTranscript, inboxApi, type Member, type SendBody } from "./api";
import { CHATS_KEY } from "./chat-list";
import { CHAT_KEY, ChatHeader } from "./chat-header";
import { Composer } from "./composer";
import { dayLabel, groupByDay } from "./format";
import { MessageBubble } from "./message-bubble";
import { UNREAD_COUNT_KEY } from "./unread-badge";
import { buildTimeline, mergeTranscripts, type TimelineItem } from "./timeline";

const MESSAGES_KEY = "inbox-messages";
const MESSAGES_POLL_MS = 3_000;
const CHAT_POLL_MS = 5_000;

const EMPTY: Pick<ChatTranscript, "rows" | "conversations" | "conversions"> = { rows: [], conversations: [], conversions: [] };

type Pending = { key: string; body: SendBody; at: string };

function ReferralCard({ item }: { item: Extract<TimelineItem, { kind: "referral" }> }) {
  const r = item.conversation.referral;
  const image = r.thumbnailUrl ?? r.imageUrl;
  return (
    <aside aria-label="Started from an ad" data-testid="referral-card" className="mx-auto flex w-full max-w-md gap-3 rounded-lg border bg-card p-3 text-sm">
      {image ? (
        // eslint-disable-next-line @next/next/no-img-element -- Meta's ad image URL as the referral gave it
        <img
          src={image}
          alt=""
          loading="lazy"
          referrerPolicy="no-referrer"
          className="size-16 shrink-0 rounded object-cover"
          // Meta's ad image URLs expire: an image that no longer loads is left out rather than shown broken
          onError={(e) => {
            e.currentTarget.hidden = true;
          }}
        />
      ) : null}
      <div className="grid min-w-0 gap-0.5">
        <p className="flex items-center gap-1 text-xs font-medium text-muted-foreground">
          <Megaphone className="size-3.5" aria-hidden />
          Started from {r.sourceType === "post" ? "a post" : "an ad"}
        </p>
        {r.headline ? <p className="font-medium">{r.headline}</p> : null}
        {r.body ? <p className="line-clamp-2 text-xs text-muted-foreground">{r.body}</p> : null}
        <p className="truncate text-xs text-muted-foreground">{[r.campaignName, r.adName ?? (r.adId ? `Ad ${r.adId}` : null)].filter(Boolean).join(" · ")}</p>
        {r.ctwaClid ? <p className="truncate font-mono text-[11px] text-muted-foreground">Click id {r.ctwaClid}</p> : null}
        {r.sourceUrl && /^https?:\/\//i.test(r.sourceUrl) ? (
          <a href={r.sourceUrl} target="_blank" rel="noopener noreferrer" className="text-xs underline">
            Open the ad
          </a>
        ) : null}
      </div>
    </aside>
  );
}

function ConversionNote({ item }: { item: Extract<TimelineItem, { kind: "conversion" }> }) {
  const c = item.conversion;
  const { locale } = useFormatContext();
  const value = c.value === null ? null : formatMoney(c.value, c.currency, { locale });
  return (
    <p data-testid="conversion-note" className="mx-auto flex items-center gap-1.5 rounded-full border bg-card px-3 py-1 text-xs text-muted-foreground">
      <Target className="size-3.5" aria-hidden />
      Conversion{" "}
      <span className="font-medium text-foreground" title={c.eventName}>
        {eventLabel(c.eventName)}
      </span>
      {value ? <> · {value}</> : null} · {c.status}
    </p>
  );
}

function pendingMessage(p: Pending): ChatMessage {
  const text = p.body.type === "text" ? p.body.text : `Template ${p.body.template.name}`;
  return {
    id: p.key,
    conversationId: null,
    direction: "outbound",
    type: p.body.type,
    text,
    status: "pending",
    at: p.at,
    sentAt: null,
    deliveredAt: null,
    readAt: null,
    failedAt: null,
    error: null,
    media: null,
    location: null,
    contacts: null,
    reply: null,
    reactions: [],
    context: null,
    sentBy: null,
    drip: null,
  };
}

export function ChatView(props: { chatId: string; initialChat: Chat | null; viewerId: string; canAssign: boolean; members: Member[]; onBack: () => void }) {
  const { chatId } = props;
  const ctx = useFormatContext();
  const queryClient = useQueryClient();
  const chatQuery = useQuery({
    queryKey: [CHAT_KEY, chatId],
    queryFn: () => inboxApi.getChat(chatId),
    initialData: props.initialChat ?? undefined,
    refetchInterval: CHAT_POLL_MS,
    refetchIntervalInBackground: false,
  });
  const latest = useQuery({
    queryKey: [MESSAGES_KEY, chatId],
    queryFn: () => inboxApi.messages(chatId),
    refetchInterval: MESSAGES_POLL_MS,
    refetchIntervalInBackground: false,
  });
  const [older, setOlder] = useState<ChatTranscript | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [sent, setSent] = useState<ChatMessage[]>([]);
  const [pending, setPending] = useState<Pending[]>([]);
  const [retrying, setRetrying] = useState<string | null>(null);
  const chat = chatQuery.data;

  // mark read whenever the open chat has unread messages (on opening, and as new ones arrive while it is open)
  const marking = useRef(false);
  const unread = chat?.unreadCount ?? 0;
  useEffect(() => {
    if (unread === 0 || marking.current) return;
    marking.current = true;
    inboxApi
      .markRead(chatId)
      .then((next) => {
        queryClient.setQueryData([CHAT_KEY, chatId], next);
        void queryClient.invalidateQueries({ queryKey: [CHATS_KEY] });
        void queryClient.invalidateQueries({ queryKey: [UNREAD_COUNT_KEY] });
      })
      .catch((e: Error) => toast.error(`Could not mark the chat read: ${e.message}`))
      .finally(() => {
        marking.current = false;
      });
  }, [unread, chatId, queryClient]);

  const send = useCallback(
    async (body: SendBody, key: string) => {
      const p: Pending = { key, body, at: new Date().toISOString() };
      setPending((list) => [...list.filter((x) => x.key !== key), p]);
      try {
        const { message } = await inboxApi.send(chatId, body, key);
        setSent((list) => [...list.filter((m) => m.id !== message.id), message]);
        void queryClient.invalidateQueries({ queryKey: [MESSAGES_KEY, chatId] });
        void queryClient.invalidateQueries({ queryKey: [CHATS_KEY] });
        return true;
      } catch (e) {
        toast.error(`Not sent: ${(e as Error).message}`);
        return false;
      } finally {
        setPending((list) => list.filter((x) => x.key !== key));
      }
    },
    [chatId, queryClient],
  );

  const retry = async (messageId: string) => {
    setRetrying(messageId);
    try {
      await inboxApi.retry(messageId);
      toast.success("Sending again");
      await queryClient.invalidateQueries({ queryKey: [MESSAGES_KEY, chatId] });
    } catch (e) {
      toast.error(`Not retried: ${(e as Error).message}`);
    } finally {
      setRetrying(null);
    }
  };

  const cursor = older ? older.nextCursor : (latest.data?.nextCursor ?? null);
  const loadEarlier = async () => {
    if (!cursor) return;
    setLoadingOlder(true);
    try {
      const page = await inboxApi.messages(chatId, cursor);
      // the first older page keeps a copy of the latest one too, so messages that later slide off the polled
      // latest page (as new ones arrive) stay on screen
      setOlder((o) => ({ ...mergeTranscripts([o ?? latest.data ?? EMPTY, page]), nextCursor: page.nextCursor }));
    } catch (e) {
      toast.error(`Could not load earlier messages: ${(e as Error).message}`);
    } finally {
      setLoadingOlder(false);
    }
  };

  const merged = mergeTranscripts([
    latest.data ?? { rows: [], conversations: [], conversions: [] },
    { rows: sent, conversations: [], conversions: [] },
    older ?? { rows: [], conversations: [], conversions: [] },
  ]);
  const timeline = buildTimeline(merged);
  const items: TimelineItem[] = [...timeline, ...pending.map((p) => ({ kind: "message" as const, key: `p:${p.key}`, at: p.at, message: pendingMessage(p) }))];
  // the time of the latest answer (the header renders only once the chat has been read, so this is set)
  const now = Math.max(chatQuery.dataUpdatedAt, latest.dataUpdatedAt);

  // follow the newest message when it changes, unless the reader scrolled up to read older ones
  const scroller = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const newestKey = items[items.length - 1]?.key;
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [newestKey, latest.isSuccess]);

  if (!chat) {
    return chatQuery.error ? (
      <div className="grid flex-1 place-items-center p-6 text-sm text-destructive" role="status">
        This chat could not be opened: {chatQuery.error.message}
      </div>
    ) : (
      <div className="grid gap-3 p-4" aria-busy="true" aria-label="Loading the chat">
        <Skeleton className="h-10 w-1/2" />
        <Skeleton className="h-16 w-2/3" />
        <Skeleton className="ml-auto h-16 w-2/3" />
      </div>
    );
  }

  return (
    <>
      <ChatHeader chat={chat} now={now} viewerId={props.viewerId} canAssign={props.canAssign} members={props.members} onBack={props.onBack} />
      <div
        ref={scroller}
        className="min-h-0 flex-1 overflow-y-auto px-3 py-4"
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
        }}
      >
        {cursor ? (
          <div className="mb-3 flex justify-center">
            <Button type="button" variant="outline" size="sm" onClick={loadEarlier} disabled={loadingOlder}>
              {loadingOlder ? <Spinner /> : null}
              Load earlier
            </Button>
          </div>
        ) : null}
        {latest.isLoading ? (
          <div className="grid gap-3" aria-busy="true" aria-label="Loading messages">
            <Skeleton className="h-14 w-2/3" />
            <Skeleton className="ml-auto h-14 w-2/3" />
          </div>
        ) : null}
        {latest.error && !latest.data ? (
          <p className="text-sm text-destructive" role="status">
            The messages could not be loaded: {latest.error.message}
          </p>
        ) : null}
        {latest.data && items.length === 0 ? <p className="text-center text-sm text-muted-foreground">No messages in this chat yet.</p> : null}
        <ol aria-label="Messages" className="grid gap-3">
          {groupByDay(items).map((group) => (
            <Fragment key={group.day}>
              <li className="sticky top-0 z-10 flex justify-center">
                <h3 className="rounded-full border bg-background px-3 py-0.5 text-xs font-normal text-muted-foreground">
                  {dayLabel(group.items[0]!.at, now, ctx.locale)}
                </h3>
              </li>
              {group.items.map((item) => (
                <li key={item.key} className="grid">
                  {item.kind === "message" ? (
                    <MessageBubble
                      message={item.message}
                      onRetry={item.message.direction === "outbound" && item.message.status === "failed" ? retry : undefined}
                      retrying={retrying === item.message.id}
                    />
                  ) : item.kind === "referral" ? (
                    <ReferralCard item={item} />
                  ) : (
                    <ConversionNote item={item} />
                  )}
                </li>
              ))}
            </Fragment>
          ))}
        </ol>
      </div>
      <Composer chat={chat} onSend={send} />
    </>
  );
}
