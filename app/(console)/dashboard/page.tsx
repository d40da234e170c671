import { AlertTriangle, BarChart3, CheckCircle2, Clock, Coins, Megaphone, MessagesSquare, Target, Users } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { DailyChart } from "@/components/charts/daily-chart";
import { SOURCE_SERIES } from "@/components/charts/series";
import { AutoRefresh } from "@/components/console/auto-refresh";
import { formatCount } from "@/components/console/format";
import { Count, FormattedDay, Percent } from "@/components/console/formatted";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { StatCard } from "@/components/ui/stat-card";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth";
import { type DashboardReport, dashboardParamsSchema, getDashboardView, type RankedAd, type RankedCampaign, resolveDashboardRange } from "@/lib/dashboard";
import { hasRole } from "@/lib/roles";
import { readUrlFilters } from "@/lib/url-filters";
import { reportHref } from "../attribution/report-href";
import { dashboardHref } from "./dashboard-href";
import { BigNumber, ChangeLine, FigureCard, RevenueLines } from "./figures";
import { GettingStarted } from "./getting-started";
import { RangePicker } from "./range-picker";
import { TopList, type TopItem } from "./top-list";

// reads the database on every request: never prerendered at build time
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Dashboard" };

const CHART_SERIES = [SOURCE_SERIES.ad, { ...SOURCE_SERIES.organic, label: "Organic, posts and other" }];

const campaignName = (c: { name: string | null; campaignId: string | null }) =>
  c.name ?? (c.campaignId ? `Campaign ${c.campaignId}` : "Campaign not known yet");
const adName = (a: RankedAd) => a.name ?? `Ad ${a.adId}`;

function topItems(report: DashboardReport) {
  const { from, to } = report.range;
  const campaign = (c: RankedCampaign, value: number): TopItem => ({
    key: c.campaignId ?? "unknown",
    name: campaignName(c),
    detail: `${c.ads} ${c.ads === 1 ? "ad" : "ads"}`,
    href: c.campaignId ? reportHref({ from, to, campaign: c.campaignId }) : reportHref({ from, to }),
    value,
  });
  const ad = (a: RankedAd, value: number): TopItem => ({
    key: a.adId,
    name: adName(a),
    detail: a.campaignName,
    href: reportHref({ from, to, ad: a.adId }),
    value,
  });
  return {
    campaignsByConversations: report.top.campaignsByConversations.map((c) => campaign(c, c.conversations)),
    campaignsByRevenue: report.top.campaignsByRevenue.map((c) => campaign(c, c.revenue)),
    adsByConversations: report.top.adsByConversations.map((a) => ad(a, a.conversations)),
    adsByRevenue: report.top.adsByRevenue.map((a) => ad(a, a.revenue)),
  };
}

export default async function DashboardPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser({ role: "marketer" });
  const { filters, errors } = readUrlFilters(await searchParams, ["days", "from", "to"], dashboardParamsSchema, {});
  const now = new Date();
  const range = resolveDashboardRange(filters, now);
  const { counts, report } = await getDashboardView(await getDb(), { tenantId: user.tenantId, range, now });
  const firstRun = counts.numbers === 0 && counts.subscribers === 0;
  const quiet = report.conversations.current === 0 && report.conversions.current === 0;
  const top = topItems(report);
  const days = range.days;
  const revenueNote = report.revenue.length > 1 ? ` Ranked in ${report.mainCurrency}, the period's main currency.` : "";

  return (
    <div className="grid min-w-0 grid-cols-1 gap-6">
      <PageHeader
        className="pb-0"
        title="Dashboard"
        description={
          <>
            {user.tenantName}, <FormattedDay day={range.from} /> to <FormattedDay day={range.to} /> (UTC days), compared with the{" "}
            {days === 1 ? "day" : `${days} days`} before.
          </>
        }
      />
      {firstRun ? <GettingStarted canLoadDemo={hasRole(user.role, "admin")} canConnect={hasRole(user.role, "manager")} /> : null}
      <RangePicker from={range.from} to={range.to} preset={range.preset} error={errors.from ?? errors.to ?? errors.days} />
      <AutoRefresh active={range.to >= now.toISOString().slice(0, 10)} intervalMs={60_000} />
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 xl:grid-cols-4">
        <FigureCard label="Conversations" icon={MessagesSquare} testId="figure-conversations">
          <BigNumber>
            <Count value={report.conversations.current} />
          </BigNumber>
          <ChangeLine value={report.conversations} previous={<Count value={report.conversations.previous} />} days={days} />
        </FigureCard>
        <FigureCard label="Ad-attributed share" icon={Megaphone} testId="figure-ad-share">
          <BigNumber>
            <Percent value={report.adShare.current} />
          </BigNumber>
          <p className="text-xs text-muted-foreground">
            <Count value={report.adConversations.current} /> of <Count value={report.conversations.current} /> started from an ad click
          </p>
          <ChangeLine value={report.adShare} previous={<Percent value={report.adShare.previous} />} days={days} points />
        </FigureCard>
        <FigureCard label="Conversions" icon={Target} testId="figure-conversions">
          <BigNumber>
            <Count value={report.conversions.current} />
          </BigNumber>
          <ChangeLine value={report.conversions} previous={<Count value={report.conversions.previous} />} days={days} />
        </FigureCard>
        <FigureCard label="Revenue" icon={Coins} testId="figure-revenue">
          <RevenueLines revenue={report.revenue} days={days} />
        </FigureCard>
      </div>
      {firstRun ? null : quiet ? (
        <EmptyState
          icon={BarChart3}
          title="No conversations or conversions in this period"
          description="Nobody started a chat and no conversion was reported between these dates. Try a longer period."
          action={
            range.preset !== 90 ? (
              <Button asChild variant="outline">
                <Link href={dashboardHref({ days: 90 })}>Last 90 days</Link>
              </Button>
            ) : undefined
          }
        />
      ) : (
        <>
          <Card className="min-w-0">
            <CardHeader>
              <CardTitle>
                <h2>Conversations per day</h2>
              </CardTitle>
              <CardDescription>
                By UTC day: started from an ad click, or otherwise. <Count value={report.adConversations.current} /> of{" "}
                <Count value={report.conversations.current} /> from ads (<Percent value={report.adShare.current} />
                ).
              </CardDescription>
            </CardHeader>
            <CardContent>
              <DailyChart data={report.series} series={CHART_SERIES} label="Conversations per day, from ads and otherwise" />
            </CardContent>
          </Card>
          <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
            <TopList
              testId="top-campaigns-conversations"
              title="Top campaigns by conversations"
              description="Conversations their ads started in the period."
              items={top.campaignsByConversations}
              empty="No conversation started from an ad in this period."
            />
            <TopList
              testId="top-campaigns-revenue"
              title="Top campaigns by revenue"
              description={`Value of the conversions reported in the period for their ads' conversations.${revenueNote}`}
              items={top.campaignsByRevenue}
              currency={report.mainCurrency}
              empty="No conversion with a value came from an ad in this period."
            />
            <TopList
              testId="top-ads-conversations"
              title="Top ads by conversations"
              description="Conversations each ad started in the period."
              items={top.adsByConversations}
              empty="No conversation started from an ad in this period."
            />
            <TopList
              testId="top-ads-revenue"
              title="Top ads by revenue"
              description={`Value of the conversions reported in the period for each ad's conversations.${revenueNote}`}
              items={top.adsByRevenue}
              currency={report.mainCurrency}
              empty="No conversion with a value came from an ad in this period."
            />
          </div>
        </>
      )}
      <section aria-labelledby="right-now" className="grid gap-3">
        <h2 id="right-now" className="text-sm font-medium text-muted-foreground">
          Right now
        </h2>
        <div className="grid grid-cols-1 gap-4 sm:grid-cols-3">
          <StatCard label="Subscribers" value={<Count value={counts.subscribers} />} icon={Users} hint="Everyone who has written to you" href="/subscribers" />
          <StatCard
            label="Drip queue"
            value={<Count value={counts.queuePending} />}
            icon={counts.queueFailed > 0 ? AlertTriangle : Clock}
            tone={counts.queueFailed > 0 ? "warning" : "default"}
            hint={counts.queueFailed > 0 ? `pending; ${formatCount(counts.queueFailed)} failed` : "pending follow-ups, none failed"}
            href="/queue"
          />
          <StatCard
            label="Conversions sent to Meta"
            value={<Count value={counts.conversionsSent} />}
            icon={CheckCircle2}
            tone={counts.conversionsFailed > 0 ? "warning" : "success"}
            hint={counts.conversionsFailed > 0 ? `all time; ${formatCount(counts.conversionsFailed)} failed or rejected` : "all time, none failed"}
            href="/conversions"
          />
        </div>
      </section>
    </div>
  );
}
