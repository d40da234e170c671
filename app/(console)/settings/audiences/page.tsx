import { Megaphone, Plus } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { AutoRefresh } from "@/components/console/auto-refresh";
import { Count, RelativeTime } from "@/components/console/formatted";
import { BackLink } from "@/components/console/list-parts";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { getDb } from "@/db/client";
import { listAudiences } from "@/db/queries/audiences";
import { requireUser } from "@/lib/auth";
import { AudienceEnabledSwitch, SyncNowButton } from "./audience-controls";
import { AudienceError, AudienceStatusBadge } from "./audience-status";
import { loadSegmentOptions } from "./segment-options";
import { describeSegment } from "./segment-words";
import { type AudienceView, audienceView, syncPending } from "./view";

// reads the database on every request: never prerendered at build time
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Audiences" };

/** A workspace connects a handful of audiences (one per segment): one page shows them (listAudiences reads one more). */
const AUDIENCES_MAX = 100;

const WHAT_FOR =
  "A Custom Audience in your Meta ad account holds the people who wrote to you on WhatsApp, so you can retarget them or build lookalikes of them. " +
  "Clicktrail adds each new subscriber (their phone, SHA-256 hashed) within seconds and removes anyone who opts out or is blocked.";

function ConnectButton() {
  return (
    <Button asChild size="sm">
      <Link href="/settings/audiences/new">
        <Plus aria-hidden />
        Connect an audience
      </Link>
    </Button>
  );
}

function AudienceRow({ audience, segment }: { audience: AudienceView; segment: string }) {
  return (
    <li className="grid gap-3 p-4 sm:grid-cols-[minmax(0,1fr)_auto]" data-testid="audience-row">
      <div className="grid min-w-0 gap-1">
        <div className="flex flex-wrap items-center gap-2">
          <Link href={`/settings/audiences/${audience.id}`} className="min-w-0 font-medium wrap-anywhere hover:underline">
            {audience.name}
          </Link>
          <AudienceStatusBadge audience={audience} />
        </div>
        <p className="text-xs wrap-anywhere text-muted-foreground">
          Ad account act_{audience.adAccountId} · audience {audience.audienceId}
        </p>
        <p className="text-sm break-words" data-testid="audience-segment-text">
          {segment}
        </p>
        <p className="text-sm text-muted-foreground">
          <span data-testid="audience-size-sent" className="font-medium text-foreground tabular-nums">
            <Count value={audience.sizeSent} />
          </span>{" "}
          {audience.sizeSent === 1 ? "member" : "members"} sent · last sync <RelativeTime value={audience.lastSyncedAt} />
        </p>
        <AudienceError audience={audience} compact />
      </div>
      <div className="flex items-center gap-3 sm:self-start">
        <SyncNowButton audience={audience} />
        <AudienceEnabledSwitch audience={audience} />
      </div>
    </li>
  );
}

export default async function AudiencesPage() {
  const user = await requireUser({ role: "admin" });
  const db = await getDb();
  const [rows, options] = await Promise.all([listAudiences(db, { tenantId: user.tenantId, limit: AUDIENCES_MAX }), loadSegmentOptions(db, user.tenantId)]);
  const audiences = rows.slice(0, AUDIENCES_MAX).map(audienceView);
  return (
    <div className="grid gap-6">
      <BackLink href="/settings">Settings</BackLink>
      <PageHeader
        title="Audiences"
        description="Meta Custom Audiences kept in step with your WhatsApp subscribers, for retargeting and lookalikes."
        actions={audiences.length > 0 ? <ConnectButton /> : undefined}
      />
      {audiences.length === 0 ? (
        <EmptyState
          icon={Megaphone}
          title="No audiences connected yet"
          data-testid="audiences-empty"
          description={
            <>
              {WHAT_FOR} You need a Meta ad account and an access token with the <span className="font-mono">ads_management</span> permission on it (a Cloud API
              number&apos;s token, or a system user token), and the Custom Audience terms accepted on the account.
            </>
          }
          action={<ConnectButton />}
        />
      ) : (
        <Card className="py-0">
          <CardContent className="px-0">
            <ul className="divide-y">
              {audiences.map((a) => (
                <AudienceRow key={a.id} audience={a} segment={describeSegment(a.segment, options)} />
              ))}
            </ul>
          </CardContent>
        </Card>
      )}
      <AutoRefresh active={audiences.some(syncPending)} intervalMs={3_000} note="Syncing: this page updates by itself." />
    </div>
  );
}
