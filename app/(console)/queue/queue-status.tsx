// How a queue row's status reads: a badge with what it means on hover, shared by the list and the counts.
import { Ban, CheckCircle2, Clock, Loader, SkipForward, XCircle } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import type { OutboundStatus } from "./list-href";

type Variant = "success" | "secondary" | "warning" | "destructive" | "outline";

export const QUEUE_STATUS: Record<OutboundStatus, { label: string; variant: Variant; icon: typeof Clock; description: string }> = {
  pending: { label: "Pending", variant: "secondary", icon: Clock, description: "Waiting for its scheduled time, or for its next attempt" },
  sending: { label: "Sending", variant: "outline", icon: Loader, description: "Claimed by a run that is sending it now" },
  sent: { label: "Sent", variant: "success", icon: CheckCircle2, description: "The provider accepted the message" },
  failed: { label: "Failed", variant: "destructive", icon: XCircle, description: "The provider refused it, or it kept failing until the attempts ran out" },
  skipped: {
    label: "Skipped",
    variant: "warning",
    icon: SkipForward,
    description: "Not sent by rule: e.g. outside the 24 h window without an approved template, or no number",
  },
  cancelled: {
    label: "Cancelled",
    variant: "outline",
    icon: Ban,
    description:
      "Cancelled by hand, by a stopped campaign, because the subscriber opted out or stopped marketing messages, because the lead replied (templates that stop on a reply) or because a conversion that stops the drip was recorded for them",
  },
};

export const STATUS_ORDER: OutboundStatus[] = ["pending", "sending", "sent", "failed", "cancelled", "skipped"];

/** `retrying`: a pending row whose last attempt failed; its next attempt is the time its row shows. */
export function QueueStatusBadge({ status, retrying = false }: { status: OutboundStatus; retrying?: boolean }) {
  const s = QUEUE_STATUS[status];
  const retry = status === "pending" && retrying;
  return (
    <Badge
      variant={retry ? "warning" : s.variant}
      title={retry ? "An attempt failed for a reason that may pass; it is tried again at the time shown" : s.description}
      data-testid="queue-status"
    >
      <s.icon aria-hidden />
      {retry ? "Retrying" : s.label}
    </Badge>
  );
}
