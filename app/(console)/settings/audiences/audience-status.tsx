import { AlertTriangle, CheckCircle2, CircleOff, Clock, RefreshCw } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import type { AudienceView } from "./view";

/** Off / Syncing / Error / Synced / Waiting for its first sync. */
export function AudienceStatusBadge({ audience }: { audience: Pick<AudienceView, "enabled" | "syncStatus" | "lastSyncedAt"> }) {
  if (!audience.enabled) {
    return (
      <Badge variant="outline">
        <CircleOff aria-hidden />
        Off
      </Badge>
    );
  }
  switch (audience.syncStatus) {
    case "syncing":
      return (
        <Badge variant="secondary">
          <RefreshCw className="animate-spin" aria-hidden />
          Syncing
        </Badge>
      );
    case "error":
      return (
        <Badge variant="destructive">
          <AlertTriangle aria-hidden />
          Error
        </Badge>
      );
    default:
      return audience.lastSyncedAt ? (
        <Badge variant="success">
          <CheckCircle2 aria-hidden />
          Synced
        </Badge>
      ) : (
        <Badge variant="secondary">
          <Clock aria-hidden />
          Waiting for first sync
        </Badge>
      );
  }
}

/** The last error as Meta said it (verbatim), and what to do about it. Nothing when the last sync went well. */
export function AudienceError({
  audience,
  compact = false,
}: {
  audience: Pick<AudienceView, "syncStatus" | "lastError" | "lastErrorHint">;
  compact?: boolean;
}) {
  if (audience.syncStatus !== "error" || !audience.lastError) return null;
  return (
    <div className={compact ? "grid gap-1 text-xs" : "grid gap-1 text-sm"} data-testid="audience-error">
      <p className="font-mono wrap-anywhere text-destructive">{audience.lastError}</p>
      {audience.lastErrorHint ? <p className="break-words text-muted-foreground">{audience.lastErrorHint}</p> : null}
    </div>
  );
}
