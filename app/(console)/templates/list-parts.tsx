"use client";

import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { toast } from "sonner";
import { FilterBarEnd, FilterSelect } from "@/components/console/filter-select";
import { Switch } from "@/components/ui/switch";
import { setTemplateActiveAction } from "./actions";

export type TemplateFilterValues = { active?: string; segment?: string };

export function templatesHref(values: TemplateFilterValues & { cursor?: string }): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v) params.set(k, v);
  const query = params.toString();
  return query ? `/templates?${query}` : "/templates";
}

/** The list's filters live in the URL; changing one starts again at page one. */
export function TemplateFilters({ values, segments }: { values: TemplateFilterValues; segments: string[] }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const apply = (next: TemplateFilterValues) => startTransition(() => router.push(templatesHref(next)));
  return (
    <form role="search" aria-label="Filter templates" className="flex flex-wrap items-end gap-3" onSubmit={(e) => e.preventDefault()}>
      <FilterSelect
        id="filter-active"
        label="Status"
        anyLabel="Active and inactive"
        value={values.active}
        options={[
          { value: "true", label: "Active only" },
          { value: "false", label: "Inactive only" },
        ]}
        disabled={pending}
        onChange={(active) => apply({ ...values, active })}
        className="w-44"
      />
      {segments.length > 0 ? (
        <FilterSelect
          id="filter-segment"
          label="What a lead of this segment gets"
          anyLabel="Every segment"
          value={values.segment}
          options={segments.map((s) => ({ value: s, label: s }))}
          disabled={pending}
          onChange={(segment) => apply({ ...values, segment })}
          className="w-48"
        />
      ) : null}
      <FilterBarEnd active={Boolean(values.active || values.segment)} pending={pending} onClear={() => apply({})} />
    </form>
  );
}

/** The list's on/off switch: inactive templates are left out of new enrollments and their waiting messages skipped. */
export function ActiveSwitch({ id, name, active, disabled }: { id: string; name: string; active: boolean; disabled: boolean }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const toggle = (next: boolean) =>
    startTransition(async () => {
      const result = await setTemplateActiveAction({ id, active: next });
      if (!result.ok) return void toast.error(result.error);
      toast.success(next ? `${name} is active: new enrollments get it` : `${name} is inactive: it is no longer sent`);
      router.refresh();
    });
  return (
    <Switch
      checked={active}
      onCheckedChange={toggle}
      disabled={disabled || pending}
      aria-label={`${name} active`}
      title={disabled ? "Managers switch templates on and off" : undefined}
    />
  );
}
