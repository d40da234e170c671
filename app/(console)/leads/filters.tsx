"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { FilterBarEnd, type FilterOption, FilterSelect } from "@/components/console/filter-select";
import { SearchFilter } from "@/components/console/search-filter";
import { type LeadFilterValues, listHref } from "./list-href";

const CALL_OPTIONS: FilterOption[] = [
  { value: "not_called", label: "Not called" },
  { value: "called", label: "Called" },
  { value: "no_answer", label: "No answer" },
];
const TARGET_OPTIONS: FilterOption[] = [
  { value: "yes", label: "Target" },
  { value: "no", label: "Not target" },
  { value: "unanswered", label: "Not answered" },
];
const CAMPAIGN_OPTIONS: FilterOption[] = [
  { value: "true", label: "Running" },
  { value: "false", label: "Not running" },
];

/** The list's filters live in the URL (shareable); changing one starts again at page one. The search applies on Enter. */
export function LeadFilters({ values, errors, segments }: { values: LeadFilterValues; errors: Partial<Record<string, string>>; segments: string[] }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [q, setQ] = useState(values.q ?? "");
  const apply = (next: LeadFilterValues) => startTransition(() => router.push(listHref(next)));
  const set = (key: keyof LeadFilterValues) => (v: string | undefined) => apply({ ...values, [key]: v });
  const active = Object.values(values).some(Boolean);

  return (
    <form
      role="search"
      aria-label="Filter leads"
      className="flex flex-wrap items-end gap-3"
      onSubmit={(e) => {
        e.preventDefault();
        apply({ ...values, q: q.trim() || undefined });
      }}
    >
      <SearchFilter value={q} onChange={setQ} placeholder="Name or phone — press Enter" error={errors.q} className="min-w-56" />
      <FilterSelect
        id="filter-call"
        label="Call"
        anyLabel="Any call status"
        value={values.callStatus}
        options={CALL_OPTIONS}
        disabled={pending}
        onChange={set("callStatus")}
        className="w-40"
      />
      <FilterSelect
        id="filter-target"
        label="Target and interested?"
        anyLabel="Any answer"
        value={values.isTarget}
        options={TARGET_OPTIONS}
        disabled={pending}
        onChange={set("isTarget")}
        className="w-40"
      />
      <FilterSelect
        id="filter-campaign"
        label="Campaign"
        anyLabel="Any"
        value={values.campaignActive}
        options={CAMPAIGN_OPTIONS}
        disabled={pending}
        onChange={set("campaignActive")}
        className="w-36"
      />
      {segments.length > 0 || values.segment ? (
        <FilterSelect
          id="filter-segment"
          label="Segment"
          anyLabel="Any segment"
          value={values.segment}
          options={[...new Set([...segments, ...(values.segment ? [values.segment] : [])])].map((s) => ({ value: s, label: s }))}
          disabled={pending}
          onChange={set("segment")}
          className="w-36"
        />
      ) : null}
      <FilterBarEnd
        active={active}
        pending={pending}
        onClear={() => {
          setQ("");
          apply({});
        }}
      />
    </form>
  );
}
