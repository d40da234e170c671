import { Webhook } from "lucide-react";
import { SettingsLinkCard } from "./settings-link-card";

/** Settings → Webhooks: how many endpoints there are, and whether any was switched off for failing. */
export function WebhooksLink({ total, disabled }: { total: number; disabled: number }) {
  return (
    <SettingsLinkCard
      href="/settings/webhooks"
      icon={Webhook}
      title={`Webhooks — ${total} ${total === 1 ? "endpoint" : "endpoints"}`}
      warning={disabled > 0 ? `${disabled} switched off` : null}
      description="Send new subscribers, leads, conversions and more to your own systems as signed JSON."
      testId="settings-webhooks-link"
    />
  );
}
