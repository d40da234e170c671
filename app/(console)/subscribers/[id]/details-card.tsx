// The subscriber's details as a person reads them: who, how to reach them, where they stand (status, consent,
// stage, window), where they came from and what they are worth; the technical fields folded away below.
import { ChevronRight } from "lucide-react";
import { ErrorHint } from "@/components/console/error-hint";
import { Facts } from "@/components/console/facts";
import { DateTime, FormattedDate, Money, RelativeTime } from "@/components/console/formatted";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import type { ConversationRow } from "@/db/queries/conversations";
import { formatPhone } from "@/lib/phone";
import { consentState } from "@/lib/subscribers/consent-state";
import type { SubscriberPageData } from "@/lib/subscribers/read";
import { LIFECYCLE_LABELS, MarketingStoppedBadge, SubscriberStatusBadge } from "../subscriber-badges";

type Subscriber = SubscriberPageData["subscriber"];

/** "Subscribed again on 7 Dec 2026 after opting out on 5 Dec 2026": the opt-in and opt-out times as one state. */
export function ConsentText({ s }: { s: Subscriber }) {
  const c = consentState(s);
  switch (c.kind) {
    case "resubscribed":
      return (
        <span data-testid="consent">
          Subscribed again on <FormattedDate value={c.at} /> after opting out on <FormattedDate value={c.optedOutAt} />
        </span>
      );
    case "opted_out":
      return (
        <span data-testid="consent">
          Opted out
          {c.at ? (
            <>
              {" "}
              on <FormattedDate value={c.at} />
            </>
          ) : null}
          {c.optedInBefore ? (
            <>
              {" "}
              (had opted in on <FormattedDate value={c.optedInBefore} />)
            </>
          ) : null}
          . Nothing is sent until they opt in again (START).
        </span>
      );
    case "opted_in":
      return (
        <span data-testid="consent">
          Opted in on <FormattedDate value={c.at} />
        </span>
      );
    case "subscribed":
      return (
        <span data-testid="consent">
          Subscribed since they first wrote, on <FormattedDate value={c.since} />; never opted out
        </span>
      );
  }
}

function WindowText({ s, now }: { s: Subscriber; now: number }) {
  const expires = s.conversationExpiresAt;
  if (expires && expires.getTime() > now) {
    return (
      <span>
        Open until <DateTime value={expires} />: free-form replies are allowed
      </span>
    );
  }
  return <span>Closed: only approved templates reach them until they write again</span>;
}

function SourceText({ s, firstTouch }: { s: Subscriber; firstTouch: ConversationRow | null }) {
  const source = firstTouch?.sourceType ?? s.firstTouchSource;
  if (!source) return <span>Organic: they wrote to you directly</span>;
  const what = firstTouch?.headline ?? firstTouch?.adName ?? firstTouch?.campaignName ?? null;
  const kind = source === "ad" ? "An ad" : source === "post" ? "A post" : `A ${source}`;
  return (
    <span>
      {kind}
      {what ? <>: {what}</> : null}
      {firstTouch ? (
        <span className="text-muted-foreground">
          {" "}
          · <FormattedDate value={firstTouch.startedAt} />
        </span>
      ) : null}
    </span>
  );
}

/** The value of their conversions: per currency when every one is listed, else the stored sum. */
function ValueText({ s, conversions }: { s: Subscriber; conversions: SubscriberPageData["conversions"] }) {
  if (s.conversionsCount === 0) return <span className="text-muted-foreground">No conversions yet</span>;
  const counted = conversions.filter((v) => v.status !== "rejected");
  const sums = new Map<string, number>();
  for (const v of counted) if (v.value !== null) sums.set(v.currency ?? "", (sums.get(v.currency ?? "") ?? 0) + Number(v.value));
  const all = counted.length >= s.conversionsCount;
  const times = `${s.conversionsCount} conversion${s.conversionsCount === 1 ? "" : "s"}`;
  return (
    <span data-testid="subscriber-value">
      {all && sums.size > 0 ? (
        [...sums].map(([currency, sum], i) => (
          <span key={currency}>
            {i > 0 ? " + " : null}
            <Money value={Math.round(sum * 100) / 100} currency={currency || null} className="font-medium" />
          </span>
        ))
      ) : (
        <Money value={s.conversionsValue} currency={null} className="font-medium" />
      )}
      <span className="text-muted-foreground"> · {times}</span>
    </span>
  );
}

const code = (v: string | null) => (v ? <code className="text-xs break-all">{v}</code> : null);

export function DetailsCard({ data, now }: { data: SubscriberPageData; now: number }) {
  const { subscriber: s, firstTouch } = data;
  const marketing =
    s.marketingPreference === "stop" ? (
      <span>
        <MarketingStoppedBadge preference="stop" /> by the customer
        {s.marketingPreferenceAt ? (
          <>
            {" "}
            on <FormattedDate value={s.marketingPreferenceAt} />
          </>
        ) : null}
        : no drip message is sent
      </span>
    ) : s.marketingPreference === "resume" ? (
      <span>
        Allowed again by the customer
        {s.marketingPreferenceAt ? (
          <>
            {" "}
            on <FormattedDate value={s.marketingPreferenceAt} />
          </>
        ) : null}
      </span>
    ) : (
      "Allowed"
    );
  return (
    <Card data-testid="subscriber-details">
      <CardHeader>
        <CardTitle>Details</CardTitle>
      </CardHeader>
      <CardContent className="grid gap-4">
        <Facts
          rows={[
            ["Name", s.profileName ?? s.username],
            [
              "Phone",
              s.waPhone ? <span className="tabular-nums">{formatPhone(s.waPhone)}</span> : <span className="text-muted-foreground">hidden by the user</span>,
            ],
            [
              "Status",
              <div key="st" className="grid gap-1">
                <span>
                  <SubscriberStatusBadge status={s.status} />
                </span>
                <ConsentText s={s} />
              </div>,
            ],
            ["Stage", LIFECYCLE_LABELS[s.lifecycleState] ?? s.lifecycleState],
            ["24 h window", <WindowText key="w" s={s} now={now} />],
            ["Source", <SourceText key="src" s={s} firstTouch={firstTouch} />],
            ["Value", <ValueText key="v" s={s} conversions={data.conversions} />],
            ["Marketing messages", marketing],
            ["Last wrote", s.lastInboundAt ? <RelativeTime key="lw" value={s.lastInboundAt} /> : "never"],
            ["Country · time zone", [s.country, s.timezone].filter(Boolean).join(" · ") || null],
            ["Tags", s.tags.length > 0 ? s.tags.join(", ") : null],
          ]}
        />
        <details className="group rounded-md border" data-testid="technical-details">
          <summary className="flex cursor-pointer list-none items-center gap-2 rounded-md px-3 py-2 text-sm font-medium outline-none select-none hover:bg-muted/50 focus-visible:ring-2 focus-visible:ring-ring [&::-webkit-details-marker]:hidden">
            <ChevronRight className="size-4 text-muted-foreground transition-transform group-open:rotate-90" aria-hidden />
            Technical details
          </summary>
          <div className="border-t px-3 py-3">
            <Facts
              rows={[
                ["WhatsApp id", code(s.waId)],
                ["User id (BSUID)", code(s.userId)],
                ["Username", s.username],
                ["Phone hash", code(s.phoneHash)],
                ["First seen", <DateTime key="fs" value={s.firstSeenAt} />],
                ["Messages in · out", `${s.inboundCount} · ${s.outboundCount}`],
                ["Last inbound", s.lastInboundAt ? <DateTime key="li" value={s.lastInboundAt} /> : null],
                ["Last outbound", s.lastOutboundAt ? <DateTime key="lo" value={s.lastOutboundAt} /> : null],
                [
                  "Last status",
                  s.lastMessageStatus ? (
                    <span key="ls">
                      {s.lastMessageStatus}
                      {s.lastMessageStatusAt ? (
                        <>
                          {" · "}
                          <DateTime value={s.lastMessageStatusAt} />
                        </>
                      ) : null}
                    </span>
                  ) : null,
                ],
                ["Last delivered", s.lastDeliveredAt ? <DateTime key="ld" value={s.lastDeliveredAt} /> : null],
                ["Last read", s.lastReadAt ? <DateTime key="lr" value={s.lastReadAt} /> : null],
                [
                  "Last failure",
                  s.lastFailedAt ? (
                    <div key="lf" className="grid gap-1">
                      <DateTime value={s.lastFailedAt} />
                      <ErrorHint code={s.lastFailedCode} message={s.lastFailedReason} />
                    </div>
                  ) : null,
                ],
                ["Opted in", s.optInAt ? <DateTime key="oi" value={s.optInAt} /> : null],
                ["Opted out", s.optOutAt ? <DateTime key="oo" value={s.optOutAt} /> : null],
                ["Stage changed", s.lifecycleChangedAt ? <DateTime key="sc" value={s.lifecycleChangedAt} /> : null],
                ["Last event", [s.rawLastEventType, s.rawVersion].filter(Boolean).join(" · ") || null],
              ]}
            />
          </div>
        </details>
      </CardContent>
    </Card>
  );
}
