import { AlertTriangle, HelpCircle, ShieldX } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { BackLink } from "@/components/console/list-parts";
import { notFound } from "next/navigation";
import { CopyButton } from "@/components/console/copy-button";
import { Facts } from "@/components/console/facts";
import { DateTime } from "@/components/console/formatted";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth";
import { loadByIdOrNull } from "@/lib/http";
import { formatPhone } from "@/lib/phone";
import { formatBytes, getWebhookEventDetail, MAX_SHOWN_DEPTH, type WebhookEventDetail, type WebhookEventItem } from "@/lib/webhook-events/list";
import { EVENT_STATUS, EventStatusBadge, PROVIDER_NAMES, SignatureResultLabel, signatureDescription } from "../event-status";
import { ReplayButton } from "./replay-button";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Webhook event" };

const ITEM_KINDS: Record<WebhookEventItem["kind"], string> = {
  message: "Message",
  status: "Status",
  template_status: "Template status",
  template_category: "Template category",
  template_quality: "Template quality",
  number_quality: "Number quality",
  account_update: "Account update",
  value_errors: "Error report",
  user_event: "User event",
  user_preference: "User preference",
  instance_state: "Instance state",
  ignored: "Ignored",
};

const loadEvent = async (tenantId: string, rawId: string): Promise<WebhookEventDetail | null> =>
  loadByIdOrNull(rawId, async (id) => getWebhookEventDetail(await getDb(), { tenantId, id }));

function StateAlert({ event }: { event: WebhookEventDetail }) {
  if (event.status === "rejected") {
    return (
      <Alert variant="destructive">
        <ShieldX aria-hidden />
        <AlertTitle>This event cannot be replayed</AlertTitle>
        <AlertDescription>
          <p>
            It failed its authenticity check ({event.error ?? signatureDescription(event.signatureResult)}), so it is kept for inspection and never processed:
            anyone can POST to a webhook URL, and only a verified body may change your data. If the number&apos;s app secret was wrong, correct it on the
            number; Meta retries deliveries it did not get a 200 for, and those retries are accepted.
          </p>
        </AlertDescription>
      </Alert>
    );
  }
  if (event.status === "failed") {
    return (
      <Alert variant="destructive">
        <AlertTriangle aria-hidden />
        <AlertTitle>Processing failed</AlertTitle>
        <AlertDescription>
          <p className="break-words">{event.error ?? "No error was recorded."}</p>
          <p>Failed events are retried automatically with backoff. Once the cause is fixed you can replay it now; replaying never applies anything twice.</p>
        </AlertDescription>
      </Alert>
    );
  }
  if (event.status === "unrouted") {
    return (
      <Alert variant="warning">
        <HelpCircle aria-hidden />
        <AlertTitle>Part of this event names a number that is not connected</AlertTitle>
        <AlertDescription>
          <p>
            What could be routed was applied; the rest is kept and processed automatically when you connect{" "}
            {event.routedPhoneNumberIds.length > 0 ? (
              <code>
                Phone Number ID{event.routedPhoneNumberIds.length > 1 ? "s" : ""} {event.routedPhoneNumberIds.join(", ")}
              </code>
            ) : (
              "that number"
            )}
            .{" "}
            <Link href="/numbers" className="underline underline-offset-2">
              Connect it on Numbers
            </Link>
            ; replay the event afterwards if it does not clear by itself.
          </p>
        </AlertDescription>
      </Alert>
    );
  }
  return null;
}

function ItemsTable({ items }: { items: WebhookEventItem[] }) {
  return (
    <Table>
      <TableHeader>
        <TableRow>
          <TableHead>Kind</TableHead>
          <TableHead>Type</TableHead>
          <TableHead>From / to</TableHead>
          <TableHead>Status</TableHead>
          <TableHead>Message id</TableHead>
          <TableHead className="w-[38%]">Preview</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {items.map((item, i) => (
          <TableRow key={i} data-testid="webhook-item">
            <TableCell className="font-medium">{ITEM_KINDS[item.kind]}</TableCell>
            <TableCell>{item.type ?? <span className="text-muted-foreground">—</span>}</TableCell>
            <TableCell className="tabular-nums">{item.from ?? <span className="text-muted-foreground">—</span>}</TableCell>
            <TableCell>{item.status ?? <span className="text-muted-foreground">—</span>}</TableCell>
            <TableCell>
              {item.wamid ? (
                <code className="block max-w-48 truncate text-xs" title={item.wamid}>
                  {item.wamid}
                </code>
              ) : (
                <span className="text-muted-foreground">—</span>
              )}
            </TableCell>
            <TableCell className="whitespace-normal">
              {item.textPreview ? (
                <span className="line-clamp-3 break-words" title={item.textPreview}>
                  {item.textPreview}
                </span>
              ) : (
                <span className="text-muted-foreground">—</span>
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

export default async function WebhookEventPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser({ role: "manager" });
  const event = await loadEvent(user.tenantId, (await params).id);
  if (!event) notFound();
  const headers = Object.entries(event.headers);
  const shownBody = event.prettyBody ?? event.rawBody;

  return (
    <div className="grid gap-6">
      <BackLink href="/webhooks">Webhook events</BackLink>
      <PageHeader
        className="pb-0"
        title={
          <span className="flex flex-wrap items-center gap-3">
            Webhook event
            <EventStatusBadge status={event.status} />
          </span>
        }
        description={
          <>
            {`${PROVIDER_NAMES[event.provider]} · received `}
            <DateTime value={event.receivedAt} />
            {` · ${event.summary}`}
          </>
        }
        actions={event.replayable ? <ReplayButton id={event.id} /> : null}
      />
      <StateAlert event={event} />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>
              <h2>Delivery</h2>
            </CardTitle>
          </CardHeader>
          <CardContent>
            <Facts
              rows={[
                ["Received", <DateTime key="r" value={event.receivedAt} />],
                ["Provider", PROVIDER_NAMES[event.provider]],
                [
                  "Number",
                  event.number ? (
                    <Link href={`/numbers/${event.number.id}`} className="hover:underline">
                      {event.number.label} ({formatPhone(event.number.phoneE164)})
                    </Link>
                  ) : null,
                ],
                ["Phone Number IDs", event.routedPhoneNumberIds.length > 0 ? <code>{event.routedPhoneNumberIds.join(", ")}</code> : null],
                ["Refused Phone Number IDs", event.refusedPhoneNumberIds.length > 0 ? <code>{event.refusedPhoneNumberIds.join(", ")}</code> : null],
                ["Status", <span key="s">{EVENT_STATUS[event.status].description}</span>],
                ["Signature", <SignatureResultLabel key="sig" result={event.signatureResult} />],
                [
                  "Attempts",
                  <span key="a" className="tabular-nums">
                    {event.attempts}
                  </span>,
                ],
                ["Processed at", event.processedAt ? <DateTime key="p" value={event.processedAt} /> : null],
                // failed and rejected events show their error in the alert above
                ...(event.status === "failed" || event.status === "rejected"
                  ? []
                  : [["Error", event.error ? <span className="text-destructive">{event.error}</span> : null] as [string, React.ReactNode]]),
                ["Size", formatBytes(event.bodyBytes)],
                [
                  "Event ID",
                  <code key="id" className="text-xs">
                    {event.id}
                  </code>,
                ],
              ]}
            />
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>
              <h2>Headers</h2>
            </CardTitle>
            <CardDescription>Only the headers that help with debugging are kept.</CardDescription>
          </CardHeader>
          <CardContent>
            {headers.length > 0 ? (
              <dl className="grid gap-2 text-sm">
                {headers.map(([name, value]) => (
                  <div key={name} className="grid gap-0.5">
                    <dt className="font-mono text-xs text-muted-foreground">{name}</dt>
                    <dd className="font-mono text-xs break-all">{value}</dd>
                  </div>
                ))}
              </dl>
            ) : (
              <p className="text-sm text-muted-foreground">No headers were kept for this event.</p>
            )}
          </CardContent>
        </Card>
      </div>
      <Card className={event.items.length > 0 ? "pb-0" : undefined}>
        <CardHeader>
          <CardTitle>
            <h2>Items</h2>
          </CardTitle>
          <CardDescription>What the parser reads from this body: one row per message, status or account change.</CardDescription>
        </CardHeader>
        {event.parseError ? (
          <CardContent>
            <Alert variant="warning">
              <AlertTriangle aria-hidden />
              <AlertTitle>The body is not a {PROVIDER_NAMES[event.provider]} webhook</AlertTitle>
              <AlertDescription>
                <p className="break-words">{event.parseError}</p>
              </AlertDescription>
            </Alert>
          </CardContent>
        ) : event.items.length === 0 ? (
          <CardContent>
            <p className="text-sm text-muted-foreground">This body holds no items.</p>
          </CardContent>
        ) : (
          <div className="border-t">
            <ItemsTable items={event.items} />
          </div>
        )}
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>
            <h2>Raw body</h2>
          </CardTitle>
          <CardDescription>
            {event.rawBodyKind === "tenant_copy"
              ? `The delivery also named other workspaces' numbers: only this workspace's entries are kept here (SHA-256 of the whole delivery: ${event.bodySha256 ?? "unknown"}).`
              : event.rawBodyKind === "prefix"
                ? `Refused, so only its first 4 KiB are kept (SHA-256 of the whole body: ${event.bodySha256 ?? "unknown"}).`
                : event.bodyFormat === "json"
                  ? "Re-indented for reading. “Copy exact body” copies the bytes as received: the signature was computed over those."
                  : event.bodyFormat === "deep_json"
                    ? `Shown exactly as received: it nests more than ${MAX_SHOWN_DEPTH} levels deep, too deep to re-indent.`
                    : "Shown exactly as received (it is not JSON)."}
          </CardDescription>
          <CardAction className="flex flex-wrap gap-2">
            {event.prettyBody ? <CopyButton value={event.prettyBody} label="Copy JSON" /> : null}
            <CopyButton value={event.rawBody} label={event.rawBodyKind === "exact" ? "Copy exact body" : "Copy stored body"} />
          </CardAction>
        </CardHeader>
        <CardContent>
          <pre
            tabIndex={0}
            role="region"
            aria-label="Raw body"
            data-testid="webhook-raw-body"
            className="max-h-[32rem] overflow-auto rounded-md border bg-muted/50 p-3 font-mono text-xs leading-relaxed whitespace-pre focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none"
          >
            {shownBody}
          </pre>
        </CardContent>
      </Card>
    </div>
  );
}
