import { CheckCircle2, Clock, Megaphone, XCircle } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { RelativeTime } from "@/components/console/formatted";
import { BackLink, ErrorText, KeysetPager, ListNotice } from "@/components/console/list-parts";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth";
import { loadPageOrFirst } from "@/lib/pagination";
import { adListParamsSchema, listAdEnrichments } from "@/lib/subscribers/enrichment";
import { urlCursor } from "@/lib/url-filters";
import { FilterLinks } from "./filter-links";
import { RetryAdButton } from "./retry-button";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Ad details" };

const STATUS = {
  enriched: { label: "Fetched", variant: "success", icon: CheckCircle2 },
  pending: { label: "Pending", variant: "secondary", icon: Clock },
  failed: { label: "Failed", variant: "destructive", icon: XCircle },
} as const;

const href = (status?: string, cursor?: string) => {
  const p = new URLSearchParams();
  if (status) p.set("status", status);
  if (cursor) p.set("cursor", cursor);
  return p.size > 0 ? `/attribution/ads?${p}` : "/attribution/ads";
};

export default async function AdDetailsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser({ role: "marketer" });
  const raw = await searchParams;
  const parsed = adListParamsSchema.omit({ cursor: true, limit: true }).safeParse(raw);
  const params = parsed.success ? parsed.data : {};
  const db = await getDb();
  const loaded = await loadPageOrFirst(urlCursor(raw), (cursor) => listAdEnrichments(db, { tenantId: user.tenantId, ...params, cursor, limit: 50 }));
  const { page } = loaded;

  return (
    <div className="grid min-w-0 grid-cols-1 gap-6">
      <BackLink href="/attribution">Attribution</BackLink>
      <PageHeader
        className="pb-0"
        title="Ad details"
        description="For every ad that brought a conversation, its campaign, ad set, ad and creative names are fetched once from Meta with the number's access token, then shown on subscribers and in the report. Failures are retried with backoff; fix the cause (usually the token's ads_read permission) and retry."
      />
      <FilterLinks current={params.status} />
      <ListNotice text={loaded.cursorError} />
      {page.rows.length === 0 ? (
        <EmptyState
          icon={Megaphone}
          title={params.status ? "No ads with this status" : "No ads seen yet"}
          description="An ad appears here the first time someone messages you from it."
          action={
            params.status ? (
              <Button asChild variant="outline">
                <Link href="/attribution/ads">Show all</Link>
              </Button>
            ) : undefined
          }
        />
      ) : (
        <Card className="min-w-0 py-0">
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Ad</TableHead>
                <TableHead>Campaign / ad set</TableHead>
                <TableHead>Status</TableHead>
                <TableHead className="w-[30%]">Last error</TableHead>
                <TableHead>First seen</TableHead>
                <TableHead className="sr-only">Actions</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {page.rows.map((a) => {
                const s = STATUS[a.status];
                const error = a.error ?? a.jobLastError;
                return (
                  <TableRow key={a.id} data-testid="ad-row">
                    <TableCell className="max-w-60">
                      <Link href={`/subscribers?ad=${encodeURIComponent(a.adId)}`} className="block truncate font-medium hover:underline">
                        {a.adName ?? `Ad ${a.adId}`}
                      </Link>
                      <span className="text-xs text-muted-foreground tabular-nums">{a.adId}</span>
                    </TableCell>
                    <TableCell className="max-w-60 whitespace-normal">
                      <span className="line-clamp-1">{a.campaignName ?? "—"}</span>
                      <span className="line-clamp-1 text-xs text-muted-foreground">{a.adsetName ?? ""}</span>
                    </TableCell>
                    <TableCell>
                      <Badge variant={s.variant}>
                        <s.icon aria-hidden />
                        {s.label}
                      </Badge>
                      {a.status === "pending" && a.jobRunAt ? (
                        <span className="block text-xs text-muted-foreground">
                          {a.attempts > 0 ? `attempt ${a.attempts + 1}, ` : ""}next <RelativeTime value={a.jobRunAt} />
                        </span>
                      ) : null}
                    </TableCell>
                    <TableCell className="text-sm whitespace-normal">
                      <ErrorText text={a.status === "enriched" ? null : error} />
                    </TableCell>
                    <TableCell>
                      <RelativeTime value={a.firstSeenAt} />
                    </TableCell>
                    <TableCell className="text-right">{a.status === "failed" ? <RetryAdButton adId={a.adId} /> : null}</TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </Card>
      )}
      {page.rows.length > 0 ? (
        <KeysetPager firstHref={loaded.cursor ? href(params.status) : null} nextHref={page.nextCursor && href(params.status, page.nextCursor)} />
      ) : null}
    </div>
  );
}
