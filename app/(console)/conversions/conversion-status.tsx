// How a conversion reads to a marketer: its status badge, event and value, where it came from, and
// what its warnings and Meta's errors mean, in words (the verbatim error stays one hover / click away).
import { AlertTriangle, CheckCircle2, Clock, RotateCw, XCircle } from "lucide-react";
import { TimeOrDate } from "@/components/console/formatted";
import { Badge } from "@/components/ui/badge";

export type ConversionStatus = "queued" | "sent" | "failed" | "rejected";
type Variant = "success" | "secondary" | "warning" | "destructive";

export const CONVERSION_STATUS: Record<ConversionStatus, { label: string; variant: Variant; icon: typeof Clock; description: string }> = {
  queued: { label: "Queued", variant: "secondary", icon: Clock, description: "Waiting to be sent to Meta" },
  sent: { label: "Sent", variant: "success", icon: CheckCircle2, description: "Meta accepted the event" },
  failed: {
    label: "Failed",
    variant: "destructive",
    icon: AlertTriangle,
    description: "Could not be delivered: Meta was unreachable, or the number is not ready",
  },
  rejected: {
    label: "Rejected",
    variant: "destructive",
    icon: XCircle,
    description: "Meta refused the event; retrying the same event will fail the same way until the cause is fixed",
  },
};

export const STATUS_OPTIONS = (Object.keys(CONVERSION_STATUS) as ConversionStatus[]).map((value) => ({ value, label: CONVERSION_STATUS[value].label }));

export const SOURCE_LABELS: Record<string, string> = {
  api: "Conversions API",
  console_test: "Test event from the console",
  automatic: "Automatic (first message of an ad conversation)",
  lifecycle: "Lifecycle stage (a subscriber moved to a stage mapped in Settings)",
};

/** The source in a word or two, for the log's rows. */
export const SOURCE_SHORT_LABELS: Record<string, string> = { api: "API", console_test: "Console test", automatic: "Automatic", lifecycle: "Lifecycle stage" };

export function ConversionStatusBadge({ status, nextAttemptAt }: { status: ConversionStatus; nextAttemptAt: Date | null }) {
  const s = CONVERSION_STATUS[status];
  if (status === "queued" && nextAttemptAt) {
    return (
      <Badge variant="warning" title="The last attempt failed for a reason that may pass: it is tried again then" data-testid="conversion-status">
        <RotateCw aria-hidden />
        Retrying at <TimeOrDate value={nextAttemptAt} />
      </Badge>
    );
  }
  return (
    <Badge variant={s.variant} title={s.description} data-testid="conversion-status">
      <s.icon aria-hidden />
      {s.label}
    </Badge>
  );
}

export const WARNING_TEXT: Record<string, string> = {
  attribution_window_passed:
    "The ad click was more than 7 days before this event, so Meta will not attribute it to the ad. It was sent anyway and still counts in Events Manager.",
};

export const warningText = (code: string) => WARNING_TEXT[code] ?? code;

type GraphErrorShape = { code?: unknown; error_subcode?: unknown; message?: unknown };

/** Meta's error object from a stored answer (`{ error: {...} }`), if there is one. */
export function metaErrorOf(response: Record<string, unknown> | null): GraphErrorShape | null {
  const e = response?.error;
  return e && typeof e === "object" ? (e as GraphErrorShape) : null;
}

/** What a Graph error means and what to do, for the codes Meta documents for business messaging; null when unknown. */
function explainGraphCode(code: number, subcode: number | null): string | null {
  if (subcode === 2804066) return "Meta does not accept this event type for WhatsApp. Use LeadSubmitted, Purchase, AddToCart, InitiateCheckout or ViewContent.";
  if (subcode === 2804087) return "Meta did not recognise the ad click id (ctwa_clid) of this conversation.";
  if (subcode === 2804116) return "Meta says the WhatsApp Business Account id is missing or wrong: check the number's WABA id.";
  if (code === 190) return "The number's access token has expired or was revoked: replace it on the number's page, then retry.";
  if (code === 100 && subcode === 33) return "The dataset does not exist or the number's token cannot use it: check the dataset on the number's page.";
  if (code === 10 || (code >= 200 && code <= 299)) return "The number's token lacks the whatsapp_business_manage_events permission.";
  if (code === 4 || code === 17 || code === 32 || code === 613 || (code >= 80000 && code <= 80014)) return "Meta's rate limit was reached.";
  if (code === 1 || code === 2) return "Meta had a temporary problem.";
  return null;
}

/** The explanation of a stored answer (detail page), or null when there is nothing to add to Meta's message. */
export function explainConversionResponse(response: Record<string, unknown> | null): string | null {
  const e = metaErrorOf(response);
  if (!e) return null;
  const code = Number(e.code);
  return Number.isFinite(code) ? explainGraphCode(code, e.error_subcode == null ? null : Number(e.error_subcode)) : null;
}

const GRAPH_ERROR_LINE = /^Graph error (\d+)(?:\/(\d+))?: (.*?)(?: \[fbtrace_id [^\]]+\])?$/s;

/**
 * The last error as one plain line for the log: what it means when the code is known, Meta's own message
 * otherwise (without the codes and trace id, which the detail page shows); our own errors are words already.
 */
export function plainError(lastError: string | null): string | null {
  if (!lastError) return null;
  const m = lastError.match(GRAPH_ERROR_LINE);
  if (!m) return lastError;
  return explainGraphCode(Number(m[1]), m[2] ? Number(m[2]) : null) ?? `Meta: ${m[3]}`;
}
