import type { FieldRow, SchemaView } from "@/lib/openapi/view";
import { cn } from "@/lib/utils";
import { InlineText } from "./doc-text";

// The docs tables hold hundreds of cells: their styling sits once on the table (the UI kit's Table look)
// instead of on every cell, which keeps the page's HTML small.
const DOC_TABLE = cn(
  "w-full min-w-[40rem] table-fixed text-sm",
  "[&_thead]:bg-muted/40 [&_tr]:border-b [&_tbody_tr:last-child]:border-0 [&_tbody_tr]:hover:bg-muted/50",
  "[&_th]:h-9 [&_th]:px-3 [&_th]:text-left [&_th]:align-middle [&_th]:text-xs [&_th]:font-medium [&_th]:text-muted-foreground",
  "[&_td]:px-3 [&_td]:py-2 [&_td]:align-top [&_td]:break-words",
);

/** A compact table in the look of components/ui/table; `widths` sizes the columns (the last one takes the rest). */
export function DocTable({ label, columns, widths, children }: { label: string; columns: string[]; widths: string[]; children: React.ReactNode }) {
  return (
    <div className="overflow-x-auto rounded-md border">
      <table aria-label={label} className={DOC_TABLE}>
        <colgroup>
          {columns.map((c, i) => (
            <col key={c} className={widths[i]} />
          ))}
        </colgroup>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** Enum values and validation rules of one field or parameter (a dash when there are none). */
export function Rules({ row }: { row: Pick<FieldRow, "enumValues" | "constraints"> }) {
  if (row.enumValues.length === 0 && row.constraints.length === 0) return <span className="text-muted-foreground">—</span>;
  return (
    <div className="grid gap-1">
      {row.enumValues.length > 0 ? (
        <div className="flex flex-wrap items-center gap-1">
          <span className="text-muted-foreground">one of</span>
          {row.enumValues.map((v) => (
            <code key={v} className="rounded border bg-muted/50 px-1 font-mono text-xs">
              {v}
            </code>
          ))}
        </div>
      ) : null}
      {row.constraints.map((c) => (
        <span key={c} className="font-mono text-xs break-all text-muted-foreground">
          {c}
        </span>
      ))}
    </div>
  );
}

function FieldsTable({ rows, label }: { rows: FieldRow[]; label: string }) {
  return (
    <DocTable label={label} columns={["Field", "Type", "Required", "Rules", "Description"]} widths={["w-[22%]", "w-[14%]", "w-[10%]", "w-[20%]"]}>
      {rows.map((row) => (
        <tr key={row.name}>
          <td>
            <code className="font-mono text-xs font-medium break-all" style={row.depth > 0 ? { paddingLeft: `${row.depth * 0.75}rem` } : undefined}>
              {row.name}
            </code>
          </td>
          <td className="font-mono text-xs text-muted-foreground">{row.type}</td>
          <td className="text-xs">{row.required ? "required" : <span className="text-muted-foreground">optional</span>}</td>
          <td className="text-xs">
            <Rules row={row} />
          </td>
          <td>{row.description ? <InlineText text={row.description} /> : <span className="text-muted-foreground">—</span>}</td>
        </tr>
      ))}
    </DocTable>
  );
}

/** A JSON Schema as people read it: a field table, the variants of a oneOf, or a single value's type. */
export function SchemaBlock({ view, label, request = false }: { view: SchemaView; label: string; request?: boolean }) {
  const heading =
    view.refName || view.description ? (
      <p className="text-sm text-muted-foreground">
        {view.refName ? <code className="mr-1.5 font-mono text-xs text-foreground">{view.refName}</code> : null}
        {view.description ? <InlineText text={view.description} /> : null}
      </p>
    ) : null;
  if (view.kind === "fields") {
    return (
      <div className="grid gap-2">
        {heading}
        <FieldsTable rows={view.rows} label={label} />
        {request && view.closed ? <p className="text-xs text-muted-foreground">Fields not listed here are refused.</p> : null}
      </div>
    );
  }
  if (view.kind === "variants") {
    return (
      <div className="grid gap-2">
        {heading}
        <p className="text-sm">
          One of {view.variants.length} shapes
          {view.discriminator ? (
            <>
              , chosen by <code className="font-mono text-xs">{view.discriminator}</code>
            </>
          ) : null}
          :
        </p>
        {view.variants.map((v, i) => (
          <details key={v.title} open={i === 0} className="group rounded-md border px-3 py-2">
            <summary className="cursor-pointer rounded-sm font-mono text-sm font-medium focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none">
              {v.title}
            </summary>
            <div className="pt-3">
              <SchemaBlock view={v.view} label={`${label}, ${v.title}`} request={request} />
            </div>
          </details>
        ))}
      </div>
    );
  }
  return (
    <div className="grid gap-1 text-sm">
      {heading}
      <p>
        <code className="font-mono text-xs">{view.type}</code>
      </p>
      <Rules row={view} />
    </div>
  );
}
