import { AlertTriangle } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { AutoRefresh } from "@/components/console/auto-refresh";
import { Facts } from "@/components/console/facts";
import { Count, DateTime, RelativeTime } from "@/components/console/formatted";
import { BackLink } from "@/components/console/list-parts";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { StatCard } from "@/components/ui/stat-card";
import { getDb } from "@/db/client";
import { getAudienceView } from "@/db/queries/audiences";
import { requireUser } from "@/lib/auth";
import { AudienceEnabledSwitch, SyncNowButton } from "../audience-controls";
import { AudienceStatusBadge } from "../audience-status";
import { loadSegmentOptions } from "../segment-options";
import { describeSegment } from "../segment-words";
import { audienceView, syncPending } from "../view";
import { AudienceActions } from "./audience-actions";

// reads the database on every request: never prerendered at build time
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Audience" };

function When({ ms }: { ms: number | null }) {
  if (ms === null) return <span className="text-muted-foreground">never</span>;
  return (
    <span>
      <RelativeTime value={ms} /> (<DateTime value={ms} />)
    </span>
  );
}

export default async function AudiencePage(props: { params: Promise<{ id: string }> }) {
  const user = await requireUser({ role: "admin" });
  const params = z.object({ id: z.uuid() }).safeParse(await props.params);
  if (!params.success) notFound();
  const db = await getDb();
  // tenant-scoped: another workspace's audience is simply not found here
  const row = await getAudienceView(db, { tenantId: user.tenantId, id: params.data.id });
  if (!row) notFound();
  const { cloudNumbers: _cloud, ...options } = await loadSegmentOptions(db, user.tenantId);
  const audience = audienceView(row);
  const number = audience.numberId ? options.numbers.find((n) => n.value === audience.numberId) : undefined;

  return (
    <div className="grid gap-6">
      <BackLink href="/settings/audiences">Audiences</BackLink>
      <PageHeader
        title={<span className="wrap-anywhere">{audience.name}</span>}
        description={`Custom Audience ${audience.audienceId} in ad account act_${audience.adAccountId}`}
        actions={
          <>
            <SyncNowButton audience={audience} />
            <AudienceActions audience={audience} options={options} />
          </>
        }
      />
      {audience.syncStatus === "error" && audience.lastError ? (
        <Alert variant="destructive" data-testid="audience-error">
          <AlertTriangle aria-hidden />
          <AlertTitle>
            The last sync failed
            {audience.lastErrorAt ? (
              <>
                {" "}
                <RelativeTime value={audience.lastErrorAt} />
              </>
            ) : null}
          </AlertTitle>
          <AlertDescription>
            <p className="font-mono wrap-anywhere">{audience.lastError}</p>
            {audience.lastErrorHint ? <p className="break-words">{audience.lastErrorHint}</p> : null}
          </AlertDescription>
        </Alert>
      ) : null}
      <div className="grid gap-4 sm:grid-cols-3">
        <div data-testid="audience-stat-size" className="grid">
          <StatCard label="Members sent" value={<Count value={audience.sizeSent} />} />
        </div>
        <StatCard label="Added, all time" value={<Count value={audience.addedTotal} />} />
        <StatCard label="Removed, all time" value={<Count value={audience.removedTotal} />} />
      </div>
      <Card>
        <CardHeader>
          <CardTitle>
            <h2>Sync</h2>
          </CardTitle>
          <CardDescription>New subscribers who match are added as they arrive; opt-outs, blocks and people who stop matching are removed.</CardDescription>
        </CardHeader>
        <CardContent>
          <Facts
            rows={[
              ["Status", <AudienceStatusBadge key="s" audience={audience} />],
              [
                "Sync on",
                <span key="on" className="inline-flex items-center gap-2">
                  <AudienceEnabledSwitch audience={audience} />
                  <span className="text-muted-foreground">{audience.enabled ? "On" : "Off: nothing is sent to Meta"}</span>
                </span>,
              ],
              [
                "Segment",
                <span key="seg" data-testid="audience-segment-text">
                  {describeSegment(audience.segment, options)}
                </span>,
              ],
              ["Last sync", <When key="ls" ms={audience.lastSyncedAt} />],
              ["Last full sync", <When key="lf" ms={audience.lastFullSyncAt} />],
              [
                "Last error",
                audience.lastError ? (
                  <span key="le" className="font-mono wrap-anywhere">
                    {audience.lastError}
                  </span>
                ) : null,
              ],
              [
                "Token",
                audience.tokenSource === "number" ? (
                  number ? (
                    <Link key="t" href={`/numbers/${number.value}`} className="underline underline-offset-2">
                      {number.label}
                    </Link>
                  ) : (
                    <span key="t" className="text-destructive">
                      The number was deleted: disconnect and connect the audience again with another token
                    </span>
                  )
                ) : (
                  "A system user token (stored encrypted)"
                ),
              ],
              ["Connected", <DateTime key="c" value={audience.createdAt} />],
            ]}
          />
        </CardContent>
      </Card>
      <AutoRefresh active={syncPending(audience)} intervalMs={3_000} note="Syncing: this page updates by itself." />
    </div>
  );
}
