import { Phone, Plus } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { RelativeTime } from "@/components/console/formatted";
import { ErrorText, KeysetPager, ListNotice } from "@/components/console/list-parts";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth";
import { describeConnectionError } from "@/lib/numbers/connection-errors";
import { numberDepsFromEnv } from "@/lib/numbers/deps";
import { listNumbersPage, toPublicNumber } from "@/lib/numbers/numbers";
import { PROVIDER_LABELS } from "@/lib/numbers/schemas";
import { loadPageOrFirst } from "@/lib/pagination";
import { formatPhone } from "@/lib/phone";
import { hasRole } from "@/lib/roles";
import { urlCursor } from "@/lib/url-filters";
import { DemoBadge, formatTier, NumberStatusBadge, QualityBadge } from "./number-status";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Numbers" };

function When({ ms, empty }: { ms: number | null; empty: string }) {
  return ms === null ? <span className="text-muted-foreground">{empty}</span> : <RelativeTime value={ms} />;
}

export default async function NumbersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser({ role: "marketer" });
  const canManage = hasRole(user.role, "manager");
  const db = await getDb();
  const { page, cursor, cursorError } = await loadPageOrFirst(urlCursor(await searchParams), (c) =>
    listNumbersPage(db, { tenantId: user.tenantId, limit: 50, cursor: c }),
  );
  const { keys } = numberDepsFromEnv();
  const numbers = page.rows.map((row) => toPublicNumber(row, keys, { includeWebhook: false }));
  const addButton = canManage ? (
    <Button asChild>
      <Link href="/numbers/new">
        <Plus aria-hidden />
        Connect a number
      </Link>
    </Button>
  ) : null;

  return (
    <div className="grid gap-6">
      <PageHeader
        title="Numbers"
        description={
          canManage
            ? "WhatsApp business numbers connected to this workspace: their health, and where Meta sends their webhooks."
            : "WhatsApp business numbers connected to this workspace. Managers and admins connect and edit them."
        }
        actions={addButton}
      />
      <ListNotice text={cursorError} />
      {numbers.length === 0 && !cursor ? (
        <EmptyState
          icon={Phone}
          title="No numbers yet"
          description={
            canManage
              ? "Connect a WhatsApp number from Meta's Cloud API, Green API or Gupshup. You'll test the connection and get the webhook settings to paste into Meta."
              : "Nothing is connected yet. Ask a manager or admin to connect a WhatsApp number."
          }
          action={addButton}
        />
      ) : (
        <Card className="py-0">
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Number</TableHead>
                <TableHead>Status</TableHead>
                <TableHead>Verified name</TableHead>
                <TableHead>Quality</TableHead>
                <TableHead>Tier</TableHead>
                <TableHead>Last check</TableHead>
                <TableHead>Last webhook</TableHead>
                <TableHead className="w-[28%]">Last error</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {numbers.map((n) => (
                <TableRow key={n.id} data-testid="number-row">
                  <TableCell>
                    <div className="grid gap-0.5">
                      {canManage ? (
                        <Link href={`/numbers/${n.id}`} className="font-medium hover:underline">
                          {n.label}
                        </Link>
                      ) : (
                        <span className="font-medium">{n.label}</span>
                      )}
                      <span className="text-xs text-muted-foreground tabular-nums">
                        {formatPhone(n.phoneE164)} · {PROVIDER_LABELS[n.provider]}
                      </span>
                    </div>
                  </TableCell>
                  <TableCell>
                    <span className="inline-flex flex-wrap gap-1">
                      <NumberStatusBadge status={n.status} />
                      {n.demo ? <DemoBadge /> : null}
                    </span>
                  </TableCell>
                  <TableCell>{n.verifiedName ?? <span className="text-muted-foreground">—</span>}</TableCell>
                  <TableCell>
                    <QualityBadge rating={n.qualityRating} />
                  </TableCell>
                  <TableCell className="whitespace-nowrap">{formatTier(n.messagingLimitTier)}</TableCell>
                  <TableCell className="whitespace-nowrap">
                    <When ms={n.lastCheckedAt?.getTime() ?? null} empty="never" />
                  </TableCell>
                  <TableCell className="whitespace-nowrap">
                    <When ms={n.lastWebhookAt?.getTime() ?? null} empty="none yet" />
                  </TableCell>
                  <TableCell className="text-sm whitespace-normal">
                    <ErrorText text={n.lastError && describeConnectionError(n.lastError)} title={n.lastError?.hint ?? undefined} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Card>
      )}
      <KeysetPager firstHref={cursor ? "/numbers" : null} nextHref={page.nextCursor && `/numbers?cursor=${encodeURIComponent(page.nextCursor)}`} />
    </div>
  );
}
