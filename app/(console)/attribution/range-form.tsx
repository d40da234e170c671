"use client";

import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { type FilterOption, FilterBarEnd, FilterSelect } from "@/components/console/filter-select";
import { type ReportFilterValues, reportHref } from "./report-href";
import { DayRangeFields } from "@/components/console/day-range-fields";

/** The last `days` whole UTC days up to today, as the report's from/to (read when clicked, never while rendering). */
function lastDays(days: number): { from: string; to: string } {
  const today = Date.parse(new Date().toISOString().slice(0, 10));
  return { from: new Date(today - (days - 1) * 86_400_000).toISOString().slice(0, 10), to: new Date(today).toISOString().slice(0, 10) };
}

/** The report's filters, kept in the URL: dates apply with Show, a campaign or ad at once. */
export function RangeForm(props: {
  values: ReportFilterValues;
  errors: Partial<Record<string, string>>;
  campaigns: FilterOption[];
  ads: (FilterOption & { campaignId: string | null })[];
}) {
  const { values, errors } = props;
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const apply = (next: ReportFilterValues) => startTransition(() => router.push(reportHref(next)));
  // a campaign narrows the ad menu to its own ads (and drops a chosen ad of another campaign)
  const ads = values.campaign ? props.ads.filter((a) => a.campaignId === values.campaign) : props.ads;
  const campaignOf = (ad: string | undefined) => props.ads.find((a) => a.value === ad)?.campaignId;
  const error = errors.from ?? errors.to;
  return (
    <form
      role="search"
      aria-label="Report filters"
      className="flex flex-wrap items-end gap-3"
      onSubmit={(e) => {
        e.preventDefault();
        const data = new FormData(e.currentTarget);
        apply({ ...values, from: String(data.get("from")), to: String(data.get("to")) });
      }}
    >
      <div role="group" aria-label="Quick ranges" className="flex rounded-md border p-0.5">
        {[7, 30, 90].map((days) => (
          <button
            key={days}
            type="button"
            disabled={pending}
            onClick={() => apply({ ...values, ...lastDays(days) })}
            className="rounded-sm px-2.5 py-1 text-sm whitespace-nowrap text-muted-foreground hover:bg-muted hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none"
          >
            {days} days
          </button>
        ))}
      </div>
      <DayRangeFields idPrefix="report" from={values.from} to={values.to} invalid={!!error} pending={pending} />
      {props.campaigns.length > 0 ? (
        <FilterSelect
          id="report-campaign"
          label="Campaign"
          anyLabel="Any campaign"
          value={values.campaign}
          options={props.campaigns}
          disabled={pending}
          onChange={(campaign) => apply({ ...values, campaign, ad: campaign && campaignOf(values.ad) !== campaign ? undefined : values.ad })}
          className="w-56"
        />
      ) : null}
      {props.ads.length > 0 ? (
        <FilterSelect
          id="report-ad"
          label="Ad"
          anyLabel="Any ad"
          value={values.ad}
          options={ads}
          disabled={pending}
          onChange={(ad) => apply({ ...values, ad })}
          className="w-56"
        />
      ) : null}
      <FilterBarEnd active={!!(values.campaign || values.ad)} pending={false} onClear={() => apply({ from: values.from, to: values.to })} />
      {error || errors.campaign || errors.ad ? <p className="w-full text-xs text-destructive">{error ?? errors.campaign ?? errors.ad}</p> : null}
    </form>
  );
}
