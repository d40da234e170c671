"use client";

import { FilterSelect } from "@/components/console/filter-select";
import { SCORE_BANDS } from "@/lib/subscribers/lifecycle-score";
import { LIFECYCLE_LABELS, SOURCE_LABELS } from "../../subscribers/subscriber-badges";
import { type SegmentFormValues, type SegmentKey, setFilters } from "./form-schema";
import { describeSegment } from "./segment-words";
import type { SegmentOptions } from "./view";

const LIFECYCLES = Object.entries(LIFECYCLE_LABELS).map(([value, label]) => ({ value, label }));
const SCORES = Object.entries(SCORE_BANDS).map(([value, b]) => ({ value, label: `${b.label} (${b.range})` }));
const SOURCES = Object.entries(SOURCE_LABELS).map(([value, label]) => ({ value, label }));
// opted-out and blocked people are never in an audience: the sync removes them
const STATUSES = [
  { value: "active", label: "Active" },
  { value: "inactive", label: "Inactive" },
];
const YES_NO = [
  { value: "yes", label: "Has a click id" },
  { value: "no", label: "No click id" },
];
const WINDOWS = [
  { value: "open", label: "Window open" },
  { value: "closed", label: "Window closed" },
];

/** Who goes into the audience: the subscriber list's filters, any left at "any"; the result in words below. */
export function SegmentFields({
  value,
  onChange,
  options,
  disabled,
  idPrefix,
  error,
}: {
  value: SegmentFormValues;
  onChange: (next: SegmentFormValues) => void;
  options: SegmentOptions;
  disabled: boolean;
  idPrefix: string;
  error?: string;
}) {
  const set = (key: SegmentKey) => (v: string | undefined) => onChange({ ...value, [key]: v ?? "" });
  const field = (key: SegmentKey, label: string, anyLabel: string, list: { value: string; label: string }[]) => (
    <FilterSelect
      id={`${idPrefix}-${key}`}
      label={label}
      anyLabel={anyLabel}
      value={value[key] || undefined}
      options={list}
      onChange={set(key)}
      disabled={disabled}
      className="w-full"
    />
  );
  const errorId = `${idPrefix}-segment-error`;
  return (
    <fieldset className="grid gap-3" aria-describedby={`${idPrefix}-segment-words${error ? ` ${errorId}` : ""}`} data-testid="audience-segment">
      <legend className="mb-1 text-sm font-medium">Who goes in</legend>
      <p className="text-xs text-muted-foreground">
        The same filters as the subscriber list. People who match are added as they arrive; people who stop matching, opt out or are blocked are removed.
      </p>
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        {field("lifecycle", "Lifecycle stage", "Any stage", LIFECYCLES)}
        {field("score", "Lifecycle score", "Any score", SCORES)}
        {field("source", "Source", "Any source", SOURCES)}
        {field("status", "Status", "Active or inactive", STATUSES)}
        {options.numbers.length > 1 ? field("number", "Number", "Any number", options.numbers) : null}
        {options.campaigns.length > 0 ? field("campaign", "Campaign", "Any campaign", options.campaigns) : null}
        {options.ads.length > 0 ? field("ad", "Ad", "Any ad", options.ads) : null}
        {field("clickId", "Ad click id", "With or without", YES_NO)}
        {field("window", "24 h window", "Open or closed", WINDOWS)}
      </div>
      <p id={`${idPrefix}-segment-words`} className="text-sm" data-testid="audience-segment-words">
        <span className="text-muted-foreground">Segment: </span>
        {describeSegment(setFilters(value), options)}
      </p>
      {error ? (
        <p id={errorId} className="text-sm text-destructive">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
