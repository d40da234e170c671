// The subscriber's timeline: messages, conversations, conversions and drip messages, newest first. A failed
// message or drip row shows what to do beside the provider's code; a deliberate stop reads as a note.
import { ArrowDownLeft, ArrowUpRight, BadgeDollarSign, CalendarClock, MessagesSquare } from "lucide-react";
import { ErrorHint } from "@/components/console/error-hint";
import { DateTime, Money } from "@/components/console/formatted";
import { EmptyState } from "@/components/ui/empty-state";
import { eventLabel } from "@/lib/conversions/schema";
import type { SubscriberPageData } from "@/lib/subscribers/read";
import { LIFECYCLE_LABELS, MessageStatusLabel } from "../subscriber-badges";

type TimelineItem = { at: Date; key: string; icon: typeof ArrowDownLeft; title: React.ReactNode; detail?: React.ReactNode; status?: React.ReactNode };

const DRIP_STATUS_CLASS: Record<string, string> = { failed: "text-destructive", skipped: "text-warning" };

function timelineItems(d: SubscriberPageData): TimelineItem[] {
  const items: TimelineItem[] = [];
  for (const m of d.messages) {
    const inbound = m.direction === "inbound";
    items.push({
      at: m.providerTimestamp,
      key: `m-${m.id}`,
      icon: inbound ? ArrowDownLeft : ArrowUpRight,
      title: `${inbound ? "Received" : "Sent"} ${m.type}`,
      detail: (
        <>
          {m.textPreview ? <span className="whitespace-pre-line">{m.textPreview}</span> : null}
          {m.errorCode ? <ErrorHint code={m.errorCode} message={m.errorTitle ?? m.errorDetail} compact className="mt-1" /> : null}
        </>
      ),
      status: inbound ? null : <MessageStatusLabel status={m.status} />,
    });
  }
  for (const c of d.conversations) {
    items.push({
      at: c.startedAt,
      key: `c-${c.id}`,
      icon: MessagesSquare,
      title: c.sourceType ? `Conversation from ${c.sourceType === "ad" ? "an ad click" : `a ${c.sourceType}`}` : "Conversation started",
      detail: c.headline ?? (
        <>
          Free replies until <DateTime value={c.windowExpiresAt} />
        </>
      ),
    });
  }
  for (const v of d.conversions) {
    // a lifecycle event's id names its stage: lifecycle:{subscriber}:{stage}:{conversation}
    const stage = v.source === "lifecycle" ? (LIFECYCLE_LABELS[v.eventId.split(":")[2] ?? ""] ?? "another stage").toLowerCase() : null;
    items.push({
      at: v.eventTime,
      key: `v-${v.id}`,
      icon: BadgeDollarSign,
      title: (
        <>
          Conversion {eventLabel(v.eventName)}
          {v.value ? (
            <>
              {" · "}
              <Money value={v.value} currency={v.currency} />
            </>
          ) : null}
          {stage ? ` · stage changed to ${stage}` : null}
        </>
      ),
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
      detail: (
        <>
          {o.renderedText ? <span className="whitespace-pre-line">{o.renderedText}</span> : null}
          {o.errorCode || (o.errorMessage && o.status !== "pending") ? (
            <ErrorHint code={o.errorCode} message={o.errorMessage} neutral={o.status === "cancelled"} compact className="mt-1" />
          ) : null}
        </>
      ),
      status: <span className={DRIP_STATUS_CLASS[o.status] ?? "text-muted-foreground"}>{o.status}</span>,
    });
  }
  return items.sort((a, b) => b.at.getTime() - a.at.getTime());
}

export function Timeline({ data }: { data: SubscriberPageData }) {
  const items = timelineItems(data);
  if (items.length === 0) return <EmptyState icon={MessagesSquare} title="Nothing yet" description="Messages appear here as they arrive." />;
  return (
    <ol className="grid gap-3" data-testid="timeline">
      {items.map((i) => (
        <li key={i.key} className="grid grid-cols-[auto_minmax(0,1fr)_auto] items-start gap-3 border-b pb-3 last:border-0">
          <i.icon className="mt-0.5 size-4 text-muted-foreground" aria-hidden />
          <div className="grid min-w-0 gap-0.5 text-sm break-words">
            <span className="font-medium">{i.title}</span>
            {i.detail ? <div className="text-muted-foreground">{i.detail}</div> : null}
            <DateTime value={i.at} className="text-xs text-muted-foreground" />
          </div>
          <div className="text-right text-xs">{i.status}</div>
        </li>
      ))}
    </ol>
  );
}
