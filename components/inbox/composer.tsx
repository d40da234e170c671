"use client";

// The reply box. Inside the 24-hour window (and always on a Green API number) free text: Enter sends, Shift+Enter
// is a new line; "/" at the start of the box lists the quick replies matching what follows it (arrows move, Enter or
// Tab inserts, Escape closes), and the menu button lists them all. Outside the window on a Cloud API number the rule
// is explained and an approved Meta template is sent with its parameters. Each send carries an Idempotency-Key,
// the same one when the same draft is sent again after a failure.
import { zodResolver } from "@hookform/resolvers/zod";
import { useQuery } from "@tanstack/react-query";
import { Info, MessageSquareText, SendHorizontal } from "lucide-react";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { formatCount } from "@/components/console/format";
import { useFormatContext } from "@/components/console/formatted";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { FormField, fieldDescribedBy } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Spinner } from "@/components/ui/spinner";
import { Textarea } from "@/components/ui/textarea";
import { cn } from "@/lib/utils";
import { type Chat, inboxApi, type MetaTemplate, type QuickReply, type SendBody } from "./api";
import { filterQuickReplies, moveActive, slashQuery } from "./quick-reply-filter";

export const MAX_TEXT = 4096;

/** Sends a body with this key; resolves true when the API accepted it (the caller shows errors). */
export type SendFn = (body: SendBody, idempotencyKey: string) => Promise<boolean>;

/** One key per draft: the same body sent again (a retry after a failure) reuses its key; a changed one gets a new key. */
function useDraftKey() {
  const last = useRef<{ body: string; key: string } | null>(null);
  return {
    keyFor(body: SendBody) {
      const json = JSON.stringify(body);
      if (last.current?.body !== json) last.current = { body: json, key: crypto.randomUUID() };
      return last.current.key;
    },
    done() {
      last.current = null;
    },
  };
}

/** The workspace's quick replies, loaded once something asks for them (the menu or a "/" draft). */
const useQuickReplies = (enabled: boolean) =>
  useQuery({ queryKey: ["quick-replies"], queryFn: inboxApi.quickReplies, enabled, staleTime: 60_000, retry: false });

function QuickReplies({ open, onOpenChange, onPick }: { open: boolean; onOpenChange: (open: boolean) => void; onPick: (text: string) => void }) {
  const { data, error, isLoading } = useQuickReplies(open);
  return (
    <DropdownMenu open={open} onOpenChange={onOpenChange}>
      <DropdownMenuTrigger asChild>
        <Button type="button" variant="ghost" size="icon" aria-label="Quick replies (or type / at the start of the box)">
          <MessageSquareText aria-hidden />
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="start" side="top" className="max-h-72 w-80 overflow-y-auto">
        <DropdownMenuLabel>Quick replies</DropdownMenuLabel>
        {isLoading ? <p className="px-2 py-1.5 text-sm text-muted-foreground">Loading…</p> : null}
        {error ? <p className="px-2 py-1.5 text-sm text-destructive">{error.message}</p> : null}
        {data && data.length === 0 ? <p className="px-2 py-1.5 text-sm text-muted-foreground">No quick replies saved yet.</p> : null}
        {data?.map((r) => (
          <DropdownMenuItem key={r.id} data-testid="quick-reply-option" onSelect={() => onPick(r.text)} className="grid items-start gap-0.5">
            <span className="font-mono text-xs">/{r.shortcut}</span>
            <span className="line-clamp-2 text-xs text-muted-foreground">{r.text}</span>
          </DropdownMenuItem>
        ))}
        <DropdownMenuSeparator />
        <DropdownMenuItem asChild>
          <Link href="/inbox/quick-replies">Manage quick replies…</Link>
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

const SLASH_LIST = "composer-quick-replies";
const optionId = (i: number) => `${SLASH_LIST}-${i}`;

/** The "/" list above the box: the box keeps the focus and points at the active option (aria-activedescendant). */
function SlashMenu({
  options,
  active,
  loading,
  error,
  onPick,
}: {
  options: QuickReply[];
  active: number;
  loading: boolean;
  error: Error | null;
  onPick: (reply: QuickReply) => void;
}) {
  useEffect(() => {
    document.getElementById(optionId(active))?.scrollIntoView({ block: "nearest" });
  }, [active]);
  const note = (text: string, className = "text-muted-foreground") => <p className={cn("px-3 py-2 text-sm", className)}>{text}</p>;
  return (
    <div className="absolute inset-x-2 bottom-full z-20 mb-1 rounded-md border bg-popover text-popover-foreground shadow-md">
      <p className="border-b px-3 py-1.5 text-xs text-muted-foreground">Quick replies — ↑↓ to choose, Enter or Tab to insert, Esc to close</p>
      {loading ? note("Loading…") : null}
      {error ? note(`The quick replies could not be loaded: ${error.message}`, "text-destructive") : null}
      {!loading && !error && options.length === 0 ? note("No quick reply matches. Enter sends the text as it is.") : null}
      <ul id={SLASH_LIST} role="listbox" aria-label="Quick replies" className="max-h-60 overflow-y-auto p-1">
        {options.map((r, i) => (
          <li
            key={r.id}
            id={optionId(i)}
            role="option"
            aria-selected={i === active}
            data-testid="quick-reply-option"
            className={cn("grid cursor-pointer gap-0.5 rounded-sm px-2 py-1.5", i === active && "bg-accent text-accent-foreground")}
            // keep the focus in the box: the click inserts, the box stays where the user types
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => onPick(r)}
          >
            <span className="font-mono text-xs">/{r.shortcut}</span>
            <span className="line-clamp-2 text-xs text-muted-foreground">{r.text}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function TextComposer({ onSend }: { onSend: SendFn }) {
  const { locale } = useFormatContext();
  const [text, setText] = useState("");
  const [sending, setSending] = useState(false);
  const [quickOpen, setQuickOpen] = useState(false);
  // the "/" list: the draft it was closed for (Escape), and the highlighted option
  const [dismissedFor, setDismissedFor] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  const box = useRef<HTMLTextAreaElement>(null);
  const draft = useDraftKey();
  const length = [...text].length;
  const over = length > MAX_TEXT;
  const empty = text.trim() === "";
  const query = slashQuery(text);
  const slashOpen = query !== null && dismissedFor !== text;
  const quick = useQuickReplies(query !== null);
  const options = slashOpen ? filterQuickReplies(quick.data ?? [], query) : [];
  const activeIndex = Math.min(active, Math.max(options.length - 1, 0));

  const insert = (t: string) => {
    setText(t);
    setDismissedFor(t); // a reply that itself starts with "/" must not reopen the list
    requestAnimationFrame(() => {
      box.current?.focus();
      box.current?.setSelectionRange(t.length, t.length);
    });
  };

  /** The "/" list's keys; true when the key was the list's (the box must not also act on it). */
  const slashKey = (e: React.KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (!slashOpen) return false;
    if (e.key === "Escape") {
      setDismissedFor(text);
      return true;
    }
    if (e.key === "Enter" && !e.shiftKey && quick.isLoading) return true; // not sent while the list is still coming
    if (options.length === 0) return false;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      setActive(moveActive(activeIndex, e.key === "ArrowDown" ? 1 : -1, options.length));
      return true;
    }
    if ((e.key === "Enter" && !e.shiftKey) || (e.key === "Tab" && !e.shiftKey)) {
      insert(options[activeIndex]!.text);
      return true;
    }
    return false;
  };

  const submit = async () => {
    if (empty || over || sending) return;
    const body: SendBody = { type: "text", text };
    // the box empties at once (the pending bubble shows the text); a refused send puts the draft back, and
    // sending it again reuses its Idempotency-Key
    setSending(true);
    setText("");
    const ok = await onSend(body, draft.keyFor(body));
    setSending(false);
    if (ok) draft.done();
    else setText((now) => (now === "" ? body.text : now));
    box.current?.focus();
  };

  return (
    <form
      data-testid="composer"
      aria-label="Reply"
      className="relative grid gap-1 border-t p-2"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      {slashOpen ? <SlashMenu options={options} active={activeIndex} loading={quick.isLoading} error={quick.error} onPick={(r) => insert(r.text)} /> : null}
      <div className="flex items-end gap-1">
        <QuickReplies open={quickOpen} onOpenChange={setQuickOpen} onPick={insert} />
        <Label htmlFor="composer-text" className="sr-only">
          Message
        </Label>
        <Textarea
          id="composer-text"
          ref={box}
          value={text}
          rows={2}
          placeholder="Write a reply — Enter sends, Shift+Enter for a new line, / for quick replies"
          className="max-h-48 min-h-10 flex-1 resize-none"
          aria-invalid={over || undefined}
          aria-describedby="composer-count"
          aria-autocomplete="list"
          aria-controls={slashOpen ? SLASH_LIST : undefined}
          aria-activedescendant={slashOpen && options.length > 0 ? optionId(activeIndex) : undefined}
          onChange={(e) => {
            setText(e.target.value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (e.nativeEvent.isComposing) return;
            if (slashKey(e)) {
              e.preventDefault();
            } else if (e.key === "Enter" && !e.shiftKey) {
              e.preventDefault();
              void submit();
            }
          }}
        />
        <Button type="submit" size="icon" aria-label="Send" disabled={empty || over || sending}>
          {sending ? <Spinner /> : <SendHorizontal aria-hidden />}
        </Button>
      </div>
      <p id="composer-count" className={cn("text-right text-[11px] text-muted-foreground", over && "text-destructive")}>
        {`${formatCount(length, "0", locale)} / ${formatCount(MAX_TEXT, "", locale)}${over ? " — too long for one WhatsApp message" : ""}`}
      </p>
    </form>
  );
}

const templateFormSchema = z.object({ parameters: z.array(z.string().trim().min(1, "Fill in this parameter")) });
type TemplateForm = z.infer<typeof templateFormSchema>;

function TemplateComposer({ chat, onSend }: { chat: Chat; onSend: SendFn }) {
  const { data, error, isLoading } = useQuery({
    queryKey: ["meta-templates", chat.number.id],
    queryFn: () => inboxApi.templates(chat.id),
    staleTime: 5 * 60_000,
    retry: false,
  });
  const [picked, setPicked] = useState<string | undefined>(undefined);
  const usable = (data ?? []).filter((t) => !t.unsupported);
  const template: MetaTemplate | undefined = usable.find((t) => `${t.name}|${t.language}` === picked);
  const draft = useDraftKey();
  const form = useForm<TemplateForm>({ resolver: zodResolver(templateFormSchema), defaultValues: { parameters: [] } });
  useEffect(() => {
    form.reset({ parameters: (template?.parameters ?? []).map(() => "") });
  }, [template, form]);

  const submit = form.handleSubmit(async (values) => {
    if (!template) return;
    const body: SendBody = { type: "template", template: { name: template.name, language: template.language, parameters: values.parameters } };
    const ok = await onSend(body, draft.keyFor(body));
    if (ok) {
      draft.done();
      setPicked(undefined);
    }
  });

  return (
    <form data-testid="composer" aria-label="Send a template" className="grid max-h-[50%] gap-2 overflow-y-auto border-t p-3" onSubmit={submit}>
      <p className="flex gap-2 text-sm text-muted-foreground" data-testid="window-closed-note">
        <Info className="mt-0.5 size-4 shrink-0" aria-hidden />
        <span>
          The 24-hour window is closed: WhatsApp lets a business send free text only within 24 hours of the customer&apos;s last message. Until they write
          again, send an approved message template.
        </span>
      </p>
      {isLoading ? <p className="text-sm text-muted-foreground">Loading the number&apos;s approved templates…</p> : null}
      {error ? <p className="text-sm text-destructive">{`The templates could not be loaded: ${error.message}`}</p> : null}
      {data && usable.length === 0 ? <p className="text-sm text-muted-foreground">This number has no approved template that can be sent from here.</p> : null}
      {usable.length > 0 ? (
        <div className="grid gap-1.5">
          <Label htmlFor="composer-template">Template</Label>
          <Select value={picked} onValueChange={setPicked}>
            <SelectTrigger id="composer-template" size="sm" className="w-full">
              <SelectValue placeholder="Pick an approved template" />
            </SelectTrigger>
            <SelectContent>
              {usable.map((t) => (
                <SelectItem key={`${t.name}|${t.language}`} value={`${t.name}|${t.language}`}>
                  {t.name} ({t.language})
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        </div>
      ) : null}
      {template ? (
        <>
          {template.body ? <p className="rounded-md bg-muted p-2 text-sm whitespace-pre-wrap">{template.body}</p> : null}
          {template.parameters.map((name, i) => {
            const id = `composer-param-${i}`;
            const err = form.formState.errors.parameters?.[i]?.message;
            return (
              <FormField key={`${template.name}-${i}`} id={id} label={`{{${name}}}`} error={err}>
                <Input id={id} aria-invalid={Boolean(err)} aria-describedby={fieldDescribedBy(id, { error: err })} {...form.register(`parameters.${i}`)} />
              </FormField>
            );
          })}
          <Button type="submit" size="sm" className="justify-self-end" disabled={form.formState.isSubmitting}>
            {form.formState.isSubmitting ? <Spinner /> : <SendHorizontal aria-hidden />}
            Send template
          </Button>
        </>
      ) : null}
    </form>
  );
}

export function Composer({ chat, onSend }: { chat: Chat; onSend: SendFn }) {
  if (chat.demo) {
    return <p className="border-t p-3 text-sm text-muted-foreground">This is a demo chat: replies cannot be sent from a demo number.</p>;
  }
  if (chat.number.provider === "gupshup") {
    return (
      <p className="border-t p-3 text-sm text-muted-foreground">Replies from Gupshup numbers are not supported: answer from Gupshup&apos;s own console.</p>
    );
  }
  if (chat.number.provider === "cloud" && !chat.windowOpen) return <TemplateComposer chat={chat} onSend={onSend} />;
  return <TextComposer onSend={onSend} />;
}
