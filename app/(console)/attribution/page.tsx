import { BarChart3, Coins, Download, Megaphone, Target, TrendingUp } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { Fragment } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth";
import { listAdFilterOptions } from "@/lib/subscribers/ad-options";
import { attributionParamsSchema, attributionReport, resolveRange } from "@/lib/subscribers/attribution";
import { usableThumbnail } from "@/lib/subscribers/creative-thumbnail";
import { readUrlFilters } from "@/lib/url-filters";
import { DailyChart } from "@/components/charts/daily-chart";
import { SOURCE_SERIES } from "@/components/charts/series";
import { Count, FormattedDay, Money, Percent } from "@/components/console/formatted";
import { StatCard } from "@/components/ui/stat-card";
import { eventLabel } from "@/lib/conversions/schema";
import { RangeForm } from "./range-form";
import { reportHref } from "./report-href";
import { ReportTable } from "./report-table";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Attribution" };

const CHART_SERIES = [SOURCE_SERIES.ad, SOURCE_SERIES.post, SOURCE_SERIES.other, SOURCE_SERIES.organic];

export default async function AttributionPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser({ role: "marketer" });
  const { filters, errors } = readUrlFilters(await searchParams, ["from", "to", "campaign", "ad"], attributionParamsSchema, {});
  const { from, to } = resolveRange(filters, new Date());
  const values = { from, to, campaign: filters.campaign, ad: filters.ad };
  const db = await getDb();
  const [report, options] = await Promise.all([attributionReport(db, { tenantId: user.tenantId, ...values }), listAdFilterOptions(db, user.tenantId)]);
  const events = report.eventNames;
  const csvHref = `/api/v1/${reportHref(values).slice(1)}&format=csv`;
  const now = new Date();
  const conversionCount = Object.values(report.total.events).reduce((n, v) => n + v, 0);
  const currencies = report.currencies.filter((c) => report.total.value[c]).sort((a, b) => (report.total.value[b] ?? 0) - (report.total.value[a] ?? 0));
  // Meta's picture links expire: a link already past its expiry shows the placeholder without a request
  const campaigns = report.campaigns.map((c) => ({
    ...c,
    adsets: c.adsets.map((s) => ({ ...s, ads: s.ads.map((a) => ({ ...a, thumbnailUrl: usableThumbnail(a.thumbnailUrl, now) })) })),
  }));

  return (
    <div className="grid min-w-0 grid-cols-1 gap-6">
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
      <section aria-label="Totals of the range" className="grid grid-cols-2 gap-4 lg:grid-cols-4">
        <StatCard
          label="Ad conversations"
          value={<Count value={report.total.conversations} />}
          icon={Megaphone}
          hint={
            <>
              from <Count value={report.total.subscribers} /> {report.total.subscribers === 1 ? "person" : "people"}
            </>
          }
        />
        <StatCard
          label="Conversions"
          value={<Count value={conversionCount} />}
          icon={Target}
          hint={
            events.length > 0
              ? events.map((e, i) => {
                  const n = report.total.events[e] ?? 0;
                  return (
                    <Fragment key={e}>
                      {i > 0 ? " · " : null}
                      <Count value={n} /> {eventLabel(e, n === 1 ? "one" : "many").toLowerCase()}
                    </Fragment>
                  );
                })
              : "None reported yet"
          }
        />
        <StatCard
          label="Value"
          value={
            currencies.length > 0 ? (
              <span className="grid">
                {currencies.map((c) => (
                  <Money key={c} value={report.total.value[c]} currency={c} />
                ))}
              </span>
            ) : (
              "—"
            )
          }
          icon={Coins}
          hint={currencies.length > 1 ? "Per currency: amounts are not converted" : "Of the conversions with a value"}
        />
        <StatCard
          label="Conversion rate"
          value={<Percent value={report.total.rate} />}
          icon={TrendingUp}
          hint="Ad conversations with at least one conversion"
        />
      </section>
      <Card>
        <CardHeader>
          <CardTitle>Conversations per day</CardTitle>
          <CardDescription>
            <FormattedDay day={from} /> to <FormattedDay day={to} /> (UTC days), by where they came from.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <DailyChart data={report.daily} series={CHART_SERIES} label="Conversations started per day, by source" />
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
        <Card className="min-w-0 py-0">
          <ReportTable campaigns={campaigns} total={report.total} events={events} currencies={report.currencies} />
        </Card>
      )}
    </div>
  );
}
