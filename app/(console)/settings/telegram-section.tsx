"use client";

import { Bot, Link2, MessageCircle, RefreshCw, Send, Unlink } from "lucide-react";
import { useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";
import { toast } from "sonner";
import { ConfirmButton } from "@/components/console/confirm-button";
import { CopyButton } from "@/components/console/copy-button";
import { DateTime } from "@/components/console/formatted";
import { useActionForm } from "@/components/console/use-action-form";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { FormField, fieldDescribedBy } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Spinner } from "@/components/ui/spinner";
import { Switch } from "@/components/ui/switch";
import type { TelegramBotView, TelegramUserLinkView } from "@/lib/telegram/bot";
import { type TelegramNotices, telegramConnectSchema } from "@/lib/telegram/schemas";
import {
  connectTelegramBotAction,
  createTelegramUserLinkCodeAction,
  disconnectTelegramBotAction,
  renewTelegramLinkCodeAction,
  saveTelegramNoticesAction,
  unlinkTelegramUserAction,
} from "./telegram-actions";

type Code = { code: string; expiresAt: number };

const NOTICES: { key: keyof TelegramNotices; label: string; description: string }[] = [
  { key: "notifyNewLead", label: "New lead", description: "A message with the lead and the call buttons (📞 Called → Yes / No / No answer)." },
  // the optional notices (lib/telegram/notices.ts), sent after the webhook or the drip run that brought them
  { key: "notifyDripReply", label: "Reply to a drip", description: "A lead whose drip is running wrote back: who, and the start of what they wrote." },
  {
    key: "notifyDripFailed",
    label: "Drip message failed",
    description: "A drip message could not be sent: to whom, which template, and the provider's error.",
  },
  {
    key: "notifyQualityDrop",
    label: "Quality dropped",
    description: "Meta lowered a number's quality rating (for example GREEN → YELLOW) or its messaging limit.",
  },
];

/** Refreshes the server-rendered card every few seconds while `active` (waiting for `/link CODE` in Telegram). */
function useRefreshWhile(active: boolean) {
  const router = useRouter();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => router.refresh(), 4000);
    return () => clearInterval(timer);
  }, [active, router]);
}

function CommandToSend({ command, expiresAt }: { command: string; expiresAt: number }) {
  return (
    <div className="grid gap-2">
      <div className="flex items-center gap-2 rounded-md border bg-muted/50 p-2">
        <code data-testid="telegram-command" className="min-w-0 flex-1 font-mono text-sm break-all select-all">
          {command}
        </code>
        <CopyButton value={command} />
      </div>
      <p className="text-xs text-muted-foreground">
        Works once, until <DateTime value={expiresAt} />.
      </p>
    </div>
  );
}

function ConnectForm({ replacing, onConnected }: { replacing: boolean; onConnected: (code: Code) => void }) {
  const { form, onSubmit, pending, formError } = useActionForm({
    schema: telegramConnectSchema,
    defaultValues: { token: "" },
    action: connectTelegramBotAction,
    onSuccess: (r) => {
      toast.success(`@${r.botUsername} connected`);
      form.reset();
      onConnected({ code: r.linkCode, expiresAt: r.linkCodeExpiresAt });
    },
  });
  const error = form.formState.errors.token?.message ?? formError;
  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-3">
      <FormField
        id="telegram-token"
        label={replacing ? "New bot token" : "Bot token"}
        description="In Telegram, open @BotFather, send /newbot (or /mybots → API Token for an existing bot) and paste the token here. It is stored encrypted and never shown again."
        error={error}
      >
        <Input
          id="telegram-token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="123456789:AAF…"
          aria-invalid={!!error}
          aria-describedby={fieldDescribedBy("telegram-token", { description: true, error })}
          {...form.register("token")}
        />
      </FormField>
      <div>
        <Button type="submit" disabled={pending}>
          {pending ? <Spinner /> : <Bot aria-hidden />}
          {replacing ? "Replace token" : "Connect bot"}
        </Button>
      </div>
    </form>
  );
}

function NoticeToggles({ notices }: { notices: TelegramNotices }) {
  const [values, setValues] = useState(notices);
  const [pending, start] = useTransition();
  const toggle = (key: keyof TelegramNotices, on: boolean) => {
    const next = { ...values, [key]: on };
    setValues(next);
    start(async () => {
      const r = await saveTelegramNoticesAction(next);
      if (r.ok) toast.success("Notices saved");
      else {
        setValues(values);
        toast.error(r.error);
      }
    });
  };
  return (
    <fieldset className="grid gap-3" aria-busy={pending}>
      <legend className="mb-2 text-sm font-medium">Notices in the chat</legend>
      {NOTICES.map((n) => (
        <div key={n.key} className="flex items-start justify-between gap-4">
          <div className="grid gap-0.5">
            <Label htmlFor={`tg-${n.key}`}>{n.label}</Label>
            <p id={`tg-${n.key}-description`} className="text-xs text-muted-foreground">
              {n.description}
            </p>
          </div>
          <Switch
            id={`tg-${n.key}`}
            checked={values[n.key]}
            disabled={pending}
            aria-describedby={`tg-${n.key}-description`}
            onCheckedChange={(on) => toggle(n.key, on)}
          />
        </div>
      ))}
    </fieldset>
  );
}

/** Settings → Telegram bot: connect by token, pick the chat by a one-time code, the notices, replace or disconnect. */
export function TelegramSection({ view }: { view: TelegramBotView }) {
  const [code, setCode] = useState<Code | null>(null);
  const [replacing, setReplacing] = useState(false);
  const [pending, start] = useTransition();
  // the code shown is the one still pending: once /link used it, the refreshed view has none and it disappears
  const shownCode = view.connected && code && view.linkCodeExpiresAt === code.expiresAt ? code : null;
  useRefreshWhile(shownCode !== null);

  const renew = () =>
    start(async () => {
      const r = await renewTelegramLinkCodeAction({});
      if (r.ok) setCode({ code: r.data.linkCode, expiresAt: r.data.linkCodeExpiresAt });
      else toast.error(r.error);
    });
  const disconnect = () =>
    start(async () => {
      const r = await disconnectTelegramBotAction({});
      if (!r.ok) return void toast.error(r.error);
      setCode(null);
      toast.success(
        r.data.webhookDeleted
          ? "Bot disconnected"
          : "Bot disconnected here; Telegram could not be told, so delete its webhook in @BotFather if it keeps calling",
      );
    });

  return (
    <Card>
      <CardHeader>
        <CardTitle>
          <h2>Telegram bot</h2>
        </CardTitle>
        <CardDescription>
          New leads go to your managers&apos; Telegram chat with call buttons; a press records the call exactly as the Leads page does. Replies, failed drip
          messages and quality drops can be told there too.
        </CardDescription>
        {view.connected ? (
          <CardAction>
            <Badge variant="secondary">
              <Send aria-hidden />@{view.botUsername}
            </Badge>
          </CardAction>
        ) : null}
      </CardHeader>
      <CardContent className="grid gap-6">
        {!view.connected ? (
          <ConnectForm replacing={false} onConnected={setCode} />
        ) : (
          <>
            {view.lastError ? (
              <Alert variant="warning">
                <AlertTitle>Last problem</AlertTitle>
                <AlertDescription>{view.lastError}</AlertDescription>
              </Alert>
            ) : null}
            {view.chat ? (
              <div className="flex flex-wrap items-center justify-between gap-3">
                <p className="flex items-center gap-2 text-sm" data-testid="telegram-chat">
                  <MessageCircle aria-hidden className="size-4" />
                  Posting to <span className="font-medium">{view.chat.title ?? "the linked chat"}</span>
                  {view.chat.type ? <span className="text-muted-foreground">({view.chat.type === "private" ? "private chat" : view.chat.type})</span> : null}
                </p>
                <Button variant="outline" size="sm" onClick={renew} disabled={pending}>
                  <RefreshCw aria-hidden />
                  Change chat
                </Button>
              </div>
            ) : null}
            {shownCode ? (
              <div className="grid gap-2" role="status">
                <p className="text-sm">
                  Add <span className="font-medium">@{view.botUsername}</span> to your managers&apos; group (or open a private chat with it) and send:
                </p>
                <CommandToSend command={`/link ${shownCode.code}`} expiresAt={shownCode.expiresAt} />
                <p className="flex items-center gap-2 text-sm text-muted-foreground">
                  <Spinner /> Waiting for the chat…
                </p>
              </div>
            ) : !view.chat ? (
              <div className="flex flex-wrap items-center justify-between gap-3">
                <p className="text-sm text-muted-foreground">
                  {view.linkCodeExpiresAt ? "A link code is waiting to be sent to the bot, but it is only shown once." : "No chat is linked yet."}
                </p>
                <Button size="sm" onClick={renew} disabled={pending}>
                  <Link2 aria-hidden />
                  Get a link code
                </Button>
              </div>
            ) : null}
            <NoticeToggles notices={view.notices} />
            <div className="grid gap-3 border-t pt-4">
              {replacing ? (
                <ConnectForm
                  replacing
                  onConnected={(c) => {
                    setReplacing(false);
                    setCode(c);
                  }}
                />
              ) : null}
              <div className="flex flex-wrap gap-2">
                <Button variant="outline" size="sm" onClick={() => setReplacing((r) => !r)}>
                  {replacing ? "Cancel" : "Replace token"}
                </Button>
                <ConfirmButton
                  title={`Disconnect @${view.botUsername}?`}
                  description="Its webhook is deleted at Telegram and nothing more is posted. Messages already in the chat stay, but their buttons stop working."
                  confirmLabel="Disconnect"
                  onConfirm={disconnect}
                >
                  <Button variant="ghost" size="sm" className="text-destructive" disabled={pending}>
                    <Unlink aria-hidden />
                    Disconnect
                  </Button>
                </ConfirmButton>
              </div>
            </div>
          </>
        )}
      </CardContent>
    </Card>
  );
}

/** Your account → Telegram: a one-time code to send the bot as `/me CODE`, so presses are recorded as this user. */
export function TelegramAccountLink({ view }: { view: TelegramUserLinkView }) {
  const [code, setCode] = useState<Code | null>(null);
  const [pending, start] = useTransition();
  const shownCode = view.linked ? null : code;
  useRefreshWhile(shownCode !== null);
  const create = () =>
    start(async () => {
      const r = await createTelegramUserLinkCodeAction({});
      if (r.ok) setCode({ code: r.data.code, expiresAt: r.data.expiresAt });
      else toast.error(r.error);
    });
  const unlink = () =>
    start(async () => {
      const r = await unlinkTelegramUserAction({});
      if (r.ok) toast.success("Telegram unlinked");
      else toast.error(r.error);
    });
  return (
    <Card>
      <CardHeader>
        <CardTitle>
          <h2>Telegram</h2>
        </CardTitle>
        <CardDescription>Link your Telegram account so the calls you record with the managers&apos; bot are recorded as you.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-3">
        {!view.botUsername ? (
          <p className="text-sm text-muted-foreground">This workspace has no Telegram bot yet; an admin connects one in Settings.</p>
        ) : view.linked ? (
          <div className="flex flex-wrap items-center justify-between gap-3">
            <p className="text-sm" data-testid="telegram-linked">
              Linked{view.linked.username ? ` as @${view.linked.username}` : ""}.
            </p>
            <Button variant="ghost" size="sm" onClick={unlink} disabled={pending}>
              <Unlink aria-hidden />
              Unlink
            </Button>
          </div>
        ) : shownCode ? (
          <div className="grid gap-2" role="status">
            <p className="text-sm">
              Send this to <span className="font-medium">@{view.botUsername}</span> (in a private chat or the managers&apos; group):
            </p>
            <CommandToSend command={`/me ${shownCode.code}`} expiresAt={shownCode.expiresAt} />
          </div>
        ) : (
          <div>
            <Button size="sm" onClick={create} disabled={pending}>
              {pending ? <Spinner /> : <Link2 aria-hidden />}
              Link your Telegram
            </Button>
          </div>
        )}
      </CardContent>
    </Card>
  );
}
