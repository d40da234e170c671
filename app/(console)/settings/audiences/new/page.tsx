import type { Metadata } from "next";
import { BackLink } from "@/components/console/list-parts";
import { Card, CardContent } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth";
import { ConnectAudienceForm } from "../connect-form";
import { loadSegmentOptions } from "../segment-options";

// reads the database on every request: never prerendered at build time
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Connect an audience" };

export default async function ConnectAudiencePage() {
  const user = await requireUser({ role: "admin" });
  const { cloudNumbers, ...options } = await loadSegmentOptions(await getDb(), user.tenantId);
  return (
    <div className="grid gap-6">
      <BackLink href="/settings/audiences">Audiences</BackLink>
      <PageHeader
        title="Connect an audience"
        description="Pick a Custom Audience of your Meta ad account, or create one, and choose who goes in. The token needs ads_management on the ad account."
      />
      <Card>
        <CardContent>
          <ConnectAudienceForm cloudNumbers={cloudNumbers} options={options} />
        </CardContent>
      </Card>
    </div>
  );
}
