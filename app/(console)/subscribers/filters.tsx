"use client";

import { X } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { type FilterOption, FilterSelect } from "@/components/console/filter-select";
import { Button } from "@/components/ui/button";
import { DateFilter } from "@/components/console/date-filter";
import { LoadingNote } from "@/components/console/list-parts";
import { SCORE_BAND_NAMES, SCORE_BANDS } from "@/lib/subscribers/lifecycle-score";
import { SearchFilter } from "@/components/console/search-filter";
import { type SubscriberFilterValues, listHref } from "./list-href";

/**
 * The list's filters live in the URL, so a view can be shared and bookmarked; changing one starts again at
 * page one. The search box applies on Enter, dates on change.
 */
export function SubscriberFilters(props: {
  values: SubscriberFilterValues;
  errors: Partial<Record<string, string>>;
  numbers: FilterOption[];
  campaigns: FilterOption[];
  ads: FilterOption[];
  statuses: FilterOption[];
  lifecycles: FilterOption[];
}) {
  const { values, errors } = props;
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [q, setQ] = useState(values.q ?? "");
  const apply = (next: SubscriberFilterValues) => startTransition(() => router.push(listHref(next)));
  const set = (key: keyof SubscriberFilterValues) => (v: string | undefined) => apply({ ...values, [key]: v });
  const active = Object.entries(values).some(([k, v]) => k !== "sort" && v);

  return (
    <form
      role="search"
      aria-label="Filter subscribers"
      className="grid gap-3"
      onSubmit={(e) => {
        e.preventDefault();
        apply({ ...values, q: q.trim() || undefined });
      }}
    >
      <div className="flex flex-wrap items-end gap-3">
        <SearchFilter value={q} onChange={setQ} placeholder="Phone (any format), name or WhatsApp id — press Enter" error={errors.q} className="min-w-64" />
        <FilterSelect
          id="filter-sort"
          label="Sort by"
          anyLabel="Last message"
          value={values.sort === "first_seen" ? "first_seen" : undefined}
          options={[{ value: "first_seen", label: "First seen" }]}
          disabled={pending}
          onChange={set("sort")}
          className="w-36"
        />
        {pending ? <LoadingNote /> : null}
      </div>
      <div className="flex flex-wrap items-end gap-3">
        {props.numbers.length > 1 ? (
          <FilterSelect
            id="filter-number"
            label="Number"
            anyLabel="Any number"
            value={values.number}
            options={props.numbers}
            disabled={pending}
            onChange={set("number")}
          />
        ) : null}
        <FilterSelect
          id="filter-status"
          label="Status"
          anyLabel="Any status"
          value={values.status}
          options={props.statuses}
          disabled={pending}
          onChange={set("status")}
          className="w-36"
        />
        <FilterSelect
          id="filter-lifecycle"
          label="Lifecycle"
          anyLabel="Any stage"
          value={values.lifecycle}
          options={props.lifecycles}
          disabled={pending}
          onChange={set("lifecycle")}
          className="w-40"
        />
        <FilterSelect
          id="filter-source"
          label="Source"
          anyLabel="Any source"
          value={values.source}
          options={[
            { value: "ad", label: "Ad click" },
            { value: "post", label: "Post" },
            { value: "organic", label: "Organic" },
          ]}
          disabled={pending}
          onChange={set("source")}
          className="w-36"
        />
        {props.campaigns.length > 0 ? (
          <FilterSelect
            id="filter-campaign"
            label="Campaign"
            anyLabel="Any campaign"
            value={values.campaign}
            options={props.campaigns}
            disabled={pending}
            onChange={set("campaign")}
            className="w-52"
          />
        ) : null}
        {props.ads.length > 0 ? (
          <FilterSelect
            id="filter-ad"
            label="Ad"
            anyLabel="Any ad"
            value={values.ad}
            options={props.ads}
            disabled={pending}
            onChange={set("ad")}
            className="w-52"
          />
        ) : null}
        <FilterSelect
          id="filter-click"
          label="Click id"
          anyLabel="Any"
          value={values.clickId}
          options={[
            { value: "yes", label: "Has a click id" },
            { value: "no", label: "No click id" },
          ]}
          disabled={pending}
          onChange={set("clickId")}
          className="w-40"
        />
        <FilterSelect
          id="filter-window"
          label="24 h window"
          anyLabel="Open or closed"
          value={values.window}
          options={[
            { value: "open", label: "Open" },
            { value: "closed", label: "Closed" },
          ]}
          disabled={pending}
          onChange={set("window")}
          className="w-40"
        />
        <FilterSelect
          id="filter-score"
          label="Score"
          anyLabel="Any score"
          value={values.score}
          options={SCORE_BAND_NAMES.map((b) => ({ value: b, label: `${SCORE_BANDS[b].label} (${SCORE_BANDS[b].range})` }))}
          disabled={pending}
          onChange={set("score")}
          className="w-40"
        />
        <DateFilter id="filter-from" label="First seen from" value={values.from} error={errors.from} disabled={pending} onChange={set("from")} />
        <DateFilter id="filter-to" label="to" value={values.to} error={errors.to} disabled={pending} onChange={set("to")} />
        {active ? (
          <Button
            type="button"
            variant="ghost"
            size="sm"
            onClick={() => {
              setQ("");
              apply({ sort: values.sort });
            }}
            disabled={pending}
          >
            <X aria-hidden />
            Clear filters
          </Button>
        ) : null}
      </div>
    </form>
  );
}
