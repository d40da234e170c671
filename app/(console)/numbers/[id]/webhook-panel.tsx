"use client";

import { useQuery } from "@tanstack/react-query";
import { AlertTriangle, RefreshCw, Webhook } from "lucide-react";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { toast } from "sonner";
import { ConfirmButton } from "@/components/console/confirm-button";
import { CopyButton } from "@/components/console/copy-button";
import { formatDateTime, formatRelative } from "@/components/console/format";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Spinner } from "@/components/ui/spinner";
import type { Provider } from "@/lib/numbers/schemas";
import { rotateNumberTokenAction } from "../actions";

export type WebhookSetup = {
  id: string;
  provider: Provider;
  callbackUrl: string;
  verifyToken: string;
  fields: string[];
  gupshupCallbackUrl: string | null;
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
            Last webhook received <time dateTime={new Date(last).toISOString()} title={formatDateTime(last)}>{formatRelative(last)}</time> (
            {formatDateTime(last)})
          </span>
        </>
      )}
      {isError ? <span className="ml-auto text-xs text-muted-foreground">(could not refresh)</span> : null}
    </div>
  );
}

export function WebhookPanel({ setup, canManage }: { setup: WebhookSetup; canManage: boolean }) {
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
              : "Green API numbers send drip messages; incoming Green API notifications are not used."}
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        {local && setup.provider !== "green" ? (
          <Alert variant="warning">
            <AlertTriangle aria-hidden />
            <AlertDescription>
              Meta and Gupshup cannot reach {new URL(setup.callbackUrl).host}. Set APP_URL to this console&apos;s public HTTPS address (or a tunnel) so the
              callback URL works from the internet.
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
        {setup.provider !== "green" ? <LiveIndicator id={setup.id} initial={setup.lastWebhookAt} /> : null}
      </CardContent>
    </Card>
  );
}
