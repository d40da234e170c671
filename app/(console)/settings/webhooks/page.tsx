import type { Metadata } from "next";
import Link from "next/link";
import { BackLink } from "@/components/console/list-parts";
import { PageHeader } from "@/components/ui/page-header";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth";
import { endpointKeysFromEnv, listEndpointsPage, listEventTypes, WEBHOOK_ENDPOINTS_MAX } from "@/lib/webhooks-out/endpoints";
import { EndpointsSection } from "./endpoints-section";
import { endpointView } from "./view";

// reads the database on every request: never prerendered at build time
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Webhooks" };

export default async function WebhooksPage() {
  const user = await requireUser({ role: "admin" });
  // a workspace has at most WEBHOOK_ENDPOINTS_MAX endpoints: one page holds them all
  const page = await listEndpointsPage(await getDb(), endpointKeysFromEnv(), { tenantId: user.tenantId, limit: WEBHOOK_ENDPOINTS_MAX });
  return (
    <div className="grid gap-6">
      <BackLink href="/settings">Settings</BackLink>
      <PageHeader
        title="Webhooks"
        description={
          <>
            Send events to your own systems as they happen: signed JSON POSTs, retried until they succeed. How to verify the Clicktrail-Signature header is on
            the{" "}
            <Link href="/api-docs" className="underline underline-offset-2">
              API page
            </Link>
            .
          </>
        }
      />
      <EndpointsSection endpoints={page.rows.map(endpointView)} eventTypes={listEventTypes().rows} max={WEBHOOK_ENDPOINTS_MAX} />
    </div>
  );
}
