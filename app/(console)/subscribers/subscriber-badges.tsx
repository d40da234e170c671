import { Ban, BellOff, CheckCheck, CircleDot, Clock, Eye, MessageCircleOff, Send, UserX, XCircle } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { SCORE_BANDS, scoreBandOf } from "@/lib/subscribers/lifecycle-score";

type Variant = "success" | "secondary" | "warning" | "destructive";

export const SUBSCRIBER_STATUS: Record<string, { label: string; variant: Variant; icon: typeof Ban; description: string }> = {
  active: { label: "Active", variant: "success", icon: CircleDot, description: "Can be messaged" },
  inactive: { label: "Inactive", variant: "secondary", icon: Clock, description: "Marked inactive" },
  blocked: { label: "Blocked", variant: "destructive", icon: Ban, description: "Blocked by your team: nothing is sent" },
  opted_out: { label: "Opted out", variant: "warning", icon: UserX, description: "Asked not to be messaged (STOP); nothing is sent" },
};

export const LIFECYCLE_LABELS: Record<string, string> = { lead: "Lead", prospect: "Prospect", customer: "Customer", repeat_customer: "Repeat customer" };
export const SOURCE_LABELS: Record<string, string> = { ad: "Ad", post: "Post", organic: "Organic" };

export function SubscriberStatusBadge({ status }: { status: string }) {
  const s = SUBSCRIBER_STATUS[status] ?? SUBSCRIBER_STATUS.active!;
  return (
    <Badge variant={s.variant} title={s.description}>
      <s.icon aria-hidden />
      {s.label}
    </Badge>
  );
}

const SCORE_STYLE = {
  hot: { bar: "bg-success", text: "text-success" },
  warm: { bar: "bg-warning", text: "text-warning" },
  cold: { bar: "bg-muted-foreground/50", text: "text-muted-foreground" },
} as const;

/** The lifecycle score as a number and a small meter, its band in words in the tooltip (null: not computed yet). */
export function LifecycleScoreMeter({ score }: { score: number | null }) {
  const band = SCORE_BANDS[scoreBandOf(score)];
  const style = SCORE_STYLE[scoreBandOf(score)];
  const value = score ?? 0;
  const title =
    score === null
      ? "Lifecycle score not computed yet"
      : `Lifecycle score ${score} of 100: ${band.label.toLowerCase()} (${band.range}). From the ad click, replies, the open window, conversions and recency`;
  return (
    <span className="inline-flex items-center gap-1.5" title={title} data-testid="lifecycle-score">
      <span className={`w-6 text-right text-xs font-medium tabular-nums ${style.text}`}>{score ?? "—"}</span>
      <span
        className="h-1.5 w-12 overflow-hidden rounded-full bg-muted"
        role="meter"
        aria-label="Lifecycle score"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={value}
        aria-valuetext={`${value} of 100, ${band.label.toLowerCase()}`}
      >
        <span className={`block h-full rounded-full ${style.bar}`} style={{ width: `${value}%` }} />
      </span>
    </span>
  );
}

/** Shown beside the status while the customer has stopped marketing messages in WhatsApp (nothing otherwise). */
export function MarketingStoppedBadge({ preference }: { preference: string | null }) {
  if (preference !== "stop") return null;
  return (
    <Badge variant="warning" title="The customer stopped marketing messages in WhatsApp: no drip message is queued or sent">
      <BellOff aria-hidden />
      Marketing stopped
    </Badge>
  );
}

const MESSAGE_STATUS: Record<string, { label: string; icon: typeof Send; className: string }> = {
  received: { label: "Received", icon: CircleDot, className: "text-muted-foreground" },
  accepted: { label: "Accepted", icon: Clock, className: "text-muted-foreground" },
  sent: { label: "Sent", icon: Send, className: "text-muted-foreground" },
  delivered: { label: "Delivered", icon: CheckCheck, className: "text-muted-foreground" },
  read: { label: "Read", icon: Eye, className: "text-success" },
  failed: { label: "Failed", icon: XCircle, className: "text-destructive" },
  deleted: { label: "Deleted", icon: MessageCircleOff, className: "text-muted-foreground" },
};

/** The last message's status as an icon and word (ticks, like WhatsApp). */
export function MessageStatusLabel({ status }: { status: string | null }) {
  if (!status) return <span className="text-muted-foreground">—</span>;
  const s = MESSAGE_STATUS[status] ?? { label: status, icon: CircleDot, className: "text-muted-foreground" };
  return (
    <span className={`inline-flex items-center gap-1.5 ${s.className}`}>
      <s.icon className="size-3.5" aria-hidden />
      {s.label}
    </span>
  );
}
