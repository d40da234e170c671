import { AlertTriangle, CheckCircle2, CircleDashed, CirclePause, FlaskConical } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import type { ConnectionError } from "@/lib/numbers/connection-errors";
import type { NumberStatus } from "@/lib/numbers/numbers";

const STATUS: Record<NumberStatus, { label: string; variant: "success" | "destructive" | "warning" | "secondary"; icon: typeof CheckCircle2 }> = {
  connected: { label: "Connected", variant: "success", icon: CheckCircle2 },
  error: { label: "Error", variant: "destructive", icon: AlertTriangle },
  unverified: { label: "Unverified", variant: "warning", icon: CircleDashed },
  inactive: { label: "Inactive", variant: "secondary", icon: CirclePause },
};

export function NumberStatusBadge({ status }: { status: NumberStatus }) {
  const s = STATUS[status];
  return (
    <Badge variant={s.variant} data-testid="number-status">
      <s.icon aria-hidden />
      {s.label}
    </Badge>
  );
}

/** A number written by Load demo data: it has no provider connection. */
export function DemoBadge() {
  return (
    <Badge variant="outline" title="Demo data: nothing is sent, checked or fetched through this number" data-testid="demo-badge">
      <FlaskConical aria-hidden />
      Demo
    </Badge>
  );
}

const QUALITY: Record<string, { label: string; variant: "success" | "warning" | "destructive" }> = {
  GREEN: { label: "High", variant: "success" },
  YELLOW: { label: "Medium", variant: "warning" },
  RED: { label: "Low", variant: "destructive" },
};

export function QualityBadge({ rating }: { rating: string | null }) {
  if (!rating) return <span className="text-muted-foreground">—</span>;
  const q = QUALITY[rating];
  if (!q) return <span className="text-muted-foreground">Not rated</span>;
  return <Badge variant={q.variant}>{q.label}</Badge>;
}

/** TIER_1K → "1K / day", TIER_UNLIMITED → "Unlimited". */
export function formatTier(tier: string | null): string {
  if (!tier || tier === "TIER_NOT_SET") return "—";
  const t = tier.replace(/^TIER_/, "");
  return t === "UNLIMITED" ? "Unlimited" : `${t} / 24 h`;
}

/** The provider's error verbatim (code, subcode, message, trace id) and our plain-language hint. */
export function ConnectionErrorDetails({ error }: { error: ConnectionError }) {
  const facts: [string, string | number | null | undefined][] =
    error.kind === "graph"
      ? [
          ["Code", error.code],
          ["Subcode", error.subcode],
          ["Type", error.type],
          ["HTTP status", error.httpStatus],
          ["fbtrace_id", error.fbtraceId],
        ]
      : error.kind === "green_state"
        ? [["Instance state", error.state]]
        : error.kind === "mismatch"
          ? [
              ["Entered", error.expected],
              ["Meta reports", error.actual || "—"],
            ]
          : error.kind === "provider_http"
            ? [["HTTP status", error.httpStatus]]
            : [];
  return (
    <div className="grid gap-2" data-testid="connection-error">
      <p className="font-medium break-words">{error.message}</p>
      {error.kind === "graph" && error.details ? <p className="break-words text-foreground/80">{error.details}</p> : null}
      {facts.some(([, v]) => v != null) ? (
        <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-0.5 font-mono text-xs text-foreground/80">
          {facts
            .filter(([, v]) => v != null)
            .map(([k, v]) => (
              <div key={k} className="contents">
                <dt>{k}</dt>
                <dd className="break-all">{v}</dd>
              </div>
            ))}
        </dl>
      ) : null}
      {error.hint ? <p className="text-foreground">{error.hint}</p> : null}
    </div>
  );
}
