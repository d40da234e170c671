"use client";

import { useQuery } from "@tanstack/react-query";
import { AlertTriangle, RefreshCw, Webhook } from "lucide-react";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { toast } from "sonner";
import { ConfirmButton } from "@/components/console/confirm-button";
import { CopyButton } from "@/components/console/copy-button";
import { DateTime, RelativeTime } from "@/components/console/formatted";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Spinner } from "@/components/ui/spinner";
import type { GreenWebhookSetup } from "@/lib/green/webhook-token";
import type { Provider } from "@/lib/numbers/schemas";
import { rotateGreenWebhookTokenAction, rotateNumberTokenAction } from "../actions";

export type WebhookSetup = {
  id: string;
  provider: Provider;
  callbackUrl: string;
  verifyToken: string;
  fields: string[];
  gupshupCallbackUrl: string | null;
  /** Green API numbers: their own URL, and the token only when the viewer is an admin */
  green: GreenWebhookSetup | null;
  lastWebhookAt: number | null;
};

async function fetchLastWebhook(id: string): Promise<number | null> {
  const res = await fetch(`/api/v1/numbers/${id}`, { cache: "no-store" });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const body = (await res.json()) as { lastWebhookAt: string | null };
  return body.lastWebhookAt ? Date.parse(body.lastWebhookAt) : null;
}

/** A value to paste into the provider's dashboard, with its copy button and an optional action beside it. */
function CopyRow({ label, value, testId, action }: { label: string; value: string; testId: string; action?: React.ReactNode }) {
  return (
    <div className="grid gap-1.5">
      <span className="text-sm font-medium">{label}</span>
      <div className="flex items-center gap-2">
        <div className="flex min-w-0 flex-1 items-center gap-2 rounded-md border bg-muted/50 p-2">
          <code data-testid={testId} className="min-w-0 flex-1 font-mono text-sm break-all select-all">
            {value}
          </code>
          <CopyButton value={value} label={`Copy ${label.toLowerCase()}`} />
        </div>
        {action}
      </div>
    </div>
  );
}

function RotateButton({ id, which, canManage }: { id: string; which: "verify" | "gupshup"; canManage: boolean }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  if (!canManage) return null;
  const rotate = () =>
    startTransition(async () => {
      const result = await rotateNumberTokenAction({ id, which });
      if (!result.ok) return void toast.error(result.error);
      toast.success(which === "verify" ? "New verify token: paste it into Meta's dashboard" : "New callback URL: update it in Gupshup");
      router.refresh();
    });
  return (
    <ConfirmButton
      title={which === "verify" ? "Rotate the verify token?" : "Rotate the Gupshup callback token?"}
      description={
        which === "verify"
          ? "Meta uses the verify token only when you (re)verify the callback URL; webhooks keep arriving. The old token stops working for verification at once."
          : "The current callback URL stops working at once: Gupshup's callbacks are refused until you paste the new URL into Gupshup."
      }
      confirmLabel="Rotate"
      onConfirm={rotate}
    >
      <Button type="button" variant="outline" size="sm" disabled={pending}>
        {pending ? <Spinner /> : <RefreshCw aria-hidden />}
        Rotate
      </Button>
    </ConfirmButton>
  );
}

function GreenTokenButton({ id, first }: { id: string; first: boolean }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const rotate = () =>
    startTransition(async () => {
      const result = await rotateGreenWebhookTokenAction({ id });
      if (!result.ok) return void toast.error(result.error);
      toast.success("New webhook token: paste it into the Green API console");
      router.refresh();
    });
  const button = (
    <Button type="button" variant="outline" size="sm" disabled={pending} onClick={first ? rotate : undefined}>
      {pending ? <Spinner /> : <RefreshCw aria-hidden />}
      {first ? "Create token" : "Rotate"}
    </Button>
  );
  if (first) return button;
  return (
    <ConfirmButton
      title="Rotate the Green API webhook token?"
      description="The current token stops working at once: Green API's notifications are refused until you paste the new token into the Green API console."
      confirmLabel="Rotate"
      onConfirm={rotate}
    >
      {button}
    </ConfirmButton>
  );
}

/** The Green API number's URL and webhookUrlToken (the token for admins only), as the Green API console asks for them. */
function GreenSetup({ id, green, isAdmin }: { id: string; green: GreenWebhookSetup; isAdmin: boolean }) {
  return (
    <>
      <CopyRow label="Webhook URL" value={green.url} testId="green-webhook-url" />
      {!isAdmin ? (
        <p className="text-sm text-muted-foreground">The webhook URL token is a secret: an admin can see, copy and rotate it here.</p>
      ) : green.token ? (
        <CopyRow label="Webhook URL token" value={green.token} testId="green-webhook-token" action={<GreenTokenButton id={id} first={false} />} />
      ) : (
        <div className="flex flex-wrap items-center gap-3 text-sm">
          <span className={green.unreadable ? "text-destructive" : "text-muted-foreground"}>
            {green.unreadable ? "The token cannot be read with the current ENCRYPTION_KEY: rotate it." : "This number has no webhook token yet."}
          </span>
          <GreenTokenButton id={id} first={!green.unreadable} />
        </div>
      )}
      <p className="text-xs text-muted-foreground">
        Turn on incoming messages, outgoing message statuses and instance state notifications. Green API sends the token as “Authorization: Bearer …”; requests
        without it are refused.
      </p>
    </>
  );
}

function LiveIndicator({ id, initial }: { id: string; initial: number | null }) {
  const { data: last, isError } = useQuery({
    queryKey: ["number-last-webhook", id],
    queryFn: () => fetchLastWebhook(id),
    initialData: initial,
    refetchInterval: 5_000,
  });
  return (
    <div role="status" aria-live="polite" data-testid="webhook-indicator" className="flex items-center gap-2.5 rounded-md border p-3 text-sm">
      {last === null ? (
        <>
          <span className="relative flex size-2.5" aria-hidden>
            <span className="absolute inline-flex size-full animate-ping rounded-full bg-warning opacity-60" />
            <span className="relative inline-flex size-2.5 rounded-full bg-warning" />
          </span>
          <span>Waiting for the first webhook…</span>
        </>
      ) : (
        <>
          <span className="inline-flex size-2.5 rounded-full bg-success" aria-hidden />
          <span>
            {/* both render the server's text while hydrating, then the browser's clock, locale and time zone (no #418) */}
            Last webhook received <RelativeTime value={last} /> (<DateTime value={last} />)
          </span>
        </>
      )}
      {isError ? <span className="ml-auto text-xs text-muted-foreground">(could not refresh)</span> : null}
    </div>
  );
}

export function WebhookPanel({ setup, canManage, isAdmin = false }: { setup: WebhookSetup; canManage: boolean; isAdmin?: boolean }) {
  const local = /^https?:\/\/(localhost|127\.|0\.0\.0\.0|\[::1\])/.test(setup.callbackUrl);
  return (
    <Card>
      <CardHeader>
        <CardTitle>
          <h2 className="flex items-center gap-2">
            <Webhook className="size-4" aria-hidden />
            Webhook set-up
          </h2>
        </CardTitle>
        <CardDescription>
          {setup.provider === "cloud"
            ? "In your Meta app: WhatsApp → Configuration → Webhook → Edit. Paste these two values, verify, then subscribe to the field below."
            : setup.provider === "gupshup"
              ? "In Gupshup: your app → Webhooks → add this callback URL. Choose payload version 3 (Meta format) to receive ad click ids."
              : "In the Green API console: your instance → Settings. Paste the webhook URL and its token, so replies, STOPs and delivery statuses reach this console."}
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        {local ? (
          <Alert variant="warning">
            <AlertTriangle aria-hidden />
            <AlertDescription>
              The provider cannot reach {new URL(setup.callbackUrl).host}. Set APP_URL to this console&apos;s public HTTPS address (or a tunnel) so the callback
              URL works from the internet.
            </AlertDescription>
          </Alert>
        ) : null}
        {setup.provider === "cloud" ? (
          <>
            <CopyRow label="Callback URL" value={setup.callbackUrl} testId="callback-url" />
            <CopyRow
              label="Verify token"
              value={setup.verifyToken}
              testId="verify-token"
              action={<RotateButton id={setup.id} which="verify" canManage={canManage} />}
            />
            <div className="grid gap-1.5">
              <span className="text-sm font-medium">Webhook fields to subscribe</span>
              <div className="flex flex-wrap gap-2">
                {setup.fields.map((f) => (
                  <code key={f} className="rounded border bg-muted/50 px-2 py-1 font-mono text-sm">
                    {f}
                  </code>
                ))}
              </div>
              <p className="text-xs text-muted-foreground">
                messages carries customers&apos; messages, ad referrals and delivery statuses. Template and quality updates arrive automatically.
              </p>
            </div>
          </>
        ) : null}
        {setup.provider === "gupshup" && setup.gupshupCallbackUrl ? (
          <CopyRow
            label="Gupshup callback URL"
            value={setup.gupshupCallbackUrl}
            testId="gupshup-callback-url"
            action={<RotateButton id={setup.id} which="gupshup" canManage={canManage} />}
          />
        ) : null}
        {setup.provider === "green" && setup.green ? <GreenSetup id={setup.id} green={setup.green} isAdmin={isAdmin} /> : null}
        <LiveIndicator id={setup.id} initial={setup.lastWebhookAt} />
      </CardContent>
    </Card>
  );
}
