import { ArrowDownLeft, ArrowUpRight, BadgeDollarSign, CalendarClock, MessagesSquare } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Facts } from "@/components/console/facts";
import { BackLink } from "@/components/console/list-parts";
import { formatDateTime, formatRelative } from "@/components/console/format";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth";
import { readLifecycleEvents } from "@/lib/conversions/lifecycle";
import { formatPhone } from "@/lib/phone";
import { loadSubscriberPage, type SubscriberPageData } from "@/lib/subscribers/read";
import { LIFECYCLE_LABELS, MarketingStoppedBadge, MessageStatusLabel, SubscriberStatusBadge } from "../subscriber-badges";
import { ReferralCard } from "./attribution";
import { LifecycleScoreCard } from "./lifecycle-score-card";
import { SubscriberActions } from "./subscriber-actions";
import { subscriberName } from "@/components/console/names";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Subscriber" };

/** The customer's own marketing choice in WhatsApp (Meta user_preferences), in words. */
function marketingPreferenceText(preference: string | null, at: Date | null): string {
  const when = at ? ` on ${formatDateTime(at.getTime())}` : "";
  if (preference === "stop") return `Stopped by the customer${when}. No drip message is queued or sent to them; pending ones were cancelled.`;
  if (preference === "resume") return `Resumed by the customer${when}: drip messages are sent again (ones cancelled by their stop stay cancelled).`;
  return "Allowed: the customer has not stopped them in WhatsApp.";
}

type TimelineItem = { at: Date; key: string; icon: typeof ArrowDownLeft; title: React.ReactNode; detail?: React.ReactNode; status?: React.ReactNode };

function timeline(d: SubscriberPageData): TimelineItem[] {
  const items: TimelineItem[] = [];
  for (const m of d.messages) {
    const inbound = m.direction === "inbound";
    items.push({
      at: m.providerTimestamp,
      key: `m-${m.id}`,
      icon: inbound ? ArrowDownLeft : ArrowUpRight,
      title: `${inbound ? "Received" : "Sent"} ${m.type}`,
      detail: m.textPreview ? <span className="whitespace-pre-line">{m.textPreview}</span> : null,
      status: (
        <span className="grid justify-items-end gap-0.5">
          {inbound ? null : <MessageStatusLabel status={m.status} />}
          {m.errorCode ? <span className="text-xs text-destructive">{`${m.errorCode}: ${m.errorTitle ?? m.errorDetail ?? "failed"}`}</span> : null}
        </span>
      ),
    });
  }
  for (const c of d.conversations) {
    items.push({
      at: c.startedAt,
      key: `c-${c.id}`,
      icon: MessagesSquare,
      title: c.sourceType ? `Conversation from ${c.sourceType === "ad" ? "an ad click" : `a ${c.sourceType}`}` : "Conversation started",
      detail: c.headline ?? `Free replies until ${formatDateTime(c.windowExpiresAt.getTime())}`,
    });
  }
  for (const v of d.conversions) {
    items.push({
      at: v.eventTime,
      key: `v-${v.id}`,
      icon: BadgeDollarSign,
      // a lifecycle event's id names its stage: lifecycle:{subscriber}:{stage}:{conversation}
      title: `Conversion ${v.eventName}${v.value ? ` · ${v.value} ${v.currency ?? ""}` : ""}${v.source === "lifecycle" ? ` · stage changed to ${(LIFECYCLE_LABELS[v.eventId.split(":")[2] ?? ""] ?? "another stage").toLowerCase()}` : ""}`,
      detail: v.response ? <code className="text-xs break-all">{JSON.stringify(v.response).slice(0, 300)}</code> : `Event id ${v.eventId}`,
      status: <span className={v.status === "failed" ? "text-destructive" : "text-muted-foreground"}>{v.status}</span>,
    });
  }
  for (const o of d.outbound) {
    items.push({
      at: o.scheduledAt,
      key: `o-${o.id}`,
      icon: CalendarClock,
      title: `Drip message ${o.templateName}`,
      detail: o.renderedText ?? (o.errorMessage ? <span className="text-destructive">{o.errorMessage}</span> : null),
      status: <span className={o.status === "failed" ? "text-destructive" : "text-muted-foreground"}>{o.status}</span>,
    });
  }
  return items.sort((a, b) => b.at.getTime() - a.at.getTime());
}

export default async function SubscriberPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser({ role: "marketer" });
  const data = await loadSubscriberPage(await getDb(), { tenantId: user.tenantId, id: (await params).id });
  if (!data) notFound();
  const lifecycleEvents = await readLifecycleEvents(await getDb(), { tenantId: user.tenantId });
  const { subscriber: s, firstTouch, lastTouch } = data;
  const now = new Date().getTime(); // one clock for the whole page
  const name = subscriberName(s, "Unknown");
  const windowOpen = s.conversationExpiresAt && s.conversationExpiresAt.getTime() > now;
  const referrals = data.conversations.filter((c) => c.sourceType || c.ctwaClid);
  if (firstTouch && !referrals.some((c) => c.id === firstTouch.id)) referrals.push(firstTouch);
  const items = timeline(data);
  const t = (d: Date | null) => (d ? formatDateTime(d.getTime()) : null);

  return (
    <div className="grid gap-6">
      <BackLink href="/subscribers">Subscribers</BackLink>
      <PageHeader
        className="pb-0"
        title={name}
        description={
          <span className="inline-flex flex-wrap items-center gap-2">
            <SubscriberStatusBadge status={s.status} />
            <MarketingStoppedBadge preference={s.marketingPreference} />
            {LIFECYCLE_LABELS[s.lifecycleState]}
            {s.waPhone ? <span className="tabular-nums">· {formatPhone(s.waPhone)}</span> : null}
            {data.number ? (
              <span>
                · on{" "}
                <Link href={`/numbers/${data.number.id}`} className="hover:underline">
                  {data.number.label}
                </Link>
              </span>
            ) : null}
          </span>
        }
      />
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,1.4fr)]">
        <div className="grid content-start gap-6">
          <Card>
            <CardHeader>
              <CardTitle>24 h window</CardTitle>
              <CardDescription>
                {windowOpen
                  ? `Open until ${formatDateTime(s.conversationExpiresAt!.getTime())}: free-form replies are allowed.`
                  : "Closed: only approved templates can be sent until they write again."}
              </CardDescription>
            </CardHeader>
          </Card>
          <LifecycleScoreCard subscriber={s} now={new Date(now)} />
          <Card>
            <CardHeader>
              <CardTitle>Marketing messages</CardTitle>
              <CardDescription>{marketingPreferenceText(s.marketingPreference, s.marketingPreferenceAt)}</CardDescription>
            </CardHeader>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Actions</CardTitle>
            </CardHeader>
            <CardContent>
              <SubscriberActions id={s.id} name={name} status={s.status} lifecycleState={s.lifecycleState} tags={s.tags} lifecycleEvents={lifecycleEvents} />
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Details</CardTitle>
            </CardHeader>
            <CardContent>
              <Facts
                rows={[
                  ["WhatsApp phone", s.waPhone ? formatPhone(s.waPhone) : "hidden by the user"],
                  ["WhatsApp id", s.waId],
                  ["User id (BSUID)", s.userId],
                  ["Username", s.username],
                  ["Profile name", s.profileName],
                  [
                    "Phone hash",
                    s.phoneHash ? (
                      <code key="h" className="text-xs break-all">
                        {s.phoneHash}
                      </code>
                    ) : null,
                  ],
                  ["Country · timezone", [s.country, s.timezone].filter(Boolean).join(" · ") || null],
                  ["First seen", t(s.firstSeenAt)],
                  ["Last inbound", s.lastInboundAt ? `${t(s.lastInboundAt)} (${formatRelative(s.lastInboundAt.getTime(), now)})` : null],
                  ["Inbound messages", String(s.inboundCount)],
                  ["Outbound messages", String(s.outboundCount)],
                  ["Last outbound", t(s.lastOutboundAt)],
                  [
                    "Last status",
                    s.lastMessageStatus ? (
                      <span key="ls">
                        {s.lastMessageStatus} · {t(s.lastMessageStatusAt)}
                      </span>
                    ) : null,
                  ],
                  ["Last delivered", t(s.lastDeliveredAt)],
                  ["Last read", t(s.lastReadAt)],
                  ["Last failure", s.lastFailedAt ? `${t(s.lastFailedAt)} · ${s.lastFailedCode ?? ""} ${s.lastFailedReason ?? ""}`.trim() : null],
                  ["Opt-in", s.optInStatus === null ? null : s.optInStatus ? `yes · ${t(s.optInAt) ?? ""}` : "no"],
                  ["Opted out", t(s.optOutAt)],
                  ["Lifecycle changed", t(s.lifecycleChangedAt)],
                  ["Tags", s.tags.length > 0 ? s.tags.join(", ") : null],
                  ["Last event", [s.rawLastEventType, s.rawVersion].filter(Boolean).join(" · ") || null],
                ]}
              />
            </CardContent>
          </Card>
        </div>
        <div className="grid content-start gap-6">
          <Card>
            <CardHeader>
              <CardTitle>Attribution</CardTitle>
              <CardDescription>
                {firstTouch
                  ? "The ad or post that brought them first, the latest one, and every other referral."
                  : "No ad or post referral: they wrote to you directly (organic)."}
              </CardDescription>
            </CardHeader>
            {referrals.length > 0 ? (
              <CardContent className="grid gap-4">
                {referrals.map((c) => (
                  <ReferralCard
                    key={c.id}
                    c={c}
                    now={now}
                    labels={[...(c.id === firstTouch?.id ? ["First touch"] : []), ...(c.id === lastTouch?.id ? ["Last touch"] : [])]}
                  />
                ))}
              </CardContent>
            ) : null}
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Timeline</CardTitle>
              <CardDescription>Messages, conversations, conversions and drip messages, newest first.</CardDescription>
            </CardHeader>
            <CardContent>
              {items.length === 0 ? (
                <EmptyState icon={MessagesSquare} title="Nothing yet" description="Messages appear here as they arrive." />
              ) : (
                <ol className="grid gap-3" data-testid="timeline">
                  {items.map((i) => (
                    <li key={i.key} className="grid grid-cols-[auto_1fr_auto] items-start gap-3 border-b pb-3 last:border-0">
                      <i.icon className="mt-0.5 size-4 text-muted-foreground" aria-hidden />
                      <div className="grid min-w-0 gap-0.5 text-sm">
                        <span className="font-medium">{i.title}</span>
                        {i.detail ? <span className="text-muted-foreground">{i.detail}</span> : null}
                        <time className="text-xs text-muted-foreground" dateTime={i.at.toISOString()}>
                          {formatDateTime(i.at.getTime())}
                        </time>
                      </div>
                      <div className="text-right text-xs">{i.status}</div>
                    </li>
                  ))}
                </ol>
              )}
            </CardContent>
          </Card>
        </div>
      </div>
    </div>
  );
}
