"use client";

// The inbox: the chat list and the open chat side by side on a laptop, one at a time on a phone. The open
// chat is in the URL (?chat=), so a chat is linkable; choosing one updates the URL without reloading the page.
import { MessageSquareText, MessagesSquare } from "lucide-react";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useCallback } from "react";
import { ListNotice } from "@/components/console/list-parts";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { cn } from "@/lib/utils";
import type { Chat, ChatPage, Member } from "./api";
import { ChatList } from "./chat-list";
import { ChatView } from "./chat-view";
import { type InboxFilterValues, inboxHref } from "./format";
import { InboxFilters } from "./inbox-filters";

export type InboxViewProps = {
  values: InboxFilterValues;
  errors: Partial<Record<string, string>>;
  page: ChatPage;
  chatId: string | null;
  chat: Chat | null;
  chatError: string | null;
  numbers: { value: string; label: string }[];
  ads: { value: string; label: string }[];
  members: Member[];
  canAssign: boolean;
  viewerId: string;
  at: string;
};

export function InboxView(props: InboxViewProps) {
  const { values } = props;
  const searchParams = useSearchParams();
  const urlChat = searchParams.get("chat");
  const chatId = urlChat && /^[0-9a-f-]{36}$/i.test(urlChat) ? urlChat : null;
  const open = useCallback(
    (id: string | null) => {
      // the URL changes in place (Next keeps useSearchParams in step with history.pushState): no server round trip
      window.history.pushState(null, "", inboxHref(values, id));
    },
    [values],
  );

  return (
    <div className="grid gap-3">
      <div className={cn("flex flex-wrap items-start justify-between gap-3", chatId && "hidden md:flex")}>
        <div className="grid gap-1">
          <h1 className="text-2xl font-semibold tracking-tight">Inbox</h1>
          <p className="text-sm text-muted-foreground">
            Every WhatsApp chat, newest activity first, with the ad that started it. Reply while the 24-hour window is open.
          </p>
        </div>
        <Button asChild variant="outline" size="sm">
          <Link href="/inbox/quick-replies">
            <MessageSquareText aria-hidden />
            Quick replies
          </Link>
        </Button>
      </div>
      <ListNotice text={props.chatError} />
      <div className="grid h-[calc(100dvh-12rem)] min-h-[28rem] overflow-hidden rounded-lg border md:h-[calc(100dvh-11rem)] md:grid-cols-[22rem_minmax(0,1fr)]">
        <section aria-label="Chats" className={cn("min-h-0 flex-col border-r", chatId ? "hidden md:flex" : "flex")}>
          <InboxFilters values={values} errors={props.errors} numbers={props.numbers} ads={props.ads} />
          <ChatList values={values} initial={props.page} initialAt={props.at} selectedId={chatId} onOpen={open} />
        </section>
        <section aria-label="Conversation" className={cn("min-h-0 min-w-0 flex-col", chatId ? "flex" : "hidden md:flex")}>
          {chatId ? (
            <ChatView
              key={chatId}
              chatId={chatId}
              initialChat={props.chat?.id === chatId ? props.chat : null}
              viewerId={props.viewerId}
              canAssign={props.canAssign}
              members={props.members}
              onBack={() => open(null)}
            />
          ) : (
            <div className="grid flex-1 place-items-center p-6">
              <EmptyState
                icon={MessagesSquare}
                title="Pick a chat"
                description="Choose a conversation on the left to read it and reply."
                className="border-none"
              />
            </div>
          )}
        </section>
      </div>
    </div>
  );
}
