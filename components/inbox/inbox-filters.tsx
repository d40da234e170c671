"use client";

// The inbox's filters live in the URL (the API's own names), so a view can be shared; the open chat stays open.
import { useRouter, useSearchParams } from "next/navigation";
import { useState, useTransition } from "react";
import { FilterBarEnd, type FilterOption, FilterSelect } from "@/components/console/filter-select";
import { SearchFilter } from "@/components/console/search-filter";
import { Button } from "@/components/ui/button";
import { type InboxFilterValues, inboxHref } from "./format";

// Mine first, as in Chatwoot: the inbox opens on it for a member who has chats assigned
const ASSIGNED_VIEWS = [
  { value: "me", label: "Mine" },
  { value: "unassigned", label: "Unassigned" },
  { value: "anyone", label: "All" },
] as const;

export function InboxFilters(props: { values: InboxFilterValues; errors: Partial<Record<string, string>>; numbers: FilterOption[]; ads: FilterOption[] }) {
  const { values, errors } = props;
  const router = useRouter();
  const chat = useSearchParams().get("chat");
  const [pending, startTransition] = useTransition();
  const [q, setQ] = useState(values.q ?? "");
  const apply = (next: InboxFilterValues) => startTransition(() => router.push(inboxHref(next, chat)));
  const set = (key: keyof InboxFilterValues) => (v: string | undefined) => apply({ ...values, [key]: v });
  const toggle = (key: "unread" | "windowOpen") => apply({ ...values, [key]: values[key] ? undefined : "true" });
  const active = Object.entries(values).some(([k, v]) => v && !(k === "assigned" && v === "anyone"));

  return (
    <form
      role="search"
      aria-label="Filter chats"
      className="grid gap-2 border-b p-3"
      onSubmit={(e) => {
        e.preventDefault();
        apply({ ...values, q: q.trim() || undefined });
      }}
    >
      <SearchFilter value={q} onChange={setQ} placeholder="Name or phone — press Enter" error={errors.q} />
      <div className="flex flex-wrap items-end gap-2">
        <div role="group" aria-label="Assigned" className="inline-flex rounded-md border p-0.5" data-testid="assigned-views">
          {ASSIGNED_VIEWS.map((v) => {
            const current = (values.assigned ?? "anyone") === v.value;
            return (
              <Button
                key={v.value}
                type="button"
                size="sm"
                variant={current ? "secondary" : "ghost"}
                className="h-7 px-2.5"
                aria-pressed={current}
                disabled={pending}
                onClick={() => apply({ ...values, assigned: v.value })}
              >
                {v.label}
              </Button>
            );
          })}
        </div>
        {props.numbers.length > 1 || values.numberId ? (
          <FilterSelect
            id="filter-number"
            label="Number"
            anyLabel="Any number"
            value={values.numberId}
            options={props.numbers}
            disabled={pending}
            onChange={set("numberId")}
            className="w-40"
          />
        ) : null}
        {props.ads.length > 0 || values.adId ? (
          <FilterSelect
            id="filter-ad"
            label="Source ad"
            anyLabel="Any source"
            value={values.adId}
            options={props.ads}
            disabled={pending}
            onChange={set("adId")}
            className="w-40"
          />
        ) : null}
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <Button
          type="button"
          size="sm"
          variant={values.unread ? "secondary" : "outline"}
          aria-pressed={Boolean(values.unread)}
          disabled={pending}
          onClick={() => toggle("unread")}
        >
          Unread only
        </Button>
        <Button
          type="button"
          size="sm"
          variant={values.windowOpen ? "secondary" : "outline"}
          aria-pressed={Boolean(values.windowOpen)}
          disabled={pending}
          onClick={() => toggle("windowOpen")}
        >
          Window open
        </Button>
        <FilterBarEnd
          active={active}
          pending={pending}
          onClear={() => {
            setQ("");
            apply({});
          }}
        />
      </div>
      {errors.numberId || errors.adId || errors.assigned ? (
        <p className="text-xs text-destructive">{errors.numberId ?? errors.adId ?? errors.assigned}</p>
      ) : null}
    </form>
  );
}
