import { AlertTriangle, CheckCircle2, HelpCircle, Inbox, ShieldAlert, ShieldCheck, ShieldOff, ShieldQuestion, ShieldX } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { cn } from "@/lib/utils";
import type { SignatureResult, WebhookEventProvider, WebhookEventStatus } from "@/lib/webhook-events/list";

type Variant = "success" | "secondary" | "warning" | "destructive";

export const EVENT_STATUS: Record<WebhookEventStatus, { label: string; variant: Variant; icon: typeof CheckCircle2; description: string }> = {
  processed: { label: "Processed", variant: "success", icon: CheckCircle2, description: "Every item was applied" },
  received: { label: "Received", variant: "secondary", icon: Inbox, description: "Stored, waiting to be processed" },
  unrouted: { label: "Unrouted", variant: "warning", icon: HelpCircle, description: "Names a Phone Number ID not connected here" },
  failed: { label: "Failed", variant: "destructive", icon: AlertTriangle, description: "Processing threw an error; retried automatically" },
  rejected: { label: "Rejected", variant: "destructive", icon: ShieldX, description: "Failed its authenticity check; never processed" },
};

export const PROVIDER_NAMES: Record<WebhookEventProvider, string> = { cloud: "Meta Cloud API", gupshup: "Gupshup", green: "Green API" };

export const STATUS_OPTIONS = Object.entries(EVENT_STATUS).map(([value, s]) => ({ value, label: s.label }));
export const PROVIDER_OPTIONS = Object.entries(PROVIDER_NAMES).map(([value, label]) => ({ value, label }));

export function EventStatusBadge({ status }: { status: WebhookEventStatus }) {
  const s = EVENT_STATUS[status];
  return (
    <Badge variant={s.variant} title={s.description} data-testid="webhook-status">
      <s.icon aria-hidden />
      {s.label}
    </Badge>
  );
}

const SIGNATURE: Record<SignatureResult, { label: string; className: string; icon: typeof ShieldCheck; description: string }> = {
  valid: { label: "Valid", className: "text-success", icon: ShieldCheck, description: "X-Hub-Signature-256 matched the app secret" },
  invalid: { label: "Invalid", className: "text-destructive", icon: ShieldAlert, description: "The signature (or Gupshup callback token) did not match" },
  missing: { label: "Missing", className: "text-destructive", icon: ShieldOff, description: "The request carried no X-Hub-Signature-256 header" },
  not_required: {
    label: "Not required",
    className: "text-muted-foreground",
    icon: ShieldCheck,
    description: "Gupshup callbacks are authenticated by their per-number URL token",
  },
  unverified: {
    label: "Unverified",
    className: "text-warning",
    icon: ShieldQuestion,
    description: "No app secret was known when it arrived; checked once a number claims it",
  },
};

export function SignatureResultLabel({ result }: { result: SignatureResult }) {
  const s = SIGNATURE[result];
  return (
    <span className={cn("inline-flex items-center gap-1 text-sm", s.className)} title={s.description}>
      <s.icon className="size-3.5 shrink-0" aria-hidden />
      {s.label}
    </span>
  );
}

export function signatureDescription(result: SignatureResult): string {
  return SIGNATURE[result].description;
}
