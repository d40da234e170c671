"use client";

import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { FilterBarEnd, FilterSelect, type FilterOption } from "@/components/console/filter-select";

type Option = FilterOption;
export type WebhookFilterValues = { status?: string; provider?: string; numberId?: string };

/** The list's filters live in the URL (`?status=…&provider=…&numberId=…`); changing one starts again at page one. */
export function WebhookFilters({
  values,
  statuses,
  providers,
  numbers,
}: {
  values: WebhookFilterValues;
  statuses: Option[];
  providers: Option[];
  numbers: Option[];
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const apply = (next: WebhookFilterValues) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(next)) if (v) params.set(k, v);
    const query = params.toString();
    startTransition(() => router.push(query ? `/webhooks?${query}` : "/webhooks"));
  };
  const active = Boolean(values.status || values.provider || values.numberId);

  return (
    <form role="search" aria-label="Filter webhook events" className="flex flex-wrap items-end gap-3" onSubmit={(e) => e.preventDefault()}>
      <FilterSelect
        id="filter-status"
        label="Status"
        anyLabel="Any status"
        value={values.status}
        options={statuses}
        disabled={pending}
        onChange={(status) => apply({ ...values, status })}
      />
      <FilterSelect
        id="filter-provider"
        label="Provider"
        anyLabel="Any provider"
        value={values.provider}
        options={providers}
        disabled={pending}
        onChange={(provider) => apply({ ...values, provider })}
      />
      {numbers.length > 0 ? (
        <FilterSelect
          id="filter-number"
          label="Number"
          anyLabel="Any number"
          value={values.numberId}
          options={numbers}
          disabled={pending}
          onChange={(numberId) => apply({ ...values, numberId })}
        />
      ) : null}
      <FilterBarEnd active={active} pending={pending} onClear={() => apply({})} />
    </form>
  );
}
