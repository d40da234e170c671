import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/page-header";
import { getDb } from "@/db/client";
import { getTenantById } from "@/db/queries/tenants";
import { listPendingInvites } from "@/lib/accounts/invites";
import { listUsersPage } from "@/lib/accounts/users";
import { listApiKeysPage } from "@/lib/api-keys";
import { WEBHOOK_EVENT_RETENTION_DAYS } from "@/lib/accounts/schemas";
import { requireUser } from "@/lib/auth";
import { getDemoStatus } from "@/lib/demo/remove-demo-data";
import { DEFAULT_INACTIVE_AFTER_DAYS } from "@/lib/subscribers/inactivity";
import { ApiKeysSection } from "./api-keys-section";
import { CONVERSION_EVENT_NAMES } from "@/lib/conversions/schema";
import { dripSettingsFormValues } from "@/lib/drip/settings-schema";
import { DemoDataSection } from "./demo-data-section";
import { DripSettingsForm } from "./drip-settings-form";
import { LifecycleEventsForm } from "./lifecycle-events-form";
import { readLifecycleEvents } from "@/lib/conversions/lifecycle";
import { lifecycleEventsFormValues } from "@/lib/conversions/lifecycle-schema";
import { OrganisationForm } from "./organisation-form";
import { UsersSection } from "./users-section";
import { summarizeWebhookEndpoints } from "@/db/queries/webhook-endpoints";
import { WebhooksLink } from "./webhooks-link";
import { AudiencesLink } from "./audiences-link";
import { summarizeAudiences } from "@/lib/audiences/manage";
import { TelegramSection } from "./telegram-section";
import { getTelegramBotView } from "@/lib/telegram/bot";

// reads the database on every request: never prerendered at build time
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const user = await requireUser({ role: "admin" });
  const db = await getDb();
  const now = new Date();
  const users = await listUsersPage(db, { tenantId: user.tenantId, limit: 200 });
  const invites = await listPendingInvites(db, { tenantId: user.tenantId, now });
  const keys = await listApiKeysPage(db, { tenantId: user.tenantId, limit: 200 });
  const demo = await getDemoStatus(db, user.tenantId);
  const tenant = await getTenantById(db, user.tenantId);
  const webhooks = await summarizeWebhookEndpoints(db, { tenantId: user.tenantId });
  const audiences = await summarizeAudiences(db, { tenantId: user.tenantId });
  return (
    <div className="grid gap-8">
      <PageHeader title="Settings" description="Your workspace, the people who use it, and API keys for integrations." />
      <OrganisationForm
        name={user.tenantName}
        inactiveAfterDays={tenant?.inactiveAfterDays ?? DEFAULT_INACTIVE_AFTER_DAYS}
        webhookEventRetentionDays={tenant?.webhookEventRetentionDays ?? WEBHOOK_EVENT_RETENTION_DAYS.default}
      />
      <DripSettingsForm
        values={dripSettingsFormValues(tenant ?? { quietHoursStart: null, quietHoursEnd: null, dripStopEvents: ["Purchase"] })}
        eventNames={[...CONVERSION_EVENT_NAMES]}
      />
      <LifecycleEventsForm
        values={lifecycleEventsFormValues(await readLifecycleEvents(db, { tenantId: user.tenantId }))}
        eventNames={[...CONVERSION_EVENT_NAMES]}
      />
      <UsersSection
        currentUserId={user.id}
        users={users.rows.map((u) => ({ ...u, lastLoginAt: u.lastLoginAt?.getTime() ?? null, createdAt: u.createdAt.getTime() }))}
        hasMore={users.nextCursor !== null}
        invites={invites.map((i) => ({ id: i.id, email: i.email, role: i.role, expiresAt: i.expiresAt.getTime() }))}
      />
      <ApiKeysSection
        keys={keys.rows.map((k) => ({
          id: k.id,
          name: k.name,
          prefix: k.prefix,
          createdAt: k.createdAt.getTime(),
          lastUsedAt: k.lastUsedAt?.getTime() ?? null,
          revokedAt: k.revokedAt?.getTime() ?? null,
        }))}
        hasMore={keys.nextCursor !== null}
      />
      <TelegramSection view={await getTelegramBotView(db, { tenantId: user.tenantId, now })} />
      <WebhooksLink total={webhooks.total} disabled={webhooks.disabled} />
      <AudiencesLink total={audiences.total} failing={audiences.failing} />
      <DemoDataSection loadedAt={demo.loadedAt?.getTime() ?? null} counts={demo.counts} />
    </div>
  );
}
