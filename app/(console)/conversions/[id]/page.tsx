import { AlertTriangle, Clock, XCircle } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AutoRefresh } from "@/components/console/auto-refresh";
import { CopyButton } from "@/components/console/copy-button";
import { Facts } from "@/components/console/facts";
import { DateTime, Money, RelativeTime, TimeOrDate } from "@/components/console/formatted";
import { BackLink } from "@/components/console/list-parts";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { getDb } from "@/db/client";
import { type ConversionRow, getConversationAd, getNumberById, getSubscriberById } from "@/db/queries";
import { eventLabel } from "@/lib/conversions/schema";
import { usableThumbnail } from "@/lib/subscribers/creative-thumbnail";
import { CreativeThumbnail } from "@/components/console/creative-thumbnail";
import { reportHref } from "../../attribution/report-href";
import { requireUser } from "@/lib/auth";
import { getConversion } from "@/lib/conversions/read";
import { loadByIdOrNull } from "@/lib/http";
import { formatPhone } from "@/lib/phone";
import { hasRole } from "@/lib/roles";
import { CONVERSION_STATUS, ConversionStatusBadge, SOURCE_LABELS, explainConversionResponse, plainError, warningText } from "../conversion-status";
import { RetryButton } from "./retry-button";
import { numberLabel, subscriberName } from "@/components/console/names";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Conversion" };

const loadConversion = async (tenantId: string, rawId: string): Promise<ConversionRow | null> =>
  loadByIdOrNull(rawId, async (id) => getConversion(await getDb(), { tenantId, id }));

const code = (value: string | null, testId?: string) =>
  value ? (
    <code className="text-xs break-all" data-testid={testId}>
      {value}
    </code>
  ) : null;

function JsonCard({ title, description, value, testId, empty }: { title: string; description: string; value: unknown; testId: string; empty: string }) {
  const text = value == null ? null : JSON.stringify(value, null, 2);
  return (
    <Card>
      <CardHeader>
        <CardTitle>
          <h2>{title}</h2>
        </CardTitle>
        <CardDescription>{description}</CardDescription>
        {text ? (
          <CardAction>
            <CopyButton value={text} label="Copy JSON" />
          </CardAction>
        ) : null}
      </CardHeader>
      <CardContent>
        {text ? (
          <pre
            tabIndex={0}
            aria-label={title}
            data-testid={testId}
            className="max-h-[28rem] overflow-auto rounded-md border bg-muted/50 p-3 font-mono text-xs leading-relaxed whitespace-pre focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none"
          >
            {text}
          </pre>
        ) : (
          <p className="text-sm text-muted-foreground">{empty}</p>
        )}
      </CardContent>
    </Card>
  );
}

const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

function StateAlert({ c }: { c: ConversionRow }) {
  if (c.status === "failed" || c.status === "rejected") {
    const explained = explainConversionResponse(c.response) ?? (c.response ? null : plainError(c.lastError));
    return (
      <Alert variant="destructive" data-testid="conversion-failure">
        <XCircle aria-hidden />
        <AlertTitle>{c.status === "rejected" ? "Meta rejected this event" : "This event could not be delivered"}</AlertTitle>
        <AlertDescription>
          {explained && explained !== c.lastError ? <p>{explained}</p> : null}
          {c.lastError ? (
            <p className="font-mono text-xs break-words" data-testid="conversion-last-error">
              {c.lastError}
            </p>
          ) : null}
          <p>Fix the cause (the number&apos;s token, its dataset, the event), then retry: the same event id is sent again, so Meta never counts it twice.</p>
        </AlertDescription>
      </Alert>
    );
  }
  if (c.status === "queued" && c.nextAttemptAt) {
    return (
      <Alert variant="warning">
        <Clock aria-hidden />
        <AlertTitle>
          Retrying at <TimeOrDate value={c.nextAttemptAt} />
        </AlertTitle>
        <AlertDescription>
          <p>The last attempt failed for a reason that usually passes: {sentence(plainError(c.lastError) ?? "no answer")}</p>
        </AlertDescription>
      </Alert>
    );
  }
  return null;
}

export default async function ConversionPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser({ role: "marketer" });
  const c = await loadConversion(user.tenantId, (await params).id);
  if (!c) notFound();
  const db = await getDb();
  const [number, subscriber, ad] = await Promise.all([
    c.numberId ? getNumberById(db, { tenantId: user.tenantId, id: c.numberId }) : null,
    c.subscriberId ? getSubscriberById(db, { tenantId: user.tenantId, id: c.subscriberId }) : null,
    c.conversationId ? getConversationAd(db, { tenantId: user.tenantId, conversationId: c.conversationId }) : null,
  ]);
  const canManage = hasRole(user.role, "manager");
  const now = new Date().getTime();
  // dates in the reader's locale and time zone (components/console/formatted.tsx)
  const t = (d: Date | null, key: string) => (d ? <DateTime key={key} value={d} /> : null);
  // money in the reader's locale (components/console/formatted.tsx)
  const money = c.value !== null ? <Money value={c.value} currency={c.currency} /> : null;
  const shownName = subscriber ? subscriberName(subscriber) : null;
  const hashed = [c.emailHash ? "email" : null, c.externalIdHash ? "external id" : null].filter(Boolean).join(" and ");
  // the attribution report of the 30 days up to the conversion, narrowed to its campaign
  const attributionTo = c.createdAt.toISOString().slice(0, 10);
  const attributionFrom = new Date(c.createdAt.getTime() - 29 * 86_400_000).toISOString().slice(0, 10);
  const queuedSoon = c.status === "queued" && (!c.nextAttemptAt || c.nextAttemptAt.getTime() - now < 60_000);

  return (
    <div className="grid min-w-0 grid-cols-1 gap-6">
      <BackLink href="/conversions">Conversions</BackLink>
      <PageHeader
        className="pb-0"
        title={
          <span className="flex flex-wrap items-center gap-3">
            {eventLabel(c.eventName)}
            {money ? <span className="text-muted-foreground tabular-nums">{money}</span> : null}
            <ConversionStatusBadge status={c.status} nextAttemptAt={c.nextAttemptAt} />
          </span>
        }
        description={
          <>
            {SOURCE_LABELS[c.source] ?? c.source} · received <DateTime value={c.createdAt} />
            {c.testCode ? " · test event" : ""}
          </>
        }
        actions={c.status === "failed" || c.status === "rejected" ? <RetryButton id={c.id} /> : null}
      />
      <AutoRefresh active={c.status === "queued"} intervalMs={queuedSoon ? 2_000 : 30_000} note="This page updates by itself until Meta answers." />
      <StateAlert c={c} />
      {c.warnings.length > 0 ? (
        <Alert variant="warning" data-testid="conversion-warnings">
          <AlertTriangle aria-hidden />
          <AlertTitle>{c.warnings.length === 1 ? "Warning" : "Warnings"}</AlertTitle>
          <AlertDescription>
            <ul className="grid gap-1">
              {c.warnings.map((w) => (
                <li key={w}>{warningText(w)}</li>
              ))}
            </ul>
          </AlertDescription>
        </Alert>
      ) : null}
      <div className="grid gap-6 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>
              <h2>Event</h2>
            </CardTitle>
          </CardHeader>
          <CardContent>
            <Facts
              rows={[
                [
                  "Event",
                  <span key="ev">
                    {eventLabel(c.eventName)} <span className="text-muted-foreground">(sent to Meta as {c.eventName})</span>
                  </span>,
                ],
                ["Value", c.value !== null ? <Money key="v" value={c.value} currency={c.currency} /> : null],
                ["Event time", t(c.eventTime, "et")],
                [
                  "Event id",
                  c.eventId ? (
                    <code key="e" className="text-xs break-all" data-testid="event-id">
                      {c.eventId}
                    </code>
                  ) : null,
                ],
                ["Source", SOURCE_LABELS[c.source] ?? c.source],
                [
                  "Test event code",
                  c.testCode ? (
                    <span key="tc">
                      {code(c.testCode, "test-code")} <span className="text-muted-foreground">(only in Events Manager → Test events)</span>
                    </span>
                  ) : (
                    "none: a real event"
                  ),
                ],
                ["Content ids", c.contentIds?.length ? c.contentIds.join(", ") : null],
                ["Customer data", hashed ? `${hashed}, sent hashed (SHA-256)` : null],
                ["Conversion id", code(c.id)],
              ]}
            />
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>
              <h2>Ad click</h2>
            </CardTitle>
            <CardDescription>The conversation this event was matched to, and the click id Meta attributes it with.</CardDescription>
          </CardHeader>
          <CardContent>
            <Facts
              rows={[
                [
                  "Subscriber",
                  subscriber ? (
                    <Link key="s" href={`/subscribers/${subscriber.id}`} className="font-medium hover:underline">
                      {shownName}
                      {subscriber.profileName && subscriber.waPhone ? (
                        <span className="ml-1.5 font-normal text-muted-foreground tabular-nums">{formatPhone(subscriber.waPhone)}</span>
                      ) : null}
                    </Link>
                  ) : null,
                ],
                [
                  "Ad",
                  ad ? (
                    <span key="ad" className="flex min-w-0 items-center gap-2" data-testid="conversion-ad">
                      <CreativeThumbnail src={usableThumbnail(ad.thumbnailUrl, new Date(now))} />
                      <span className="grid min-w-0 gap-0.5">
                        <Link href={`/subscribers?ad=${encodeURIComponent(ad.adId)}`} className="font-medium break-words hover:underline">
                          {ad.adName ?? ad.headline ?? `Ad ${ad.adId}`}
                        </Link>
                        {ad.adsetName ? <span className="text-xs text-muted-foreground">Ad set {ad.adsetName}</span> : null}
                      </span>
                    </span>
                  ) : c.conversationId ? (
                    "The conversation did not start from an ad click"
                  ) : null,
                ],
                [
                  "Campaign",
                  ad ? (
                    ad.campaignId ? (
                      <Link
                        key="cp"
                        href={reportHref({ from: attributionFrom, to: attributionTo, campaign: ad.campaignId })}
                        className="break-words hover:underline"
                      >
                        {ad.campaignName ?? `Campaign ${ad.campaignId}`}
                      </Link>
                    ) : (
                      "Not known yet: Meta's names for this ad have not been fetched"
                    )
                  ) : null,
                ],
                [
                  "Conversation",
                  c.conversationId ? (
                    <span key="cv" className="grid gap-0.5">
                      {code(c.conversationId, "conversation-id")}
                      {subscriber ? (
                        <Link href={`/subscribers/${subscriber.id}`} className="text-xs text-muted-foreground underline underline-offset-2">
                          Open the conversation&apos;s attribution
                        </Link>
                      ) : null}
                    </span>
                  ) : null,
                ],
                [
                  "Number",
                  number ? (
                    canManage ? (
                      <Link key="n" href={`/numbers/${number.id}`} className="hover:underline">
                        {numberLabel(number)}
                      </Link>
                    ) : (
                      numberLabel(number)
                    )
                  ) : (
                    "deleted"
                  ),
                ],
                ["Click id (ctwa_clid)", code(c.ctwaClid, "click-id")],
                ["WABA id", number?.wabaId ? code(number.wabaId) : null],
                ["Dataset", number?.datasetId ? code(number.datasetId) : null],
              ]}
            />
          </CardContent>
        </Card>
      </div>
      <Card>
        <CardHeader>
          <CardTitle>
            <h2>Delivery</h2>
          </CardTitle>
          <CardDescription>{CONVERSION_STATUS[c.status].description}.</CardDescription>
        </CardHeader>
        <CardContent>
          <Facts
            rows={[
              ["Status", <ConversionStatusBadge key="s" status={c.status} nextAttemptAt={c.nextAttemptAt} />],
              [
                "Attempts",
                <span key="a" className="tabular-nums" data-testid="attempts">
                  {c.attempts}
                </span>,
              ],
              [
                "Last attempt",
                c.lastAttemptAt ? (
                  <span key="la">
                    <DateTime value={c.lastAttemptAt} /> (<RelativeTime value={c.lastAttemptAt} />)
                  </span>
                ) : null,
              ],
              ["Next attempt", c.status === "queued" ? (c.nextAttemptAt ? t(c.nextAttemptAt, "na") : "now") : null],
              ["Sent at", t(c.sentAt, "sa")],
              [
                "Events received",
                c.eventsReceived === null ? null : (
                  <span key="er" className="tabular-nums" data-testid="events-received">
                    {c.eventsReceived}
                  </span>
                ),
              ],
              ["fbtrace_id", code(c.fbtraceId, "fbtrace-id")],
            ]}
          />
        </CardContent>
      </Card>
      <div className="grid gap-6 lg:grid-cols-2">
        <JsonCard
          title="Sent to Meta"
          description="The exact JSON body of the last attempt (POST /{dataset-id}/events)."
          value={c.requestPayload}
          testId="capi-request"
          empty={c.status === "queued" ? "Not sent yet." : "Nothing was sent: the event stopped before reaching Meta (see the error above)."}
        />
        <JsonCard
          title="Meta's answer"
          description="What Meta answered to the last attempt, verbatim."
          value={c.response}
          testId="capi-response"
          empty={c.status === "queued" ? "No answer yet." : "No answer was recorded."}
        />
      </div>
    </div>
  );
}
