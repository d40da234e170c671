import { Megaphone } from "lucide-react";
import { SettingsLinkCard } from "./settings-link-card";

/** Settings → Audiences: how many Custom Audiences are connected, and whether any last sync failed. */
export function AudiencesLink({ total, failing }: { total: number; failing: number }) {
  return (
    <SettingsLinkCard
      href="/settings/audiences"
      icon={Megaphone}
      title={`Audiences — ${total} ${total === 1 ? "audience" : "audiences"}`}
      warning={failing > 0 ? `${failing} failing` : null}
      description="Keep Meta Custom Audiences in step with your WhatsApp subscribers, for retargeting and lookalikes."
      testId="settings-audiences-link"
    />
  );
}
