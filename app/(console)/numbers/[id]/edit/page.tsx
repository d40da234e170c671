import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/ui/page-header";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth";
import { numberDepsFromEnv } from "@/lib/numbers/deps";
import { findPublicNumber } from "@/lib/numbers/numbers";
import { NumberForm } from "../../number-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Edit number" };

export default async function EditNumberPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser({ role: "manager" });
  const n = await findPublicNumber(await getDb(), numberDepsFromEnv().keys, { tenantId: user.tenantId, id: (await params).id, includeWebhook: false });
  if (!n) notFound();
  return (
    <div className="grid gap-2">
      <PageHeader title={`Edit ${n.label}`} description="Changing the phone, ids or credentials tests the connection again when you save." />
      <NumberForm
        number={{
          id: n.id,
          provider: n.provider,
          label: n.label,
          phoneE164: n.phoneE164,
          active: n.active,
          sendRatePerSecond: n.sendRatePerSecond,
          phoneNumberId: n.phoneNumberId ?? "",
          wabaId: n.wabaId ?? "",
          datasetId: n.datasetId ?? "",
          greenApiUrl: n.greenApiUrl ?? "",
          greenInstanceId: n.greenInstanceId ?? "",
          gupshupAppName: n.gupshupAppName ?? "",
          gupshupSourceNumber: n.gupshupSourceNumber ?? "",
          secretHints: Object.fromEntries(Object.entries(n.secrets).map(([k, s]) => [k, s?.hint ?? null])),
        }}
      />
    </div>
  );
}
