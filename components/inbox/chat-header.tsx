"use client";

// The open chat's header: back to the list (phone), the person (their subscriber page), the number, the
// window, and the assignment: a manager picks any member or unassigns; anyone takes an unassigned chat.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ArrowLeft, Clock, Hand } from "lucide-react";
import Link from "next/link";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { formatPhone } from "@/lib/phone";
import { type Chat, inboxApi, type Member } from "./api";
import { CHATS_KEY, chatTitle } from "./chat-list";
import { formatTimeLeft } from "./format";

export const CHAT_KEY = "inbox-chat";
const NOBODY = "unassigned";

function AssignControl({ chat, viewerId, canAssign, members }: { chat: Chat; viewerId: string; canAssign: boolean; members: Member[] }) {
  const queryClient = useQueryClient();
  const assign = useMutation({
    mutationFn: (userId: string | null) => inboxApi.assign(chat.id, userId),
    onSuccess: (next) => {
      queryClient.setQueryData([CHAT_KEY, chat.id], next);
      void queryClient.invalidateQueries({ queryKey: [CHATS_KEY] });
      toast.success(next.assignee ? `Assigned to ${next.assignee.id === viewerId ? "you" : next.assignee.name}` : "Unassigned");
    },
    onError: (e) => toast.error(`Not assigned: ${e.message}`),
  });
  if (canAssign) {
    const options = chat.assignee && !members.some((m) => m.id === chat.assignee!.id) ? [...members, chat.assignee] : members;
    return (
      <div className="flex items-center gap-2">
        <Label htmlFor="chat-assignee" className="text-xs text-muted-foreground">
          Assigned to
        </Label>
        <Select value={chat.assignee?.id ?? NOBODY} onValueChange={(v) => assign.mutate(v === NOBODY ? null : v)} disabled={assign.isPending}>
          <SelectTrigger id="chat-assignee" size="sm" className="w-40">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value={NOBODY}>Nobody</SelectItem>
            {options.map((m) => (
              <SelectItem key={m.id} value={m.id}>
                {m.id === viewerId ? `${m.name} (you)` : m.name}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
      </div>
    );
  }
  if (!chat.assignee) {
    return (
      <Button type="button" size="sm" variant="outline" onClick={() => assign.mutate(viewerId)} disabled={assign.isPending}>
        <Hand aria-hidden />
        Take
      </Button>
    );
  }
  return <span className="text-xs text-muted-foreground">Assigned to {chat.assignee.id === viewerId ? "you" : chat.assignee.name}</span>;
}

export function ChatHeader(props: { chat: Chat; now: number; viewerId: string; canAssign: boolean; members: Member[]; onBack: () => void }) {
  const { chat } = props;
  return (
    <header className="flex flex-wrap items-center gap-x-3 gap-y-2 border-b px-3 py-2">
      <Button type="button" variant="ghost" size="icon" className="md:hidden" onClick={props.onBack} aria-label="Back to chats">
        <ArrowLeft aria-hidden />
      </Button>
      <div className="grid min-w-0 flex-1">
        <h2 className="truncate font-semibold">
          <Link href={`/subscribers/${chat.subscriber.id}`} className="hover:underline">
            {chatTitle(chat)}
          </Link>
        </h2>
        <p className="flex flex-wrap items-center gap-x-2 text-xs text-muted-foreground">
          {chat.subscriber.phone ? <span>{formatPhone(chat.subscriber.phone)}</span> : null}
          <span>via {chat.number.label}</span>
        </p>
      </div>
      <Badge variant={chat.windowOpen ? "success" : "outline"} data-testid="chat-window">
        <Clock aria-hidden />
        {chat.windowOpen ? `Window open · ${formatTimeLeft(chat.windowExpiresAt, props.now)}` : "Window closed"}
      </Badge>
      <AssignControl chat={chat} viewerId={props.viewerId} canAssign={props.canAssign} members={props.members} />
    </header>
  );
}
