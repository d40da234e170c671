import { AlertTriangle, FlaskConical, KeyRound } from "lucide-react";
import type { Metadata } from "next";
import { BackLink } from "@/components/console/list-parts";
import { notFound } from "next/navigation";
import { Facts } from "@/components/console/facts";
import { DateTime } from "@/components/console/formatted";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth";
import { getGreenWebhookSetup } from "@/lib/green/webhook-token";
import { numberDepsFromEnv } from "@/lib/numbers/deps";
import { findPublicNumber, type PublicNumber } from "@/lib/numbers/numbers";
import { PROVIDER_LABELS } from "@/lib/numbers/schemas";
import { formatPhone } from "@/lib/phone";
import { hasRole } from "@/lib/roles";
import { ConnectionErrorDetails, DemoBadge, formatTier, NumberStatusBadge, QualityBadge } from "../number-status";
import { ConversionsApiCard } from "./conversions-api-card";
import { NumberLifecycle, TestConnectionButton } from "./number-actions";
import { WebhookPanel } from "./webhook-panel";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Number" };

const SECRET_LABELS: Record<string, string> = {
  accessToken: "Access token",
  appSecret: "App secret",
  greenApiToken: "Instance token",
  gupshupApiKey: "API key",
};

function configuration(n: PublicNumber): [string, React.ReactNode][] {
  const secrets = Object.entries(n.secrets).map(([k, s]): [string, React.ReactNode] => [
    SECRET_LABELS[k] ?? k,
    s?.unreadable ? (
      <span className="text-destructive">Unreadable with the current ENCRYPTION_KEY: replace it</span>
    ) : (
      <span className="inline-flex items-center gap-1.5 font-mono">
        <KeyRound className="size-3.5 text-muted-foreground" aria-hidden />
        {s?.hint ?? "not set"}
      </span>
    ),
  ]);
  const ids: [string, React.ReactNode][] =
    n.provider === "cloud"
      ? [
          ["Phone Number ID", <code key="p">{n.phoneNumberId}</code>],
          ["WABA ID", <code key="w">{n.wabaId}</code>],
        ] // the dataset has its own card
      : n.provider === "green"
        ? [
            ["API URL", n.greenApiUrl],
            ["Instance ID", <code key="i">{n.greenInstanceId}</code>],
          ]
        : [
            ["App name", n.gupshupAppName],
            ["Source number", n.gupshupSourceNumber ? formatPhone(n.gupshupSourceNumber) : null],
          ];
  return [
    ["Provider", PROVIDER_LABELS[n.provider]],
    ...ids,
    ...secrets,
    ["Send rate", `${n.sendRatePerSecond} messages / second`],
    ["Connected on", <DateTime key="c" value={n.createdAt} />],
  ];
}

export default async function NumberPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser({ role: "manager" });
  const db = await getDb();
  const { keys } = numberDepsFromEnv();
  const n = await findPublicNumber(db, keys, { tenantId: user.tenantId, id: (await params).id, includeWebhook: true });
  if (!n) notFound();
  const webhook = n.webhook!;
  const isAdmin = hasRole(user.role, "admin");
  const greenSetup = n.provider === "green" ? await getGreenWebhookSetup(db, keys, { tenantId: user.tenantId, id: n.id }) : null;
  // the token is a secret: it never reaches a non-admin's browser
  const green = greenSetup && !isAdmin ? { ...greenSetup, token: null } : greenSetup;

  return (
    <div className="grid gap-6">
      <BackLink href="/numbers">Numbers</BackLink>
      <PageHeader
        className="pb-0"
        title={
          <span className="flex flex-wrap items-center gap-3">
            {n.label}
            <NumberStatusBadge status={n.status} />
            {n.demo ? <DemoBadge /> : null}
          </span>
        }
        description={`${formatPhone(n.phoneE164)} · ${PROVIDER_LABELS[n.provider]}`}
        actions={n.demo ? undefined : <TestConnectionButton id={n.id} />}
      />
      {n.demo ? (
        <Alert>
          <FlaskConical aria-hidden />
          <AlertTitle>This is a demo number</AlertTitle>
          <AlertDescription>
            Load demo data added it. It has no provider connection: nothing is sent, checked or fetched through it, and its drip messages are skipped. Settings
            → Demo data removes it.
          </AlertDescription>
        </Alert>
      ) : null}
      {!n.active ? (
        <Alert variant="warning">
          <AlertTriangle aria-hidden />
          <AlertTitle>This number is inactive</AlertTitle>
          <AlertDescription>It sends nothing. Webhooks for it are still received and stored. Reactivate it below.</AlertDescription>
        </Alert>
      ) : null}
      <div className="grid gap-6 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>
              <h2>Connection</h2>
            </CardTitle>
          </CardHeader>
          <CardContent className="grid gap-4">
            <Facts
              rows={[
                ["Verified name", n.verifiedName ? <span data-testid="verified-name">{n.verifiedName}</span> : null],
                ["Quality rating", <QualityBadge key="q" rating={n.qualityRating} />],
                ["Messaging limit", formatTier(n.messagingLimitTier)],
                ["Last check", <DateTime key="l" value={n.lastCheckedAt} empty="never" />],
              ]}
            />
            {n.lastError ? (
              <Alert variant="destructive">
                <AlertTriangle aria-hidden />
                <AlertTitle>The last connection test failed</AlertTitle>
                <AlertDescription>
                  <ConnectionErrorDetails error={n.lastError} />
                </AlertDescription>
              </Alert>
            ) : n.status === "unverified" ? (
              <p className="text-sm text-muted-foreground">Not tested yet. Use “Test connection” to ask the provider whether this number works.</p>
            ) : null}
          </CardContent>
        </Card>
        <WebhookPanel
          canManage
          isAdmin={isAdmin}
          setup={{
            id: n.id,
            provider: n.provider,
            callbackUrl: webhook.callbackUrl,
            verifyToken: webhook.verifyToken,
            fields: webhook.fields,
            gupshupCallbackUrl: webhook.gupshupCallbackUrl,
            green,
            lastWebhookAt: n.lastWebhookAt?.getTime() ?? null,
          }}
        />
      </div>
      {n.provider === "cloud" ? <ConversionsApiCard id={n.id} datasetId={n.datasetId} autoLeadSubmitted={n.autoLeadSubmitted} /> : null}
      <Card>
        <CardHeader>
          <CardTitle>
            <h2>Configuration</h2>
          </CardTitle>
        </CardHeader>
        <CardContent className="grid gap-6">
          <Facts rows={configuration(n)} />
          <NumberLifecycle id={n.id} label={n.label} active={n.active} />
        </CardContent>
      </Card>
    </div>
  );
}
