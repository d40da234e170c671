import { AlertTriangle, History, Send } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { Facts } from "@/components/console/facts";
import { DateTime } from "@/components/console/formatted";
import { BackLink, ListNotice } from "@/components/console/list-parts";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth";
import { AppError } from "@/lib/errors";
import { loadPageOrFirst } from "@/lib/pagination";
import { endpointKeysFromEnv, getEndpoint, listAttemptsPage, listDeliveriesPage, listEventTypes } from "@/lib/webhooks-out/endpoints";
import { EndpointStatusBadge, EventTypeBadges } from "../endpoint-status";
import { attemptView, deliveryView, endpointView } from "../view";
import { AttemptsTable } from "./attempts-table";
import { DeliveriesTable } from "./deliveries-table";
import { EnableButton, EndpointActions } from "./endpoint-actions";

// reads the database on every request: never prerendered at build time
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Webhook endpoint" };

const PAGE = 25;
const searchSchema = z.object({
  deliveries: z.string().min(1).max(512).optional().catch(undefined),
  attempts: z.string().min(1).max(512).optional().catch(undefined),
});

export default async function WebhookEndpointPage(props: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await requireUser({ role: "admin" });
  const params = z.object({ id: z.uuid() }).safeParse(await props.params);
  if (!params.success) notFound();
  const search = searchSchema.parse(await props.searchParams);
  const db = await getDb();
  const now = new Date();
  const key = { tenantId: user.tenantId, id: params.data.id };
  // tenant-scoped: another workspace's endpoint is simply not found here
  const found = await getEndpoint(db, endpointKeysFromEnv(), key).catch((e: unknown) => {
    if (e instanceof AppError && e.code === "not_found") return null;
    throw e;
  });
  if (!found) notFound();
  const endpoint = endpointView(found);
  const deliveries = await loadPageOrFirst(search.deliveries, (cursor) =>
    listDeliveriesPage(db, { tenantId: user.tenantId, endpointId: key.id, cursor, limit: PAGE }),
  );
  const attempts = await loadPageOrFirst(search.attempts, (cursor) =>
    listAttemptsPage(db, { tenantId: user.tenantId, endpointId: key.id, cursor, limit: PAGE }),
  );
  const href = (next: { deliveries?: string | null; attempts?: string | null }) => {
    const q = new URLSearchParams();
    const d = next.deliveries === undefined ? deliveries.cursor : next.deliveries;
    const a = next.attempts === undefined ? attempts.cursor : next.attempts;
    if (d) q.set("deliveries", d);
    if (a) q.set("attempts", a);
    const s = q.toString();
    return `/settings/webhooks/${key.id}${s ? `?${s}` : ""}`;
  };
  const rollover = endpoint.previousSecretExpiresAt !== null && endpoint.previousSecretExpiresAt > now.getTime();

  return (
    <div className="grid gap-6">
      <BackLink href="/settings/webhooks">Webhooks</BackLink>
      <PageHeader
        title={<span className="font-mono text-lg break-all">{endpoint.url}</span>}
        description={endpoint.description ?? undefined}
        actions={<EndpointActions endpoint={endpoint} eventTypes={listEventTypes().rows} />}
      />
      {endpoint.status === "disabled" ? (
        <Alert variant="destructive" data-testid="webhook-disabled-alert">
          <AlertTriangle aria-hidden />
          <AlertTitle>
            Switched off
            {endpoint.disabledAt ? (
              <>
                {" on "}
                <DateTime value={endpoint.disabledAt} />
              </>
            ) : null}
          </AlertTitle>
          <AlertDescription>
            <p>{endpoint.disabledReason ?? "Its deliveries kept failing."}</p>
            <p>Nothing is sent to it until it is switched back on; its pending deliveries are then retried at once.</p>
            <EnableButton endpoint={endpoint} label="Switch back on" />
          </AlertDescription>
        </Alert>
      ) : null}
      <Card>
        <CardHeader>
          <CardTitle>
            <h2>Details</h2>
          </CardTitle>
        </CardHeader>
        <CardContent className="grid gap-4">
          <Facts
            rows={[
              ["Status", <EndpointStatusBadge key="s" endpoint={endpoint} />],
              ["Events", <EventTypeBadges key="e" eventTypes={endpoint.eventTypes} />],
              [
                "Signing secret",
                <span key="k">
                  <code className="font-mono text-xs">{endpoint.secretHint ?? "cannot be read: rotate it"}</code>
                  {rollover ? (
                    <span className="ml-2 text-muted-foreground">
                      (the previous secret also signs until <DateTime value={endpoint.previousSecretExpiresAt} />)
                    </span>
                  ) : null}
                </span>,
              ],
              ["Added", <DateTime key="a" value={endpoint.createdAt} />],
            ]}
          />
          {endpoint.status !== "disabled" ? (
            <div>
              <EnableButton endpoint={endpoint} label={endpoint.enabled ? "Switch off" : "Switch on"} />
            </div>
          ) : null}
          <p className="text-sm text-muted-foreground">
            Receivers check each delivery&apos;s <code className="font-mono text-xs">Clicktrail-Signature</code> header with the secret and dedupe by{" "}
            <code className="font-mono text-xs">Clicktrail-Event-Id</code>: see the recipe on the{" "}
            <Link href="/api-docs" className="underline underline-offset-2">
              API page
            </Link>
            .
          </p>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>
            <h2>Deliveries</h2>
          </CardTitle>
          <CardDescription>Each event sent to this endpoint, newest first. Resend one to send it again now.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-3">
          <ListNotice text={deliveries.cursorError} />
          {deliveries.page.rows.length === 0 ? (
            <EmptyState
              icon={Send}
              title="No deliveries yet"
              description="A delivery appears here when an event this endpoint subscribes to happens (a new subscriber, a lead, a conversion…) while it is switched on."
            />
          ) : (
            <DeliveriesTable deliveries={deliveries.page.rows.map(deliveryView)} canResend={endpoint.enabled} />
          )}
          <Pager
            first={deliveries.cursor ? href({ deliveries: null }) : null}
            next={deliveries.page.nextCursor && href({ deliveries: deliveries.page.nextCursor })}
          />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>
            <h2>Attempts</h2>
          </CardTitle>
          <CardDescription>Every request made to this endpoint, newest first, with the answer.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-3">
          <ListNotice text={attempts.cursorError} />
          {attempts.page.rows.length === 0 ? (
            <EmptyState
              icon={History}
              title="No attempts yet"
              description="Each try to deliver an event shows here with its status code, latency and the start of the answer."
            />
          ) : (
            <AttemptsTable attempts={attempts.page.rows.map(attemptView)} />
          )}
          <Pager first={attempts.cursor ? href({ attempts: null }) : null} next={attempts.page.nextCursor && href({ attempts: attempts.page.nextCursor })} />
        </CardContent>
      </Card>
    </div>
  );
}

function Pager({ first, next }: { first: string | null; next: string | null }) {
  if (!first && !next) return null;
  return (
    <nav aria-label="Pages" className="flex justify-end gap-2">
      {first ? (
        <Button asChild variant="outline" size="sm">
          <Link href={first}>Newest</Link>
        </Button>
      ) : null}
      {next ? (
        <Button asChild variant="outline" size="sm">
          <Link href={next}>Older</Link>
        </Button>
      ) : null}
    </nav>
  );
}
