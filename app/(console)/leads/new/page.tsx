import type { Metadata } from "next";
import { BackLink } from "@/components/console/list-parts";
import { Card, CardContent } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { getDb } from "@/db/client";
import { DRIP_PROVIDERS, getDefaultLeadNumber, listLeadSegments } from "@/db/queries";
import { requireUser } from "@/lib/auth";
import { listNumbersPage } from "@/lib/numbers/numbers";
import { LeadForm } from "./lead-form";
import { numberLabel } from "@/components/console/names";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "New lead" };

export default async function NewLeadPage() {
  const user = await requireUser({ role: "manager" });
  const db = await getDb();
  const [numbers, fallback, segments] = await Promise.all([
    listNumbersPage(db, { tenantId: user.tenantId, limit: 200 }),
    getDefaultLeadNumber(db, { tenantId: user.tenantId }),
    listLeadSegments(db, { tenantId: user.tenantId }),
  ]);
  const senders = numbers.rows
    .filter((n) => (DRIP_PROVIDERS as readonly string[]).includes(n.provider))
    .map((n) => ({ id: n.id, label: `${numberLabel(n)}${n.active ? "" : " · inactive"}` }));
  return (
    <div className="grid gap-6">
      <BackLink href="/leads">Leads</BackLink>
      <PageHeader
        className="pb-0"
        title="New lead"
        description="Someone who asked to be called back. Record the call on the lead's page; Yes to “Target and interested?” starts the WhatsApp drip."
      />
      <Card className="max-w-2xl">
        <CardContent>
          <LeadForm numbers={senders} defaultNumber={fallback ? numberLabel(fallback) : null} segments={segments} />
        </CardContent>
      </Card>
    </div>
  );
}
