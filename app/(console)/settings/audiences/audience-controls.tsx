"use client";

import { RefreshCw } from "lucide-react";
import { useTransition } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";
import { Switch } from "@/components/ui/switch";
import { setAudienceEnabledAction, syncAudienceNowAction } from "./actions";
import type { AudienceView } from "./view";

/** "Sync now": a full sync of the audience, queued at once (the page refreshes itself while it runs). */
export function SyncNowButton({ audience, size = "sm" }: { audience: Pick<AudienceView, "id" | "name" | "enabled">; size?: "sm" | "default" }) {
  const [pending, start] = useTransition();
  const run = () =>
    start(async () => {
      const r = await syncAudienceNowAction({ id: audience.id });
      if (r.ok) toast.success(`Sync of ${audience.name} started`);
      else toast.error(r.error);
    });
  return (
    <Button
      type="button"
      variant="outline"
      size={size}
      onClick={run}
      disabled={pending || !audience.enabled}
      title={audience.enabled ? undefined : "Switch the audience on to sync it"}
      aria-label={`Sync now: ${audience.name}`}
    >
      {pending ? <Spinner /> : <RefreshCw aria-hidden />}
      Sync now
    </Button>
  );
}

/** On: new subscribers are added and opt-outs removed as they happen; off: nothing is sent (Meta keeps the audience). */
export function AudienceEnabledSwitch({ audience }: { audience: Pick<AudienceView, "id" | "name" | "enabled"> }) {
  const [pending, start] = useTransition();
  const set = (enabled: boolean) =>
    start(async () => {
      const r = await setAudienceEnabledAction({ id: audience.id, enabled });
      if (r.ok) toast.success(enabled ? `${audience.name} switched on: a full sync is queued` : `${audience.name} switched off`);
      else toast.error(r.error);
    });
  return <Switch checked={audience.enabled} disabled={pending} onCheckedChange={set} aria-label={`Sync on: ${audience.name}`} />;
}
