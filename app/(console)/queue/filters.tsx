"use client";

import { UserRound, X } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { FilterBarEnd, type FilterOption, FilterSelect } from "@/components/console/filter-select";
import { type QueueFilterValues, queueHref } from "./list-href";

/** Number, template and lead filters; they live in the URL with the view, and changing one starts again at page one. */
export function QueueFilters(props: {
  values: QueueFilterValues;
  numbers: FilterOption[];
  templates: FilterOption[];
  lead: { id: string; name: string } | null;
  errors: Partial<Record<string, string>>;
}) {
  const { values, lead, errors } = props;
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const apply = (next: QueueFilterValues) => startTransition(() => router.push(queueHref(next)));
  const set = (key: keyof QueueFilterValues) => (v: string | undefined) => apply({ ...values, [key]: v });
  const active = Boolean(values.numberId || values.templateId || values.leadId);
  const problems = Object.values(errors).filter(Boolean);

  return (
    <form role="search" aria-label="Filter the queue" className="flex flex-wrap items-end gap-3" onSubmit={(e) => e.preventDefault()}>
      <FilterSelect
        id="filter-number"
        label="Number"
        anyLabel="Any number"
        value={values.numberId}
        options={props.numbers}
        disabled={pending}
        onChange={set("numberId")}
        className="w-52"
      />
      <FilterSelect
        id="filter-template"
        label="Template"
        anyLabel="Any template"
        value={values.templateId}
        options={props.templates}
        disabled={pending}
        onChange={set("templateId")}
        className="w-52"
      />
      {lead ? (
        <div className="grid gap-1.5">
          <span className="text-xs text-muted-foreground">Lead</span>
          <span className="inline-flex h-8 items-center gap-1.5 rounded-md border bg-muted/50 pr-1 pl-2.5 text-sm" data-testid="lead-filter">
            <UserRound className="size-3.5 text-muted-foreground" aria-hidden />
            <Link href={`/leads/${lead.id}`} className="max-w-48 truncate font-medium hover:underline" title={`Open ${lead.name}`}>
              {lead.name}
            </Link>
            <Link
              href={queueHref({ ...values, leadId: undefined })}
              className="rounded-sm p-0.5 text-muted-foreground hover:bg-accent hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none"
              aria-label={`Show every lead, not only ${lead.name}`}
            >
              <X className="size-3.5" aria-hidden />
            </Link>
          </span>
        </div>
      ) : null}
      <FilterBarEnd active={active} pending={pending} onClear={() => apply({ status: values.status })} />
      {problems.length > 0 ? (
        <p className="basis-full text-sm text-destructive" role="alert">
          Ignored: {problems.join("; ")}
        </p>
      ) : null}
    </form>
  );
}
