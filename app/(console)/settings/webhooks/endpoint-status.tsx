import { Badge } from "@/components/ui/badge";
import { DateTime } from "@/components/console/formatted";
import { ALL_EVENTS } from "./form-schema";
import type { EndpointView } from "./view";

/** Healthy / Failing since … / Switched off (after failing) / Off (by an admin). */
export function EndpointStatusBadge({ endpoint }: { endpoint: Pick<EndpointView, "status" | "failingSince"> }) {
  switch (endpoint.status) {
    case "healthy":
      return <Badge variant="success">Healthy</Badge>;
    case "failing":
      return (
        <Badge variant="warning">
          Failing since <DateTime value={endpoint.failingSince} />
        </Badge>
      );
    case "disabled":
      return <Badge variant="destructive">Switched off</Badge>;
    default:
      return <Badge variant="outline">Off</Badge>;
  }
}

/** The event types as badges, or one "All events". */
export function EventTypeBadges({ eventTypes }: { eventTypes: string[] }) {
  if (eventTypes.includes(ALL_EVENTS)) return <Badge variant="secondary">All events</Badge>;
  return (
    <div className="flex flex-wrap gap-1">
      {eventTypes.map((t) => (
        <Badge key={t} variant="outline" className="font-mono">
          {t}
        </Badge>
      ))}
    </div>
  );
}
