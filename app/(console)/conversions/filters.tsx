"use client";

import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { FilterBarEnd, type FilterOption, FilterSelect } from "@/components/console/filter-select";
import { DateFilter } from "@/components/console/date-filter";
import { type ConversionFilterValues, listHref } from "./list-href";

const TEST_OPTIONS: FilterOption[] = [
  { value: "true", label: "Test events only" },
  { value: "false", label: "Real events only" },
];

/** The log's filters live in the URL (shareable, bookmarkable); changing one starts again at page one. */
export function ConversionFilters(props: {
  values: ConversionFilterValues;
  errors: Partial<Record<string, string>>;
  statuses: FilterOption[];
  eventNames: FilterOption[];
  numbers: FilterOption[];
}) {
  const { values, errors } = props;
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const apply = (next: ConversionFilterValues) => startTransition(() => router.push(listHref(next)));
  const set = (key: keyof ConversionFilterValues) => (v: string | undefined) => apply({ ...values, [key]: v });
  const active = Object.values(values).some(Boolean);

  return (
    <form role="search" aria-label="Filter conversions" className="flex flex-wrap items-end gap-3" onSubmit={(e) => e.preventDefault()}>
      <FilterSelect
        id="filter-status"
        label="Status"
        anyLabel="Any status"
        value={values.status}
        options={props.statuses}
        disabled={pending}
        onChange={set("status")}
        className="w-32"
      />
      <FilterSelect
        id="filter-event"
        label="Event"
        anyLabel="Any event"
        value={values.eventName}
        options={props.eventNames}
        disabled={pending}
        onChange={set("eventName")}
        className="w-40"
      />
      {props.numbers.length > 1 ? (
        <FilterSelect
          id="filter-number"
          label="Number"
          anyLabel="Any number"
          value={values.numberId}
          options={props.numbers}
          disabled={pending}
          onChange={set("numberId")}
          className="w-44"
        />
      ) : null}
      <DateFilter id="filter-from" label="Received from" value={values.from} error={errors.from} disabled={pending} onChange={set("from")} />
      <DateFilter id="filter-to" label="to" value={values.to} error={errors.to} disabled={pending} onChange={set("to")} />
      <FilterSelect
        id="filter-test"
        label="Test events"
        anyLabel="Test and real"
        value={values.test}
        options={TEST_OPTIONS}
        disabled={pending}
        onChange={set("test")}
        className="w-36"
      />
      <FilterBarEnd active={active} pending={pending} onClear={() => apply({})} />
    </form>
  );
}
