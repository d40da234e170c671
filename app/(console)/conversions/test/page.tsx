import { AlertTriangle, Phone } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { BackLink } from "@/components/console/list-parts";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth";
import { listNumbersPage } from "@/lib/numbers/numbers";
import { numberLabel } from "@/components/console/names";
import { hasRole } from "@/lib/roles";
import { TestEventForm, type TestNumberOption } from "./test-event-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Send a test event" };

export default async function TestConversionPage() {
  const user = await requireUser({ role: "marketer" });
  const canManage = hasRole(user.role, "manager");
  const numbers = await listNumbersPage(await getDb(), { tenantId: user.tenantId, limit: 200 });
  const cloud: TestNumberOption[] = numbers.rows
    .filter((n) => n.provider === "cloud")
    .map((n) => ({ id: n.id, label: numberLabel(n), datasetId: n.datasetId }));
  const missing = cloud.filter((n) => !n.datasetId);
  const fix = canManage
    ? "fetch or create its dataset in the Conversions API card of the number's page"
    : "ask a manager to set up its dataset on the number's page";
  const numberHint = (
    <>
      WhatsApp Cloud API numbers only: conversions go to Meta through the number&apos;s Conversions API dataset.
      {missing.length > 0 ? (
        <>
          {" "}
          Greyed-out numbers have no dataset yet: {fix}
          {canManage ? (
            <>
              {" "}
              (
              {missing.map((n, i) => (
                <span key={n.id}>
                  {i > 0 ? ", " : null}
                  <Link href={`/numbers/${n.id}`} className="underline underline-offset-2">
                    {n.label}
                  </Link>
                </span>
              ))}
              )
            </>
          ) : null}
          .
        </>
      ) : null}
    </>
  );

  return (
    <div className="grid max-w-2xl gap-6">
      <BackLink href="/conversions">Conversions</BackLink>
      <PageHeader
        className="pb-0"
        title="Send a test event"
        description="Check the whole path before your CRM goes live: the event is matched to the customer's ad click and sent to Meta with your test event code, so it shows up in Events Manager → Test events within a minute."
      />
      {cloud.length === 0 ? (
        <EmptyState
          icon={Phone}
          title="No WhatsApp Cloud API number yet"
          description="Conversions are sent through a Cloud API number's dataset. Connect one, then come back here."
          action={
            <Button asChild>
              <Link href="/numbers">Numbers</Link>
            </Button>
          }
        />
      ) : (
        <>
          {missing.length === cloud.length ? (
            <Alert variant="warning">
              <AlertTriangle aria-hidden />
              <AlertTitle>No number has a Conversions API dataset yet</AlertTitle>
              <AlertDescription>Events cannot be sent until one does: {fix}.</AlertDescription>
            </Alert>
          ) : null}
          <Card>
            <CardContent>
              <TestEventForm numbers={cloud} numberHint={numberHint} />
            </CardContent>
          </Card>
        </>
      )}
    </div>
  );
}
