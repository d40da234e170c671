import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/ui/page-header";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth";
import { uuidParamSchema } from "@/lib/http";
import { numberDepsFromEnv } from "@/lib/numbers/deps";
import { toPublicNumber } from "@/lib/numbers/numbers";
import { getNumberById } from "@/db/queries";
import { NumberForm } from "../../number-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Edit number" };

export default async function EditNumberPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser({ role: "manager" });
  const parsed = uuidParamSchema.safeParse(await params);
  const row = parsed.success ? await getNumberById(await getDb(), { tenantId: user.tenantId, id: parsed.data.id }) : null;
  if (!row) notFound();
  const n = toPublicNumber(row, numberDepsFromEnv().keys, { includeWebhook: false });
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
