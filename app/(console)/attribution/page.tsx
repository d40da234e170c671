import { BarChart3, Download } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth";
import { listAdFilterOptions } from "@/lib/subscribers/ad-options";
import { attributionParamsSchema, attributionReport, resolveRange, type Totals } from "@/lib/subscribers/attribution";
import { readUrlFilters } from "@/lib/url-filters";
import { DailyChart } from "./daily-chart";
import { RangeForm } from "./range-form";
import { reportHref } from "./report-href";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Attribution" };

const pct = (r: number) => `${(r * 100).toFixed(1)} %`;
const money = (value: Record<string, number>) =>
  Object.entries(value)
    .map(([currency, v]) => new Intl.NumberFormat("en", { style: "currency", currency }).format(v))
    .join(" · ") || "—";

function Cells({ t, events }: { t: Totals; events: string[] }) {
  return (
    <>
      <TableCell className="text-right tabular-nums">{t.conversations}</TableCell>
      <TableCell className="text-right tabular-nums">{t.subscribers}</TableCell>
      {events.map((e) => (
        <TableCell key={e} className="text-right tabular-nums">
          {t.events[e] ?? 0}
        </TableCell>
      ))}
      <TableCell className="text-right tabular-nums">{money(t.value)}</TableCell>
      <TableCell className="text-right tabular-nums">{pct(t.rate)}</TableCell>
    </>
  );
}

export default async function AttributionPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser({ role: "marketer" });
  const { filters, errors } = readUrlFilters(await searchParams, ["from", "to", "campaign", "ad"], attributionParamsSchema, {});
  const { from, to } = resolveRange(filters, new Date());
  const values = { from, to, campaign: filters.campaign, ad: filters.ad };
  const db = await getDb();
  const [report, options] = await Promise.all([attributionReport(db, { tenantId: user.tenantId, ...values }), listAdFilterOptions(db, user.tenantId)]);
  const events = report.eventNames;
  const csvHref = `/api/v1/${reportHref(values).slice(1)}&format=csv`;

  return (
    <div className="grid gap-6">
      <PageHeader
        className="pb-0"
        title="Attribution"
        description="Which campaigns, ad sets and ads start conversations, and what those conversations were worth. Conversions count toward the ad of the conversation they were reported for."
        actions={
          <div className="flex gap-2">
            <Button asChild variant="ghost">
              <Link href="/attribution/ads">Ad details</Link>
            </Button>
            <Button asChild variant="outline">
              <a href={csvHref} download>
                <Download aria-hidden />
                Download CSV
              </a>
            </Button>
          </div>
        }
      />
      <RangeForm values={values} errors={errors} campaigns={options.campaigns} ads={options.ads} />
      <Card>
        <CardHeader>
          <CardTitle>Conversations per day</CardTitle>
          <CardDescription>
            {from} to {to} (UTC), by where they came from.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <DailyChart data={report.daily} />
        </CardContent>
      </Card>
      {report.campaigns.length === 0 ? (
        <EmptyState
          icon={BarChart3}
          title={values.campaign || values.ad ? "No conversations from this campaign or ad in this range" : "No ad conversations in this range"}
          description="When people message you from a Click-to-WhatsApp ad, their conversations are counted here per campaign, ad set and ad. Try a wider range, or see who wrote organically on the Subscribers page."
          action={
            <Button asChild variant="outline">
              <Link href="/subscribers">Subscribers</Link>
            </Button>
          }
        />
      ) : (
        <Card className="py-0">
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Campaign / ad set / ad</TableHead>
                <TableHead className="text-right">Conversations</TableHead>
                <TableHead className="text-right">Subscribers</TableHead>
                {events.map((e) => (
                  <TableHead key={e} className="text-right">
                    {e}
                  </TableHead>
                ))}
                <TableHead className="text-right">Value</TableHead>
                <TableHead className="text-right">Conversion rate</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {report.campaigns.map((c) => [
                <TableRow key={`c-${c.id}`} className="bg-muted/40 font-medium">
                  <TableCell>{c.name ?? (c.id ? `Campaign ${c.id}` : "Not enriched yet")}</TableCell>
                  <Cells t={c.totals} events={events} />
                </TableRow>,
                ...c.adsets.flatMap((s) => [
                  <TableRow key={`s-${c.id}-${s.id}`}>
                    <TableCell className="pl-6">{s.name ?? (s.id ? `Ad set ${s.id}` : "Ad set not known yet")}</TableCell>
                    <Cells t={s.totals} events={events} />
                  </TableRow>,
                  ...s.ads.map((a) => (
                    <TableRow key={`a-${a.id}`} className="text-muted-foreground">
                      <TableCell className="max-w-80 truncate pl-10" title={a.headline ?? undefined}>
                        <Link href={`/subscribers?ad=${encodeURIComponent(a.id)}`} className="hover:underline">
                          {a.name ?? a.headline ?? `Ad ${a.id}`}
                        </Link>
                      </TableCell>
                      <Cells t={a.totals} events={events} />
                    </TableRow>
                  )),
                ]),
              ])}
              <TableRow className="font-semibold">
                <TableCell>Total</TableCell>
                <Cells t={report.total} events={events} />
              </TableRow>
            </TableBody>
          </Table>
        </Card>
      )}
    </div>
  );
}
