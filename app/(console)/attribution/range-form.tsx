"use client";

import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { type FilterOption, FilterBarEnd, FilterSelect } from "@/components/console/filter-select";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Spinner } from "@/components/ui/spinner";
import { type ReportFilterValues, reportHref } from "./report-href";

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
      <div className="grid gap-1.5">
        <Label htmlFor="from" className="text-xs text-muted-foreground">
          From
        </Label>
        <Input id="from" name="from" type="date" defaultValue={values.from} className="h-8 w-40" required aria-invalid={error ? true : undefined} />
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="to" className="text-xs text-muted-foreground">
          To
        </Label>
        <Input id="to" name="to" type="date" defaultValue={values.to} className="h-8 w-40" required aria-invalid={error ? true : undefined} />
      </div>
      <Button type="submit" size="sm" variant="outline" disabled={pending}>
        {pending ? <Spinner /> : null}
        Show
      </Button>
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
