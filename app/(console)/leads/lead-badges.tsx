// How a lead reads in the console: the call (seeds/003 "Called" / "No answer"), the answer to "target and
// interested?", the campaign, and its drip messages' statuses.
import {
  Ban,
  CheckCircle2,
  Clock,
  Loader,
  PhoneCall,
  PhoneMissed,
  PhoneOff,
  Play,
  SkipForward,
  Square,
  ThumbsDown,
  ThumbsUp,
  TriangleAlert,
  type LucideIcon,
} from "lucide-react";
import { Badge } from "@/components/ui/badge";

type Variant = "success" | "secondary" | "warning" | "destructive" | "outline";
type Look = { label: string; variant: Variant; icon: LucideIcon; description: string };

export type CallStatus = "not_called" | "called" | "no_answer";
export const CALL_STATUS: Record<CallStatus, Look> = {
  not_called: { label: "Not called", variant: "outline", icon: PhoneOff, description: "Nobody has called yet" },
  called: { label: "Called", variant: "secondary", icon: PhoneCall, description: "A manager got through" },
  no_answer: { label: "No answer", variant: "warning", icon: PhoneMissed, description: "The last call was not answered" },
};

export type MessageStatus = "pending" | "sending" | "sent" | "failed" | "cancelled" | "skipped";
export const MESSAGE_STATUS: Record<MessageStatus, Look> = {
  pending: { label: "Pending", variant: "secondary", icon: Clock, description: "Waiting for its time" },
  sending: { label: "Sending", variant: "secondary", icon: Loader, description: "Being sent right now" },
  sent: { label: "Sent", variant: "success", icon: CheckCircle2, description: "Accepted by the provider" },
  failed: { label: "Failed", variant: "destructive", icon: TriangleAlert, description: "Could not be sent" },
  cancelled: { label: "Cancelled", variant: "outline", icon: Ban, description: "Will not be sent: the campaign was stopped, or the subscriber opted out" },
  skipped: { label: "Skipped", variant: "warning", icon: SkipForward, description: "Not sent, for the reason shown" },
};

function LookBadge({ look, testId }: { look: Look; testId?: string }) {
  return (
    <Badge variant={look.variant} title={look.description} data-testid={testId}>
      <look.icon aria-hidden />
      {look.label}
    </Badge>
  );
}

export const CallStatusBadge = ({ status }: { status: CallStatus }) => <LookBadge look={CALL_STATUS[status]} testId="call-status" />;
export const MessageStatusBadge = ({ status }: { status: MessageStatus }) => <LookBadge look={MESSAGE_STATUS[status]} testId="message-status" />;

export function TargetBadge({ isTarget }: { isTarget: boolean | null }) {
  if (isTarget === null)
    return (
      <span className="text-xs text-muted-foreground" data-testid="target">
        Not answered
      </span>
    );
  return isTarget ? (
    <LookBadge look={{ label: "Target", variant: "success", icon: ThumbsUp, description: "Target and interested" }} testId="target" />
  ) : (
    <LookBadge look={{ label: "Not target", variant: "outline", icon: ThumbsDown, description: "Not target or not interested" }} testId="target" />
  );
}

export function CampaignBadge({ active, enrolledAt }: { active: boolean; enrolledAt: Date | null }) {
  if (active) return <LookBadge look={{ label: "Running", variant: "success", icon: Play, description: "The WhatsApp drip is running" }} testId="campaign" />;
  if (enrolledAt)
    return (
      <LookBadge
        look={{ label: "Stopped", variant: "outline", icon: Square, description: "The campaign was stopped: nothing more is sent" }}
        testId="campaign"
      />
    );
  return (
    <span className="text-xs text-muted-foreground" data-testid="campaign">
      Not started
    </span>
  );
}

export type QueueCounts = { pending: number; sent: number; failed: number; cancelled: number; skipped: number };

/** "2 pending · 1 sent · 1 failed" (only the non-zero ones), or a dash. */
export function QueueSummary({ queue }: { queue: QueueCounts }) {
  const parts = (["pending", "sent", "failed", "skipped", "cancelled"] as const).filter((s) => queue[s] > 0);
  if (parts.length === 0) return <span className="text-muted-foreground">—</span>;
  const tone: Record<string, string> = { failed: "text-destructive", sent: "text-success", skipped: "text-warning" };
  return (
    <span className="text-xs tabular-nums" data-testid="queue-summary">
      {parts.map((s, i) => (
        <span key={s} className={tone[s]}>
          {i > 0 ? <span className="text-muted-foreground"> · </span> : null}
          {queue[s]} {s}
        </span>
      ))}
    </span>
  );
}
