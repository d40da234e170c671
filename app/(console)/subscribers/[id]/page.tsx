import { MessagesSquare } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { BackLink } from "@/components/console/list-parts";
import { subscriberName } from "@/components/console/names";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth";
import { readLifecycleEvents } from "@/lib/conversions/lifecycle";
import { formatPhone } from "@/lib/phone";
import { loadSubscriberPage } from "@/lib/subscribers/read";
import { LIFECYCLE_LABELS, MarketingStoppedBadge, SubscriberStatusBadge } from "../subscriber-badges";
import { ReferralCard } from "./attribution";
import { DetailsCard } from "./details-card";
import { LifecycleScoreCard } from "./lifecycle-score-card";
import { SubscriberActions } from "./subscriber-actions";
import { Timeline } from "./timeline";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Subscriber" };

export default async function SubscriberPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser({ role: "marketer" });
  const data = await loadSubscriberPage(await getDb(), { tenantId: user.tenantId, id: (await params).id });
  if (!data) notFound();
  const lifecycleEvents = await readLifecycleEvents(await getDb(), { tenantId: user.tenantId });
  const { subscriber: s, firstTouch, lastTouch } = data;
  const now = new Date().getTime(); // one clock for the whole page
  const name = subscriberName(s, "Unknown");
  const referrals = data.conversations.filter((c) => c.sourceType || c.ctwaClid);
  if (firstTouch && !referrals.some((c) => c.id === firstTouch.id)) referrals.push(firstTouch);

  return (
    <div className="grid min-w-0 gap-6">
      <BackLink href="/subscribers">Subscribers</BackLink>
      <PageHeader
        className="pb-0"
        title={<span className="break-words">{name}</span>}
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
      <div className="grid min-w-0 gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,1.4fr)]">
        <div className="grid min-w-0 content-start gap-6">
          <DetailsCard data={data} now={now} />
          <Card>
            <CardHeader>
              <CardTitle>Actions</CardTitle>
            </CardHeader>
            <CardContent>
              <SubscriberActions id={s.id} name={name} status={s.status} lifecycleState={s.lifecycleState} tags={s.tags} lifecycleEvents={lifecycleEvents} />
            </CardContent>
          </Card>
          <LifecycleScoreCard subscriber={s} now={new Date(now)} />
        </div>
        <div className="grid min-w-0 content-start gap-6">
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
              <CardTitle className="flex items-center gap-2">
                <MessagesSquare className="size-4 text-muted-foreground" aria-hidden />
                Timeline
              </CardTitle>
              <CardDescription>Messages, conversations, conversions and drip messages, newest first.</CardDescription>
            </CardHeader>
            <CardContent>
              <Timeline data={data} />
            </CardContent>
          </Card>
        </div>
      </div>
    </div>
  );
}
